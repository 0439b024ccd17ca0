//! The Heart Rate Measurement (0x2A37) a strap notifies: the rate, as one
//! byte or two, whether the strap touches the skin, energy expended and
//! RR intervals.

use super::{DecodeError, Reader};

/// Rates outside this are a strap that slipped or a garbled value.
pub const BELIEVABLE_BPM: std::ops::RangeInclusive<u16> = 25..=240;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurement {
    pub bpm: u16,
    /// `None` when the strap does not tell; `Some(false)` when it is not
    /// on the skin (its rate is not to be trusted).
    pub contact: Option<bool>,
    /// kJ since the strap was reset.
    pub energy_kj: Option<u16>,
    /// Seconds between beats, oldest first.
    pub rr_intervals_s: Vec<f64>,
}

mod flag {
    pub const RATE_IS_U16: u8 = 1 << 0;
    pub const CONTACT_SUPPORTED: u8 = 1 << 2;
    pub const CONTACT_DETECTED: u8 = 1 << 1;
    pub const ENERGY: u8 = 1 << 3;
    pub const RR_INTERVALS: u8 = 1 << 4;
}

/// Decodes a Heart Rate Measurement. A rate outside [`BELIEVABLE_BPM`] is
/// an error, as is a value cut short.
pub fn measurement(bytes: &[u8]) -> Result<Measurement, DecodeError> {
    let mut r = Reader::new("Heart Rate Measurement", bytes);
    let flags = r.u8()?;
    let has = |bit: u8| flags & bit != 0;
    let bpm = if has(flag::RATE_IS_U16) {
        r.u16()?
    } else {
        u16::from(r.u8()?)
    };
    if !BELIEVABLE_BPM.contains(&bpm) {
        return Err(DecodeError::Absurd {
            what: "heart rate",
            value: format!("{bpm} bpm"),
        });
    }
    let contact = has(flag::CONTACT_SUPPORTED).then(|| has(flag::CONTACT_DETECTED));
    let energy_kj = if has(flag::ENERGY) {
        Some(r.u16()?)
    } else {
        None
    };
    let mut rr_intervals_s = Vec::new();
    if has(flag::RR_INTERVALS) {
        while !r.is_empty() {
            rr_intervals_s.push(f64::from(r.u16()?) / 1024.0);
        }
    }
    r.finish()?;
    Ok(Measurement {
        bpm,
        contact,
        energy_kj,
        rr_intervals_s,
    })
}
