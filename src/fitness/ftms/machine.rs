//! What the treadmill can do and what it says happened: the Fitness
//! Machine Feature (0x2ACC, §4.3), the Supported Speed Range (0x2AD4)
//! and Supported Inclination Range (0x2AD5), and the Fitness Machine
//! Status (0x2ADA, §4.17).

use super::{incline, speed};
use crate::fitness::{DecodeError, Reader};

/// The Fitness Machine Feature: what the machine measures and which
/// targets it takes. Most walking pads set no incline target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// Fitness Machine Features (§4.3.1.1).
    pub machine: u32,
    /// Target Setting Features (§4.3.1.2).
    pub targets: u32,
}

impl Features {
    pub fn sets_speed(&self) -> bool {
        self.targets & 1 != 0
    }

    pub fn sets_incline(&self) -> bool {
        self.targets & (1 << 1) != 0
    }
}

pub fn features(bytes: &[u8]) -> Result<Features, DecodeError> {
    let mut r = Reader::new("Fitness Machine Feature", bytes);
    let features = Features {
        machine: r.u32()?,
        targets: r.u32()?,
    };
    // Bytes beyond the two fields would be a later version's: not ours.
    Ok(features)
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
    let absent = || DecodeError::Unexpected("Supported Speed Range: no speed given".into());
    let range = SpeedRange {
        min_kmh: f64::from(r.u16()?) / 100.0,
        max_kmh: speed(r.u16()?)?.ok_or_else(absent)?,
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

/// The Supported Inclination Range: lowest, highest and the smallest
/// step, percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InclineRange {
    pub min_percent: f64,
    pub max_percent: f64,
    pub step_percent: f64,
}

impl InclineRange {
    /// The nearest incline the machine can take, on its steps.
    pub fn fit(&self, percent: f64) -> f64 {
        let clamped = percent.clamp(self.min_percent, self.max_percent);
        if self.step_percent <= 0.0 {
            return clamped;
        }
        let steps = ((clamped - self.min_percent) / self.step_percent).round();
        (self.min_percent + steps * self.step_percent).clamp(self.min_percent, self.max_percent)
    }
}

pub fn incline_range(bytes: &[u8]) -> Result<InclineRange, DecodeError> {
    let mut r = Reader::new("Supported Inclination Range", bytes);
    let absent = || DecodeError::Unexpected("Supported Inclination Range: no incline given".into());
    let range = InclineRange {
        min_percent: incline(r.i16()?)?.ok_or_else(absent)?,
        max_percent: incline(r.i16()?)?.ok_or_else(absent)?,
        step_percent: f64::from(r.u16()?) / 10.0,
    };
    r.finish()?;
    if range.min_percent > range.max_percent {
        return Err(DecodeError::Absurd {
            what: "incline range",
            value: format!("{} to {} %", range.min_percent, range.max_percent),
        });
    }
    Ok(range)
}

/// Stopped or only paused, as the machine's status says (Table 4.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOrPause {
    Stop,
    Pause,
}

/// A Fitness Machine Status notification (Table 4.26). The machine sends
/// what its own console, its safety key or another app changed; what a
/// client changed through the Control Point goes to the other clients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MachineStatus {
    Reset,
    /// The walker stopped or paused the belt at the console.
    StoppedByUser(StopOrPause),
    /// The safety key was pulled.
    StoppedBySafetyKey,
    StartedByUser,
    /// km/h.
    TargetSpeedChanged(f64),
    /// Percent.
    TargetInclineChanged(f64),
    /// Another client took control, or the walker revoked it.
    ControlPermissionLost,
    /// A status treadcue has no use for, by its op code.
    Other(u8),
}

pub fn machine_status(bytes: &[u8]) -> Result<MachineStatus, DecodeError> {
    let mut r = Reader::new("Fitness Machine Status", bytes);
    let status = match r.u8()? {
        0x01 => MachineStatus::Reset,
        // Sent without its parameter by some machines; 0x01 and values
        // reserved for later alike: the belt stands.
        0x02 if r.is_empty() => MachineStatus::StoppedByUser(StopOrPause::Stop),
        0x02 => MachineStatus::StoppedByUser(match r.u8()? {
            0x02 => StopOrPause::Pause,
            _ => StopOrPause::Stop,
        }),
        0x03 => MachineStatus::StoppedBySafetyKey,
        0x04 => MachineStatus::StartedByUser,
        0x05 => {
            let absent = || DecodeError::Unexpected("Target Speed Changed: no speed".into());
            MachineStatus::TargetSpeedChanged(speed(r.u16()?)?.ok_or_else(absent)?)
        }
        0x06 => {
            let absent = || DecodeError::Unexpected("Target Incline Changed: no incline".into());
            MachineStatus::TargetInclineChanged(incline(r.i16()?)?.ok_or_else(absent)?)
        }
        0xFF => MachineStatus::ControlPermissionLost,
        // Its parameters, if any, are left unread.
        other => return Ok(MachineStatus::Other(other)),
    };
    r.finish()?;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incline_is_fitted_to_the_machines_steps() {
        let range = InclineRange {
            min_percent: 0.0,
            max_percent: 12.0,
            step_percent: 0.5,
        };
        assert_eq!(range.fit(2.2), 2.0);
        assert_eq!(range.fit(2.3), 2.5);
        assert_eq!(range.fit(15.0), 12.0);
        assert_eq!(range.fit(-3.0), 0.0);
    }
}
