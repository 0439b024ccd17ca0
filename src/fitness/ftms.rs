//! The Fitness Machine Service (0x1826) as a treadmill speaks it:
//! Treadmill Data (0x2ACD) notifications, the Supported Speed Range
//! (0x2AD4), and the Control Point (0x2AD9) requests and responses.
//! Speeds are km/h, inclines percent, as the service sends them.

use super::{DecodeError, Reader};

/// The fastest belt a home treadmill runs, in km/h, with room: anything
/// above is a garbled value, not a speed.
pub const MAX_BELT_KMH: f64 = 40.0;
/// The steepest incline or decline, in percent, likewise.
pub const MAX_INCLINE_PERCENT: f64 = 40.0;

/// One Treadmill Data notification: the fields its flags announced.
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
    pub elevation_gain_m: Option<(f64, f64)>,
    /// km per minute.
    pub pace_km_per_min: Option<f64>,
    pub average_pace_km_per_min: Option<f64>,
    /// Total kcal, kcal per hour, kcal per minute.
    pub energy: Option<(u16, u16, u8)>,
    pub heart_rate_bpm: Option<u8>,
    pub metabolic_equivalent: Option<f64>,
    pub elapsed_s: Option<u16>,
    pub remaining_s: Option<u16>,
    /// Force on the belt (newtons) and power output (watts).
    pub force_and_power: Option<(i16, i16)>,
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
}

/// Decodes a Treadmill Data value. A value shorter or longer than its
/// flags say, or a speed or incline no treadmill runs at, is an error.
pub fn treadmill_data(bytes: &[u8]) -> Result<TreadmillData, DecodeError> {
    let mut r = Reader::new("Treadmill Data", bytes);
    let flags = r.u16()?;
    let has = |bit: u16| flags & bit != 0;
    let mut data = TreadmillData::default();
    if !has(flag::MORE_DATA) {
        data.speed_kmh = Some(speed(r.u16()?)?);
    }
    if has(flag::AVERAGE_SPEED) {
        data.average_speed_kmh = Some(speed(r.u16()?)?);
    }
    if has(flag::DISTANCE) {
        data.distance_m = Some(r.u24()?);
    }
    if has(flag::INCLINATION) {
        data.incline_percent = Some(incline(r.i16()?)?);
        data.ramp_angle_degrees = Some(f64::from(r.i16()?) / 10.0);
    }
    if has(flag::ELEVATION) {
        data.elevation_gain_m = Some((f64::from(r.u16()?) / 10.0, f64::from(r.u16()?) / 10.0));
    }
    if has(flag::PACE) {
        data.pace_km_per_min = Some(f64::from(r.u8()?) / 10.0);
    }
    if has(flag::AVERAGE_PACE) {
        data.average_pace_km_per_min = Some(f64::from(r.u8()?) / 10.0);
    }
    if has(flag::ENERGY) {
        data.energy = Some((r.u16()?, r.u16()?, r.u8()?));
    }
    if has(flag::HEART_RATE) {
        data.heart_rate_bpm = Some(r.u8()?);
    }
    if has(flag::METABOLIC) {
        data.metabolic_equivalent = Some(f64::from(r.u8()?) / 10.0);
    }
    if has(flag::ELAPSED) {
        data.elapsed_s = Some(r.u16()?);
    }
    if has(flag::REMAINING) {
        data.remaining_s = Some(r.u16()?);
    }
    if has(flag::FORCE_POWER) {
        data.force_and_power = Some((r.i16()?, r.i16()?));
    }
    r.finish()?;
    Ok(data)
}

/// A speed field (0.01 km/h), if a belt can run at it.
fn speed(raw: u16) -> Result<f64, DecodeError> {
    let kmh = f64::from(raw) / 100.0;
    if kmh > MAX_BELT_KMH {
        return Err(DecodeError::Absurd {
            what: "belt speed",
            value: format!("{kmh} km/h"),
        });
    }
    Ok(kmh)
}

/// An inclination field (0.1 %), if a treadmill can tilt so.
fn incline(raw: i16) -> Result<f64, DecodeError> {
    let percent = f64::from(raw) / 10.0;
    if percent.abs() > MAX_INCLINE_PERCENT {
        return Err(DecodeError::Absurd {
            what: "incline",
            value: format!("{percent} %"),
        });
    }
    Ok(percent)
}

/// The Supported Speed Range: slowest, fastest and the smallest step, km/h.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedRange {
    pub min_kmh: f64,
    pub max_kmh: f64,
    pub step_kmh: f64,
}

pub fn speed_range(bytes: &[u8]) -> Result<SpeedRange, DecodeError> {
    let mut r = Reader::new("Supported Speed Range", bytes);
    let range = SpeedRange {
        min_kmh: f64::from(r.u16()?) / 100.0,
        max_kmh: speed(r.u16()?)?,
        step_kmh: f64::from(r.u16()?) / 100.0,
    };
    r.finish()?;
    if range.min_kmh > range.max_kmh {
        return Err(DecodeError::Absurd {
            what: "speed range",
            value: format!("{} to {} km/h", range.min_kmh, range.max_kmh),
        });
    }
    Ok(range)
}

/// What treadcue asks of the treadmill through the Control Point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Request {
    RequestControl,
    Reset,
    /// km/h, sent to 0.01.
    SetSpeed(f64),
    /// Percent, sent to 0.1.
    SetIncline(f64),
    StartOrResume,
    Stop,
    Pause,
}

impl Request {
    pub fn opcode(self) -> u8 {
        match self {
            Request::RequestControl => 0x00,
            Request::Reset => 0x01,
            Request::SetSpeed(_) => 0x02,
            Request::SetIncline(_) => 0x03,
            Request::StartOrResume => 0x07,
            Request::Stop | Request::Pause => 0x08,
        }
    }

    /// The bytes to write to the Control Point. Speeds and inclines are
    /// clamped to what the fields can carry.
    pub fn encode(self) -> Vec<u8> {
        let mut out = vec![self.opcode()];
        match self {
            Request::SetSpeed(kmh) => {
                let raw = (kmh.clamp(0.0, MAX_BELT_KMH) * 100.0).round() as u16;
                out.extend_from_slice(&raw.to_le_bytes());
            }
            Request::SetIncline(percent) => {
                let clamped = percent.clamp(-MAX_INCLINE_PERCENT, MAX_INCLINE_PERCENT);
                out.extend_from_slice(&((clamped * 10.0).round() as i16).to_le_bytes());
            }
            Request::Stop => out.push(0x01),
            Request::Pause => out.push(0x02),
            _ => {}
        }
        out
    }
}

/// How the treadmill answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    NotSupported,
    InvalidParameter,
    Failed,
    ControlNotPermitted,
    Other(u8),
}

/// A Control Point indication: the request it answers (its opcode) and
/// the outcome.
pub fn response(bytes: &[u8]) -> Result<(u8, Outcome), DecodeError> {
    let mut r = Reader::new("Control Point response", bytes);
    let code = r.u8()?;
    if code != 0x80 {
        return Err(DecodeError::Unexpected(format!(
            "Control Point response starts with 0x{code:02x}, not 0x80"
        )));
    }
    let request = r.u8()?;
    let outcome = match r.u8()? {
        0x01 => Outcome::Success,
        0x02 => Outcome::NotSupported,
        0x03 => Outcome::InvalidParameter,
        0x04 => Outcome::Failed,
        0x05 => Outcome::ControlNotPermitted,
        other => Outcome::Other(other),
    };
    // Some requests answer with parameters after the result; they are
    // not needed.
    Ok((request, outcome))
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
}
