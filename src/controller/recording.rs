//! The session's record, second by second, for export: what was walked,
//! how fast, how far, the heart rate and the incline, and where the
//! session paused. Samples wait in memory and go to the disk with the
//! checkpoint that counts them (see `keeping`), so a session brought
//! back from a checkpoint has exactly the samples of the time it kept.

use std::time::{Duration, Instant, SystemTime};

use super::{Controller, Core};
use crate::audio::sequencer::{PlayState, Snapshot};
use crate::plan::Plan;
use crate::program::Direction;
use crate::session::micros;
use crate::store::records::{Mark, Sample};

/// A sample a second while walking; a step change or a pause takes one
/// at once.
pub(super) const RECORD_EVERY: Duration = Duration::from_secs(1);
/// Samples closer than this on the same step are one too many: the
/// timer and a checkpoint can come together.
const CLOSEST: Duration = Duration::from_millis(900);
/// Samples kept in memory while the disk refuses them: six hours. Past
/// that the oldest waiting go, so a failing disk never costs memory
/// without end.
const MOST_WAITING: usize = 6 * 3600;
/// Seconds the clock must have moved for a second sample on one step.
const CLOCK_MOVED: f64 = 0.05;

/// The running session's record: what waits for the disk, and how many
/// samples are there already.
#[derive(Debug, Default)]
pub(super) struct Recording {
    /// The session (its start in microseconds) these samples are of.
    session: Option<i64>,
    pending: Vec<Sample>,
    /// Samples on the disk.
    kept: u64,
    last: Option<Sample>,
    /// The speed of the last sample's step, km/h: the program's distance
    /// runs on at it until the next sample.
    last_step_kmh: f64,
    last_taken: Option<Instant>,
    /// The session ended: nothing more is taken for it.
    ended: bool,
    /// Writing the samples failed and was told: said once a session.
    pub(super) failure_told: bool,
}

/// Samples to write for a session: its id, the samples, and how many
/// the file holds once they are written.
pub(super) struct ToWrite {
    pub session: i64,
    pub samples: Vec<Sample>,
    pub kept_after: u64,
    /// An earlier write for this session failed and was told.
    pub failure_told: bool,
    /// Whose records folder they go to.
    pub walker: Option<u32>,
}

/// Where the session stands at one moment, as the record takes it.
struct Moment {
    session: i64,
    at_ms: u32,
    running: bool,
    step: u16,
    backward: bool,
    walked: f64,
    walked_backward: f64,
    step_kmh: f64,
    step_incline: f64,
    belt_kmh: Option<f64>,
    belt_metres: Option<f64>,
    heart_rate: Option<u8>,
    incline: Option<f64>,
}

impl Recording {
    /// The record of a session brought back: the samples its checkpoint
    /// counted are on the disk; the last of them is where it goes on.
    pub(super) fn resumed(session: i64, kept: &[Sample], plan: &Plan) -> Recording {
        // The timer stopped at the last moment kept: the crash came
        // after it, at a time nothing knows.
        let last = kept.last().map(|s| Sample {
            mark: Mark::Pause,
            ..*s
        });
        let pending = last.filter(|_| kept.last().is_some_and(|k| k.mark != Mark::Pause));
        Recording {
            session: Some(session),
            kept: kept.len() as u64,
            last_step_kmh: last
                .and_then(|s| plan.steps.get(usize::from(s.step)))
                .map_or(0.0, |s| plan.units.to_kmh(s.speed)),
            // It comes back paused: a resume marks where walking goes on.
            last,
            pending: pending.into_iter().collect(),
            ..Recording::default()
        }
    }

    fn take(&mut self, m: &Moment, now: Instant) {
        if self.session != Some(m.session) {
            *self = Recording {
                session: Some(m.session),
                ..Recording::default()
            };
        }
        if self.last.is_none() && m.walked <= 0.0 {
            // The briefing before the clock starts is not walked: the
            // record (and its timer) starts with the walking.
            return;
        }
        let paused = self.last.is_some_and(|s| s.mark == Mark::Pause);
        let mark = match (m.running, paused) {
            (false, true) => return,
            // Paused before a step was walked: nothing to mark.
            (false, false) if self.last.is_none() => return,
            (false, false) => Mark::Pause,
            (true, true) => Mark::Resume,
            (true, false) => Mark::Walking,
        };
        let same_step = self.last.is_some_and(|s| s.step == m.step);
        let too_soon = self.last_taken.is_some_and(|t| now - t < CLOSEST);
        // The clock holds while a step is announced after a skip or a
        // resume: those seconds are not walked, and not recorded.
        let clock_held = self
            .last
            .is_some_and(|s| m.walked - f64::from(s.walked) < CLOCK_MOVED);
        if self.ended || (mark == Mark::Walking && same_step && (too_soon || clock_held)) {
            return;
        }
        // The first sample comes up to a second into the walking, all of
        // it on this step.
        let program_metres = self.last.map_or(m.walked * m.step_kmh / 3.6, |last| {
            last.program_metres_at(m.walked, self.last_step_kmh)
        });
        let sample = Sample {
            mark,
            at_ms: m.at_ms,
            step: m.step,
            backward: m.backward,
            walked: m.walked as f32,
            walked_backward: m.walked_backward as f32,
            program_metres: program_metres as f32,
            belt_metres: m.belt_metres.map(|d| d as f32),
            speed_kmh: m.belt_kmh.unwrap_or(m.step_kmh) as f32,
            speed_from_belt: m.belt_kmh.is_some(),
            heart_rate: m.heart_rate,
            incline: Some(m.incline.unwrap_or(m.step_incline) as f32),
        };
        if self.pending.len() >= MOST_WAITING {
            self.pending.remove(0);
        }
        self.pending.push(sample);
        self.last = Some(sample);
        self.last_step_kmh = m.step_kmh;
        self.last_taken = Some(now);
    }

    /// What waits for the disk, counted as kept: the caller writes it
    /// (or gives it back with [`Recording::unwritten`]).
    fn drain(&mut self) -> Option<ToWrite> {
        let session = self.session?;
        let samples = std::mem::take(&mut self.pending);
        self.kept += samples.len() as u64;
        Some(ToWrite {
            session,
            samples,
            kept_after: self.kept,
            failure_told: self.failure_told,
            walker: None,
        })
    }

    /// Samples that could not be written wait for the next try.
    pub(super) fn unwritten(&mut self, write: ToWrite) {
        if self.session != Some(write.session) {
            return;
        }
        self.kept -= write.samples.len() as u64;
        let mut samples = write.samples;
        samples.append(&mut self.pending);
        self.pending = samples;
    }

    /// Metres by the program's speeds, as of the last sample.
    pub(super) fn program_metres(&self) -> Option<f64> {
        self.last.map(|s| f64::from(s.program_metres))
    }
}

impl Controller {
    /// Takes a sample of the session at `snapshot` of its sequencer (if
    /// one is due) and hands back what waits for the disk: the caller
    /// writes it with the checkpoint or the history entry made from the
    /// same snapshot. `end` closes the record: the session has ended,
    /// and nothing more is taken for it.
    pub(super) fn take_record(
        &self,
        core: &mut Core,
        snapshot: Option<&Snapshot>,
        end: bool,
    ) -> Option<ToWrite> {
        if let Some(moment) = snapshot.and_then(|s| moment(core, s)) {
            core.recording.take(&moment, Instant::now());
        }
        if end {
            core.recording.ended = true;
        }
        let walker = core.session.counting().walker.as_ref().map(|w| w.id);
        core.recording
            .drain()
            .map(|record| ToWrite { walker, ..record })
    }

    /// The timer's sample: taken, written with the next checkpoint.
    pub(super) fn record_second(&self) {
        let mut core = self.core();
        let Some(id) = core.playing else { return };
        let snapshot = self.player.with_sequencer(id, |s| s.snapshot());
        if let Some(moment) = snapshot.and_then(|s| moment(&core, &s)) {
            core.recording.take(&moment, Instant::now());
        }
    }
}

/// Where the session stands at `snapshot`, as the record takes it.
fn moment(core: &Core, snapshot: &Snapshot) -> Option<Moment> {
    let session = &core.session;
    let plan = session.plan()?;
    let step_index = snapshot.step.min(plan.steps.len().checked_sub(1)?);
    let step = &plan.steps[step_index];
    let started = session.started_at();
    let at = SystemTime::now()
        .duration_since(started)
        .unwrap_or_default();
    let f = &core.fitness;
    Some(Moment {
        session: micros(started),
        at_ms: u32::try_from(at.as_millis()).unwrap_or(u32::MAX),
        running: snapshot.state == PlayState::Playing,
        step: u16::try_from(step_index).unwrap_or(u16::MAX),
        backward: step.direction == Direction::Backward,
        walked: plan.seconds(snapshot.walked[0] + snapshot.walked[1]),
        walked_backward: plan.seconds(snapshot.walked[1]),
        step_kmh: plan.units.to_kmh(step.speed),
        step_incline: step.incline,
        belt_kmh: f.belt(),
        belt_metres: f.distance_now(),
        heart_rate: u8::try_from(f.heart_rate()).ok().filter(|bpm| *bpm > 0),
        incline: f.incline_now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moment(running: bool, step: u16, walked: f64) -> Moment {
        Moment {
            session: 1,
            at_ms: (walked * 1000.0) as u32,
            running,
            step,
            backward: step == 1,
            walked,
            walked_backward: 0.0,
            step_kmh: 3.6,
            step_incline: 0.0,
            belt_kmh: None,
            belt_metres: None,
            heart_rate: None,
            incline: None,
        }
    }

    #[test]
    fn a_second_apart_on_one_step_and_at_once_on_a_new_one() {
        let t = Instant::now();
        let mut r = Recording::default();
        r.take(&moment(true, 0, 0.0), t);
        assert!(r.pending.is_empty(), "the briefing is not walked");
        r.take(&moment(true, 0, 0.1), t);
        let first = r.program_metres().unwrap();
        assert!(
            (first - 0.1).abs() < 1e-6,
            "a metre a second from the start: {first}"
        );
        r.take(&moment(true, 0, 0.5), t + Duration::from_millis(500));
        r.take(&moment(true, 1, 0.6), t + Duration::from_millis(600));
        r.take(&moment(true, 1, 1.6), t + Duration::from_millis(1600));
        r.take(&moment(true, 1, 1.6), t + Duration::from_millis(2600));
        let walked: Vec<f32> = r.pending.iter().map(|s| s.walked).collect();
        assert_eq!(walked, [0.1, 0.6, 1.6]);
        // 3.6 km/h is a metre a second.
        let metres = r.program_metres().unwrap();
        assert!((metres - 1.6).abs() < 1e-5, "{metres}");
    }

    #[test]
    fn a_pause_is_marked_once_and_the_resume_after_it() {
        let t = Instant::now();
        let mut r = Recording::default();
        r.take(&moment(false, 0, 0.0), t);
        assert!(r.pending.is_empty(), "paused before walking: no mark");
        r.take(&moment(true, 0, 0.1), t);
        for s in 1..4 {
            r.take(&moment(false, 0, 1.0), t + Duration::from_secs(s));
        }
        r.take(&moment(true, 0, 1.0), t + Duration::from_secs(5));
        let marks: Vec<Mark> = r.pending.iter().map(|s| s.mark).collect();
        assert_eq!(marks, [Mark::Walking, Mark::Pause, Mark::Resume]);
        let write = r.drain().unwrap();
        assert_eq!((write.kept_after, write.samples.len()), (3, 3));
        r.unwritten(write);
        assert_eq!((r.kept, r.pending.len()), (0, 3));
    }
}
