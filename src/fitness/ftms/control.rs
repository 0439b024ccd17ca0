//! The Fitness Machine Control Point (0x2AD9): what treadcue asks of the
//! treadmill, and how the treadmill answers (§4.16).

use super::MAX_BELT_KMH;
use super::MAX_INCLINE_PERCENT;
use crate::fitness::{DecodeError, Reader};

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

    /// An "Operation Failed" to this request means the belt is already
    /// where it was asked to go: §4.16.2.22 has a machine that is already
    /// started answer a Start so, and one already stopped a Stop or Pause.
    pub fn failed_means_done(self) -> bool {
        matches!(
            self,
            Request::StartOrResume | Request::Stop | Request::Pause
        )
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
