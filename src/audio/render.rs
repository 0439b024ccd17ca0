//! Offline render: the same sequencer pulled into a WAV file as fast as
//! the machine goes, with a timeline of what starts where. Users preview a
//! program with it; tests assert on it to the sample.

use std::sync::Arc;
use std::sync::mpsc;

use serde::Serialize;

use super::sequencer::{CueSound, Event, PlayState, Sequencer};
use crate::plan::{CueKind, Plan, Tone};

/// One cue as it was played: where it started in the output, and what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// First sample of the cue in the rendered file.
    pub sample: u64,
    pub seconds: f64,
    /// Sample after the cue's last sound.
    pub end_sample: u64,
    pub kind: CueKind,
    /// Index of the step, from 0.
    pub step: usize,
    pub tone: Option<Tone>,
    pub text: Option<String>,
    /// First sample of the words, when the cue has any.
    pub speech_sample: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct Timeline {
    pub program: String,
    pub sample_rate: u32,
    pub samples: u64,
    pub cues: Vec<TimelineEntry>,
}

pub struct Rendered {
    pub samples: Vec<f32>,
    pub timeline: Timeline,
}

/// Block size of the offline pull; the result does not depend on it.
const BLOCK: usize = 4096;

/// Renders the whole session into memory: for tests and short phrases.
pub fn render(plan: Arc<Plan>, sounds: Arc<[CueSound]>, volume: f32) -> Rendered {
    let mut samples = Vec::with_capacity(plan.end as usize);
    let timeline = render_into(plan, sounds, volume, |block| {
        samples.extend_from_slice(block);
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(timeline) = timeline;
    Rendered { samples, timeline }
}

/// Renders the session block by block into `sink`, in memory of one
/// block whatever the session's length: a four-hour program streams to
/// its file. Stops at the sink's first error.
pub fn render_into<E>(
    plan: Arc<Plan>,
    sounds: Arc<[CueSound]>,
    volume: f32,
    mut sink: impl FnMut(&[f32]) -> Result<(), E>,
) -> Result<Timeline, E> {
    let (events, received) = mpsc::channel();
    let mut sequencer = Sequencer::new(plan.clone(), sounds, volume).with_events(events);
    let mut block = vec![0.0; BLOCK];
    let mut cues = Vec::new();
    let mut left = plan.end;
    while left > 0 {
        let length = (left as usize).min(BLOCK);
        sequencer.fill(&mut block[..length]);
        sink(&block[..length])?;
        left -= length as u64;
        // Taken as they come, so the channel never holds a whole session.
        cues.extend(received.try_iter().filter_map(|event| match event {
            Event::CueStarted { cue, at } => Some(entry(&plan, cue, at)),
            _ => None,
        }));
    }
    debug_assert_eq!(sequencer.state(), PlayState::Finished);
    Ok(Timeline {
        program: plan.program_id.clone(),
        sample_rate: plan.sample_rate,
        samples: plan.end,
        cues,
    })
}

fn entry(plan: &Plan, index: usize, at: u64) -> TimelineEntry {
    let cue = &plan.cues[index];
    TimelineEntry {
        sample: at,
        seconds: plan.seconds(at),
        end_sample: at + cue.length,
        kind: cue.kind,
        step: cue.step,
        tone: cue.tone,
        text: cue.text.clone(),
        speech_sample: cue.text.as_ref().map(|_| at + cue.speech_offset),
    }
}
