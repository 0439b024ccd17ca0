//! Which treadmill and strap treadcue uses, and what it may ask of the
//! treadmill: the settings, the devices kept with `use`, and the belt's
//! target while treadcue has control of it.

use super::{Change, Controller};
use crate::fitness::ftms::SpeedRange;
use crate::program::Direction;
use crate::program::KM_PER_MILE;
use crate::session::{PauseReason, State};

/// The fastest backward belt treadcue ever asks for (the safety rules'
/// cap), in km/h.
const BACKWARD_CAP_KMH: f64 = 3.5 * KM_PER_MILE;

/// What a treadmill under treadcue's control should do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BeltTarget {
    /// Run at this speed (km/h) and incline (percent).
    Run { kmh: f64, incline: f64 },
    /// The walker paused: the belt pauses too.
    Pause,
    /// The session is over: the belt stops.
    Stop,
}

/// The two kinds of device treadcue reads over Bluetooth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensor {
    Treadmill,
    Heart,
}

impl Sensor {
    pub fn as_str(self) -> &'static str {
        match self {
            Sensor::Treadmill => "treadmill",
            Sensor::Heart => "heart",
        }
    }
}

/// How the coach uses the treadmill and the strap; a reload may change it.
#[derive(Debug, Clone, PartialEq)]
pub struct FitnessSettings {
    pub treadmill: Option<String>,
    pub heart: Option<String>,
    /// How far off the step's speed the belt may run before a nudge.
    pub margin_kmh: f64,
    /// treadcue may set the belt's speed and incline.
    pub control: bool,
    /// The heart rate is said at each halfway cue.
    pub heart_speak: bool,
    /// A clinician's limit, in beats per minute.
    pub heart_max: Option<u16>,
}

impl Default for FitnessSettings {
    fn default() -> Self {
        FitnessSettings {
            treadmill: None,
            heart: None,
            margin_kmh: 0.3 * KM_PER_MILE,
            control: false,
            heart_speak: false,
            heart_max: None,
        }
    }
}

impl Controller {
    /// The machine's settings, with the active walker's own heart-rate
    /// limit over the machine's.
    pub fn fitness_settings(&self) -> FitnessSettings {
        let mut settings = self.setup().fitness.clone();
        settings.heart_max = self.walker_heart_max().or(settings.heart_max);
        settings
    }

    /// The address of the device to use: the one kept with `use`, else
    /// the config's.
    fn kept_devices(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, String>> {
        crate::sync::lock(&self.kept_devices)
    }

    pub fn sensor_address(&self, sensor: Sensor) -> Option<String> {
        let kept = self.kept_devices().get(sensor.as_str()).cloned();
        let settings = self.fitness_settings();
        kept.or(match sensor {
            Sensor::Treadmill => settings.treadmill,
            Sensor::Heart => settings.heart,
        })
    }

    /// Keeps the device to use from now on (an empty address goes back
    /// to the config's); the next connection uses it.
    pub fn keep_sensor(&self, sensor: Sensor, address: &str) -> Result<(), super::ControlError> {
        let address = match address.trim() {
            "" => String::new(),
            text => crate::bluetooth::checked_address(text)
                .map_err(super::ControlError::InvalidArgument)?,
        };
        {
            let mut kept = self.kept_devices();
            let mut devices = kept.clone();
            match address.as_str() {
                "" => devices.remove(sensor.as_str()),
                _ => devices.insert(sensor.as_str().to_string(), address.clone()),
            };
            self.state
                .save_devices(&devices)
                .map_err(super::ControlError::Storage)?;
            *kept = devices;
        }
        tracing::info!(
            "{}: now {}",
            sensor.as_str(),
            if address.is_empty() {
                "the config's"
            } else {
                &address
            }
        );
        self.notify(Change::Fitness);
        Ok(())
    }

    /// Whether treadcue wants its Bluetooth devices now: while a session
    /// is loaded.
    pub fn wants_sensors(&self) -> bool {
        self.state().is_active()
    }

    pub fn speed_range(&self, range: SpeedRange) {
        tracing::info!(
            "treadmill: belt runs {} to {} km/h in steps of {}",
            range.min_kmh,
            range.max_kmh,
            range.step_kmh
        );
        self.core().fitness.range = Some(range);
    }

    /// What the belt should do now: the step's speed and incline while
    /// running (or the speed the walker chose for the step at the
    /// console); the speed of the turn ahead (and the incline as it is)
    /// while held before it, so the belt slows before the walker turns;
    /// never faster than the backward cap on a backward step.
    pub fn belt_target(&self) -> BeltTarget {
        let core = self.core();
        let Some(id) = core.active() else {
            return BeltTarget::Stop;
        };
        let held = core.session.pause_reason() == PauseReason::Belt;
        let chosen = core.fitness.walker_speed;
        let target = self.player.with_sequencer(id, |s| {
            let plan = s.plan();
            let step = plan.steps.get(s.step())?;
            // Held before a turn, and through the fresh countdown once
            // the belt let it go, the belt keeps the turn's speed: it
            // never speeds up again just before the walker turns.
            let turn = s
                .gate()
                .filter(|_| held)
                .or_else(|| s.gate_passed().filter(|&t| t == s.step() + 1));
            let speed_of = turn.and_then(|t| plan.steps.get(t)).unwrap_or(step);
            let mut kmh = match chosen {
                // The walker's own speed for this step stands.
                Some((at, kmh)) if at == s.step() && turn.is_none() => kmh,
                _ => plan.units.to_kmh(speed_of.speed),
            };
            if speed_of.direction == Direction::Backward {
                kmh = kmh.min(BACKWARD_CAP_KMH);
            }
            Some(BeltTarget::Run {
                kmh,
                incline: step.incline,
            })
        });
        match (core.session.state(), target.flatten()) {
            (State::Paused, _) if !held => BeltTarget::Pause,
            (_, Some(run)) => run,
            _ => BeltTarget::Stop,
        }
    }

    /// Whether treadcue may send the treadmill commands now: asked for,
    /// and not refused yet this session.
    pub fn control_allowed(&self) -> bool {
        self.fitness_settings().control && !self.core().fitness.control_dropped
    }

    /// The treadmill refused a command or did not answer: said once, and
    /// no command is sent again this session.
    pub fn control_refused(&self, why: &str) {
        tracing::warn!("treadmill control dropped for this session: {why}");
        let first = {
            let mut core = self.core();
            !std::mem::replace(&mut core.fitness.control_dropped, true)
        };
        if first {
            let text = self.setup().phrases.coach.control_refused.fill(&[]);
            self.say_coach(&text);
        }
    }
}
