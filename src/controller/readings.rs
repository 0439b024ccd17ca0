//! What the treadmill and the heart-rate strap report, taken in by the
//! controller like any other news: the BlueZ front end hands over each
//! decoded reading, and the controller alone decides what it means for
//! the session: the turn gate, a nudge, a heart-rate warning, the
//! distance and heart rate the history records.

use std::time::Instant;

use super::sensors::FitnessSettings;
use super::sensors::Sensor;
use super::{Change, Controller, Core};
use crate::fitness::FitnessStatus;
use crate::fitness::coach::{BeltNudge, Distance, HeartWatch, Measured};
use crate::fitness::ftms::{SpeedRange, TreadmillData};
use crate::fitness::heart_rate::Measurement;
use crate::plan::Plan;
use crate::program::{Direction, Units};
use crate::session::{PauseReason, State};

/// A belt this close above the step's speed counts as there: a machine
/// rounds its reading to 0.01 km/h and its own steps are coarser.
const AT_SPEED: f64 = 0.05;

/// The readings and what the coach made of them, under the controller's
/// one lock with the session they are about.
#[derive(Debug, Default)]
pub(super) struct Fitness {
    /// The treadmill is connected.
    treadmill: bool,
    belt_kmh: Option<f64>,
    incline: Option<f64>,
    pub(super) range: Option<SpeedRange>,
    heart: bool,
    bpm: Option<u16>,
    distance: Distance,
    nudge: BeltNudge,
    heart_watch: HeartWatch,
    /// Control was refused this session: never tried again in it.
    pub(super) control_dropped: bool,
    /// The walker was told to slow the belt for the hold now.
    turn_told: bool,
    /// A speed the walker chose at the console, and for which step: the
    /// coach neither nudges against it nor sets the belt back.
    pub(super) walker_speed: Option<(usize, f64)>,
    /// What was said once this session: the incline is the walker's to
    /// set; a device is held by another program.
    pub(super) told_incline: bool,
    pub(super) told_held: [bool; 2],
    /// The heart rate comes from the treadmill's grips (no strap chosen).
    grips: bool,
    /// The last Treadmill Data, and how many came this session.
    pub(super) last_reading: Option<TreadmillData>,
    pub(super) readings: u64,
}

impl Fitness {
    /// A new session measures from nothing.
    pub(super) fn new_session(&mut self) {
        self.distance = Distance::default();
        self.nudge = BeltNudge::default();
        self.heart_watch = HeartWatch::default();
        self.control_dropped = false;
        self.turn_told = false;
        self.walker_speed = None;
        self.told_incline = false;
        self.told_held = [false; 2];
    }

    pub(super) fn status(&self, units: Option<Units>) -> FitnessStatus {
        // With no session (no units) the belt is told in mph.
        let units = units.unwrap_or(Units::Mph);
        let in_units = |kmh: f64| (units.from_kmh(kmh) * 100.0).round() / 100.0;
        FitnessStatus {
            treadmill_connected: self.treadmill,
            belt_speed: self
                .belt_kmh
                .filter(|_| self.treadmill)
                .map_or(0.0, in_units),
            belt_incline: self.incline.filter(|_| self.treadmill).unwrap_or(0.0),
            belt_distance: self.distance.metres().round(),
            heart_rate: self.heart_rate(),
        }
    }

    pub(super) fn measured(&self, heart_max: Option<u16>) -> Measured {
        let (average, max, above) = self.heart_watch.measured(heart_max);
        Measured {
            distance_m: self.distance.measured(),
            heart_rate_average: average,
            heart_rate_max: max,
            minutes_above_limit: above,
        }
    }

    /// Beats per minute from a connected strap, or the grips of a
    /// connected treadmill when no strap is chosen; 0 with none.
    pub(super) fn heart_rate(&self) -> u32 {
        let source = self.heart || (self.grips && self.treadmill);
        self.bpm.filter(|_| source).map_or(0, u32::from)
    }

    /// The belt's speed in km/h, when a connected treadmill sent one.
    pub(super) fn belt(&self) -> Option<f64> {
        self.belt_kmh.filter(|_| self.treadmill)
    }

    /// The incline in percent, when a connected treadmill sent one.
    pub(super) fn incline_now(&self) -> Option<f64> {
        self.incline.filter(|_| self.treadmill)
    }

    /// Metres the belt ran this session, when a treadmill counted any.
    pub(super) fn distance_now(&self) -> Option<f64> {
        self.distance.measured().map(|_| self.distance.metres())
    }
}

/// The step after `step`, if going into it turns the walker around.
fn turn_after(plan: &Plan, step: usize) -> Option<usize> {
    let (now, next) = (plan.steps.get(step)?, plan.steps.get(step + 1)?);
    (now.direction != Direction::Backward && next.direction == Direction::Backward)
        .then_some(step + 1)
}

impl Controller {
    /// A connected device sent nothing for a while: its last reading is
    /// forgotten (the properties show none), so neither the status nor
    /// the coach goes on believing it. A gate armed stays armed: a belt
    /// of unknown speed never lets a turn go by itself.
    pub fn sensor_silent(&self, sensor: Sensor) {
        tracing::info!("{}: no reading for a while", sensor.as_str());
        {
            let mut core = self.core();
            let f = &mut core.fitness;
            match sensor {
                Sensor::Treadmill => (f.belt_kmh, f.incline) = (None, None),
                Sensor::Heart => {
                    f.bpm = None;
                    f.heart_watch.lost();
                }
            }
        }
        self.notify(Change::Fitness);
    }

    /// A device connected or went away. Going away mid-session is said
    /// once; the session goes on.
    pub fn sensor_connected(&self, sensor: Sensor, connected: bool) {
        let told = {
            let mut core = self.core();
            let f = &mut core.fitness;
            let was = match sensor {
                Sensor::Treadmill => std::mem::replace(&mut f.treadmill, connected),
                Sensor::Heart => std::mem::replace(&mut f.heart, connected),
            };
            if sensor == Sensor::Heart && !connected {
                f.heart_watch.lost();
            }
            if sensor == Sensor::Treadmill && !connected {
                self.with_active(&core, |s| s.set_gate(None));
            }
            let lost = was && !connected && core.session.is_active();
            lost.then(|| self.lost_notice(&core, sensor))
        };
        tracing::info!(
            "{}: {}",
            sensor.as_str(),
            if connected {
                "connected"
            } else {
                "disconnected"
            }
        );
        self.notify(Change::Fitness);
        if let Some(text) = told {
            self.say_coach(&text);
        }
    }

    fn lost_notice(&self, core: &Core, sensor: Sensor) -> String {
        let texts = &self.setup().phrases.coach;
        let held = core.session.pause_reason() == PauseReason::Belt;
        match (sensor, held) {
            (Sensor::Treadmill, true) => texts.treadmill_lost_at_turn.fill(&[]),
            (Sensor::Treadmill, false) => texts.treadmill_lost.fill(&[]),
            (Sensor::Heart, _) => texts.strap_lost.fill(&[]),
        }
    }

    /// A Treadmill Data reading: the gate, the nudge and the distance;
    /// the heart rate of its grips when no strap is chosen.
    pub fn treadmill_reading(&self, data: &TreadmillData) {
        let settings = self.fitness_settings();
        let grips = self.sensor_address(Sensor::Heart).is_none();
        let (said, ended) = {
            let mut core = self.core();
            let running = core.session.state() == State::Running;
            let f = &mut core.fitness;
            f.last_reading = Some(data.clone());
            f.readings += 1;
            f.grips = grips;
            if let Some(kmh) = data.speed_kmh {
                f.belt_kmh = Some(kmh);
            }
            if let Some(incline) = data.incline_percent {
                f.incline = Some(incline);
            }
            f.distance
                .observe(Instant::now(), data.distance_m, data.speed_kmh, running);
            let ended = self.watch_turn(&mut core);
            (self.nudge(&mut core, &settings), ended)
        };
        if let Some(ending) = ended {
            let _ = self.end(ending);
        }
        match data.heart_rate_bpm {
            // 0 while no hand is on the grips: no rate to believe.
            Some(0) if grips => self.core().fitness.bpm = None,
            Some(bpm) if grips => self.heart_rate_now(u16::from(bpm)),
            _ => {}
        }
        self.notify(Change::Fitness);
        if let Some(text) = said {
            self.say_coach(&text);
        }
    }

    /// Arms the gate before a turn the belt is too fast for, and lets a
    /// held session go once the belt is slow enough.
    fn watch_turn(&self, core: &mut Core) -> Option<super::Ending> {
        let belt = core.fitness.belt()?;
        let id = core.active()?;
        let snapshot = self.player.with_sequencer(id, |s| {
            let plan = s.plan().clone();
            let (gate, held) = (s.gate(), s.snapshot().held_at_gate);
            let turn = gate
                .filter(|_| held)
                .or_else(|| turn_after(&plan, s.step()));
            let slow_enough =
                turn.is_none_or(|t| belt <= plan.units.to_kmh(plan.steps[t].speed) + AT_SPEED);
            if held && slow_enough {
                s.release_gate();
            } else if !held {
                s.set_gate(turn.filter(|_| !slow_enough));
            }
            s.snapshot()
        })?;
        if !snapshot.held_at_gate {
            core.fitness.turn_told = false;
        }
        self.settle(core, &snapshot)
    }

    /// The nudge's words, when the belt has run off the step's speed
    /// long enough.
    fn nudge(&self, core: &mut Core, settings: &FitnessSettings) -> Option<String> {
        let belt = core.fitness.belt()?;
        let plan = core.session.plan()?.clone();
        let step = plan.steps.get(core.session.step())?;
        let chosen = core
            .fitness
            .walker_speed
            .is_some_and(|(s, _)| s == core.session.step());
        if core.session.state() != State::Running || chosen {
            core.fitness.nudge.restart();
            return None;
        }
        let wanted = plan.units.to_kmh(step.speed);
        let off = core
            .fitness
            .nudge
            .observe(Instant::now(), wanted, belt, settings.margin_kmh);
        let phrases = &self.setup().phrases;
        off.then(|| {
            phrases.coach.nudge.fill(&[
                ("belt", &phrases.words.decimal(plan.units.from_kmh(belt))),
                ("speed", &phrases.words.decimal(step.speed)),
            ])
        })
    }

    /// What the walker hears when the gate holds: slow the belt, then
    /// turn. Said once a hold.
    pub(super) fn turn_notice(&self, core: &mut Core) -> Option<String> {
        let id = core.active()?;
        let (held, speed) = self.player.with_sequencer(id, |s| {
            let speed = s
                .gate()
                .and_then(|t| s.plan().steps.get(t))
                .map(|t| t.speed);
            (s.snapshot().held_at_gate, speed)
        })?;
        if !held || core.fitness.turn_told {
            return None;
        }
        core.fitness.turn_told = true;
        let phrases = &self.setup().phrases;
        Some(
            phrases
                .coach
                .turn
                .fill(&[("speed", &phrases.words.decimal(speed?))]),
        )
    }

    /// A Heart Rate Measurement: the property, the limit's warning and
    /// the session's figures. A strap off the skin is not believed.
    pub fn heart_reading(&self, measurement: &Measurement) {
        if measurement.contact == Some(false) {
            tracing::debug!(
                "heart rate {} ignored: the strap is not on the skin",
                measurement.bpm
            );
            return;
        }
        self.heart_rate_now(measurement.bpm);
        self.notify(Change::Fitness);
    }

    /// A heart rate to believe, from the strap or the grips: the
    /// property, the limit's warning and the session's figures.
    fn heart_rate_now(&self, bpm: u16) {
        let settings = self.fitness_settings();
        let warn = {
            let mut core = self.core();
            let running = core.session.state() == State::Running;
            let f = &mut core.fitness;
            f.bpm = Some(bpm);
            f.heart_watch
                .observe(Instant::now(), bpm, settings.heart_max, running)
        };
        if warn {
            let phrases = &self.setup().phrases;
            let bpm = phrases.words.number(u64::from(bpm));
            self.say_coach(&phrases.coach.heart_high.fill(&[("bpm", &bpm)]));
        }
    }

    /// The last Treadmill Data of this connection, field by field, with
    /// `readings`: how many came this session.
    pub fn treadmill_reading_now(&self) -> Vec<(&'static str, f64)> {
        let core = self.core();
        let f = &core.fitness;
        let mut fields = f
            .last_reading
            .as_ref()
            .filter(|_| f.treadmill)
            .map(TreadmillData::fields)
            .unwrap_or_default();
        fields.push(("readings", f.readings as f64));
        fields
    }

    /// Says the heart rate now; an error when no strap sends one.
    pub fn say_heart_rate(&self) -> Result<(), super::ControlError> {
        let text = self.heart_rate_words().ok_or_else(|| {
            super::ControlError::InvalidState(
                "no heart rate: no strap is connected, or it sent nothing to trust yet".into(),
            )
        })?;
        self.say_between_cues(&text)
    }

    /// "Heart rate one hundred twenty.", when there is one.
    pub(super) fn heart_rate_words(&self) -> Option<String> {
        let bpm = self.core().fitness.heart_rate();
        let phrases = &self.setup().phrases;
        (bpm > 0).then(|| {
            let bpm = phrases.words.number(u64::from(bpm));
            phrases.coach.heart_rate.fill(&[("bpm", &bpm)])
        })
    }

    fn with_active<T>(
        &self,
        core: &Core,
        f: impl FnOnce(&mut crate::audio::sequencer::Sequencer) -> T,
    ) -> Option<T> {
        let id = core.active()?;
        self.player.with_sequencer(id, f)
    }

    /// Says the coach's words between cues, logging them (and why not).
    pub fn say_coach(&self, text: &str) {
        tracing::info!("coach: {text}");
        if let Err(e) = self.say_between_cues(text) {
            tracing::warn!("cannot say {text:?}: {e}");
        }
    }
}
