//! The Fitness Machine Service (0x1826) as a treadmill speaks it:
//! Treadmill Data (0x2ACD) notifications here; what the machine can do,
//! its ranges and its status in [`machine`]; the Control Point's
//! requests and responses in [`control`]. Speeds are km/h, inclines
//! percent, as the service sends them. Sections cited are those of the
//! Fitness Machine Service specification v1.0.1.

mod control;
mod machine;

pub use control::{Outcome, Request, response};
pub use machine::{
    Features, InclineRange, MachineStatus, SpeedRange, StopOrPause, features, incline_range,
    machine_status, speed_range,
};

use super::{DecodeError, Reader};

/// The fastest belt a home treadmill runs, in km/h, with room: anything
/// above is a garbled value, not a speed.
pub const MAX_BELT_KMH: f64 = 40.0;
/// The steepest incline or decline, in percent, likewise.
pub const MAX_INCLINE_PERCENT: f64 = 40.0;

/// One Treadmill Data notification: the fields its flags announced and
/// that carried a value. A field sent as "data not available" (all ones,
/// 0x7FFF when signed: §4.4.1) is `None`, and the rest still count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreadmillData {
    /// Instantaneous speed, km/h.
    pub speed_kmh: Option<f64>,
    pub average_speed_kmh: Option<f64>,
    /// Metres since the machine's session began.
    pub distance_m: Option<u32>,
    pub incline_percent: Option<f64>,
    pub ramp_angle_degrees: Option<f64>,
    /// Positive and negative elevation gain, metres.
    pub elevation_gain_m: Option<f64>,
    pub elevation_loss_m: Option<f64>,
    pub pace: Option<Pace>,
    pub average_pace: Option<Pace>,
    pub energy_kcal: Option<u16>,
    pub energy_per_hour_kcal: Option<u16>,
    pub energy_per_minute_kcal: Option<u8>,
    /// From the machine's own grips or chest belt; 0 while no hand
    /// holds the grips.
    pub heart_rate_bpm: Option<u8>,
    pub metabolic_equivalent: Option<f64>,
    pub elapsed_s: Option<u16>,
    pub remaining_s: Option<u16>,
    /// Force on the belt (newtons) and power output (watts).
    pub force_n: Option<i16>,
    pub power_w: Option<i16>,
    /// Flag bits the 2017 layout calls reserved (13 to 15) that were set:
    /// their bytes come after every known field and are skipped.
    pub unknown_flags: u16,
}

impl TreadmillData {
    /// Every field that carried a value, by a name that says its unit:
    /// what `TreadmillReading` on D-Bus shows.
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        let pace = |p: &Option<Pace>| match p {
            Some(Pace::KmPerMinute(v)) => Some(*v),
            _ => None,
        };
        let wide = |p: &Option<Pace>| match p {
            Some(Pace::Wide(v)) => Some(f64::from(*v)),
            _ => None,
        };
        [
            ("speed_kmh", self.speed_kmh),
            ("average_speed_kmh", self.average_speed_kmh),
            ("distance_m", self.distance_m.map(f64::from)),
            ("incline_percent", self.incline_percent),
            ("ramp_angle_degrees", self.ramp_angle_degrees),
            ("elevation_gain_m", self.elevation_gain_m),
            ("elevation_loss_m", self.elevation_loss_m),
            ("pace_km_per_min", pace(&self.pace)),
            ("average_pace_km_per_min", pace(&self.average_pace)),
            ("pace_wide", wide(&self.pace)),
            ("average_pace_wide", wide(&self.average_pace)),
            ("energy_kcal", self.energy_kcal.map(f64::from)),
            (
                "energy_per_hour_kcal",
                self.energy_per_hour_kcal.map(f64::from),
            ),
            (
                "energy_per_minute_kcal",
                self.energy_per_minute_kcal.map(f64::from),
            ),
            ("heart_rate_bpm", self.heart_rate_bpm.map(f64::from)),
            ("metabolic_equivalent", self.metabolic_equivalent),
            ("elapsed_s", self.elapsed_s.map(f64::from)),
            ("remaining_s", self.remaining_s.map(f64::from)),
            ("force_n", self.force_n.map(f64::from)),
            ("power_w", self.power_w.map(f64::from)),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
    }
}

/// A pace field, in the form the machine sent it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// A uint8 of 0.1 km per minute, as FTMS 1.0 defines it.
    KmPerMinute(f64),
    /// A uint16, as the current GATT Specification Supplement defines
    /// the field; kept as sent, since treadcue reads the belt's speed.
    Wide(u16),
}

/// Flags of Treadmill Data: bit 0 set means "more data", and the
/// instantaneous speed is left out; every other bit announces its field.
mod flag {
    pub const MORE_DATA: u16 = 1 << 0;
    pub const AVERAGE_SPEED: u16 = 1 << 1;
    pub const DISTANCE: u16 = 1 << 2;
    pub const INCLINATION: u16 = 1 << 3;
    pub const ELEVATION: u16 = 1 << 4;
    pub const PACE: u16 = 1 << 5;
    pub const AVERAGE_PACE: u16 = 1 << 6;
    pub const ENERGY: u16 = 1 << 7;
    pub const HEART_RATE: u16 = 1 << 8;
    pub const METABOLIC: u16 = 1 << 9;
    pub const ELAPSED: u16 = 1 << 10;
    pub const REMAINING: u16 = 1 << 11;
    pub const FORCE_POWER: u16 = 1 << 12;
    /// Every bit the layout defines.
    pub const KNOWN: u16 = (1 << 13) - 1;
}

/// Bytes each field takes with uint8 paces, by flag, in order.
const WIDTHS: [(u16, usize); 12] = [
    (flag::AVERAGE_SPEED, 2),
    (flag::DISTANCE, 3),
    (flag::INCLINATION, 4),
    (flag::ELEVATION, 4),
    (flag::PACE, 1),
    (flag::AVERAGE_PACE, 1),
    (flag::ENERGY, 5),
    (flag::HEART_RATE, 1),
    (flag::METABOLIC, 1),
    (flag::ELAPSED, 2),
    (flag::REMAINING, 2),
    (flag::FORCE_POWER, 4),
];

/// Decodes a Treadmill Data value. A value shorter or longer than its
/// flags say, or a speed or incline no treadmill runs at, is an error.
/// Reserved flag bits that a machine sets (a CITYSPORTS walking pad sends
/// `84 24`: bit 13, with three bytes) do not cost the fields before
/// their bytes.
pub fn treadmill_data(bytes: &[u8]) -> Result<TreadmillData, DecodeError> {
    let mut r = Reader::new("Treadmill Data", bytes);
    let flags = r.u16()?;
    let has = |bit: u16| flags & bit != 0;
    let wide_pace = paces_are_wide(flags, bytes.len());
    let mut data = TreadmillData {
        unknown_flags: flags & !flag::KNOWN,
        ..TreadmillData::default()
    };
    if !has(flag::MORE_DATA) {
        data.speed_kmh = speed(r.u16()?)?;
    }
    if has(flag::AVERAGE_SPEED) {
        data.average_speed_kmh = speed(r.u16()?)?;
    }
    if has(flag::DISTANCE) {
        data.distance_m = available_u24(r.u24()?);
    }
    if has(flag::INCLINATION) {
        data.incline_percent = incline(r.i16()?)?;
        data.ramp_angle_degrees = available_i16(r.i16()?).map(|a| f64::from(a) / 10.0);
    }
    if has(flag::ELEVATION) {
        data.elevation_gain_m = tenths(r.u16()?);
        data.elevation_loss_m = tenths(r.u16()?);
    }
    if has(flag::PACE) {
        data.pace = pace(&mut r, wide_pace)?;
    }
    if has(flag::AVERAGE_PACE) {
        data.average_pace = pace(&mut r, wide_pace)?;
    }
    if has(flag::ENERGY) {
        data.energy_kcal = available_u16(r.u16()?);
        data.energy_per_hour_kcal = available_u16(r.u16()?);
        data.energy_per_minute_kcal = available_u8(r.u8()?);
    }
    read_body(&mut r, flags, &mut data)?;
    if data.unknown_flags == 0 {
        r.finish()?;
    }
    Ok(data)
}

/// The fields after the energy: heart rate to force and power.
fn read_body(r: &mut Reader<'_>, flags: u16, data: &mut TreadmillData) -> Result<(), DecodeError> {
    let has = |bit: u16| flags & bit != 0;
    if has(flag::HEART_RATE) {
        data.heart_rate_bpm = available_u8(r.u8()?);
    }
    if has(flag::METABOLIC) {
        data.metabolic_equivalent = available_u8(r.u8()?).map(|m| f64::from(m) / 10.0);
    }
    if has(flag::ELAPSED) {
        data.elapsed_s = available_u16(r.u16()?);
    }
    if has(flag::REMAINING) {
        data.remaining_s = available_u16(r.u16()?);
    }
    if has(flag::FORCE_POWER) {
        data.force_n = available_i16(r.i16()?);
        data.power_w = available_i16(r.i16()?);
    }
    Ok(())
}

/// Whether the paces are uint16: only when the value's length says so,
/// and no reserved bit leaves its length open.
fn paces_are_wide(flags: u16, length: usize) -> bool {
    let paces = usize::from(flags & flag::PACE != 0) + usize::from(flags & flag::AVERAGE_PACE != 0);
    if paces == 0 || flags & !flag::KNOWN != 0 {
        return false;
    }
    let speed = if flags & flag::MORE_DATA == 0 { 2 } else { 0 };
    let narrow = 2
        + speed
        + WIDTHS
            .iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|(_, width)| width)
            .sum::<usize>();
    length == narrow + paces
}

fn pace(r: &mut Reader<'_>, wide: bool) -> Result<Option<Pace>, DecodeError> {
    Ok(if wide {
        available_u16(r.u16()?).map(Pace::Wide)
    } else {
        available_u8(r.u8()?).map(|p| Pace::KmPerMinute(f64::from(p) / 10.0))
    })
}

fn available_u8(raw: u8) -> Option<u8> {
    (raw != u8::MAX).then_some(raw)
}

fn available_u16(raw: u16) -> Option<u16> {
    (raw != u16::MAX).then_some(raw)
}

fn available_u24(raw: u32) -> Option<u32> {
    (raw != 0xFF_FFFF).then_some(raw)
}

fn available_i16(raw: i16) -> Option<i16> {
    (raw != i16::MAX).then_some(raw)
}

fn tenths(raw: u16) -> Option<f64> {
    available_u16(raw).map(|v| f64::from(v) / 10.0)
}

/// A speed field (0.01 km/h), if a belt can run at it.
pub(super) fn speed(raw: u16) -> Result<Option<f64>, DecodeError> {
    let Some(raw) = available_u16(raw) else {
        return Ok(None);
    };
    let kmh = f64::from(raw) / 100.0;
    if kmh > MAX_BELT_KMH {
        return Err(DecodeError::Absurd {
            what: "belt speed",
            value: format!("{kmh} km/h"),
        });
    }
    Ok(Some(kmh))
}

/// An inclination field (0.1 %), if a treadmill can tilt so.
pub(super) fn incline(raw: i16) -> Result<Option<f64>, DecodeError> {
    let Some(raw) = available_i16(raw) else {
        return Ok(None);
    };
    let percent = f64::from(raw) / 10.0;
    if percent.abs() > MAX_INCLINE_PERCENT {
        return Err(DecodeError::Absurd {
            what: "incline",
            value: format!("{percent} %"),
        });
    }
    Ok(Some(percent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_alone_when_more_data_is_clear() {
        // Flags 0, speed 5.00 km/h.
        let data = treadmill_data(&[0x00, 0x00, 0xf4, 0x01]).unwrap();
        assert_eq!(data.speed_kmh, Some(5.0));
        assert_eq!(data.distance_m, None);
    }

    #[test]
    fn a_speed_no_belt_runs_at_is_refused() {
        // 300.00 km/h.
        let err = treadmill_data(&[0x00, 0x00, 0x30, 0x75]).unwrap_err();
        assert!(matches!(err, DecodeError::Absurd { .. }), "{err}");
    }

    #[test]
    fn wide_paces_are_told_apart_by_the_length() {
        // Flags: pace, elapsed. Speed 3.00, pace 0x0190 (2 bytes), 60 s.
        let wide = [0x20, 0x04, 0x2c, 0x01, 0x90, 0x01, 0x3c, 0x00];
        let data = treadmill_data(&wide).unwrap();
        assert_eq!(data.pace, Some(Pace::Wide(400)));
        assert_eq!(data.elapsed_s, Some(60));
        // The same with a one-byte pace of 0.5 km/min.
        let narrow = [0x20, 0x04, 0x2c, 0x01, 0x05, 0x3c, 0x00];
        let data = treadmill_data(&narrow).unwrap();
        assert_eq!(data.pace, Some(Pace::KmPerMinute(0.5)));
        assert_eq!(data.elapsed_s, Some(60));
    }
}
