//! A session as other tools take it: FIT for Garmin Connect, Strava and
//! intervals.icu, TCX for the tools that want that. Both are made from
//! one [`Activity`]: the history's entry (the totals, which every file
//! repeats exactly) and the session's per-second record (the samples,
//! the laps, the pauses).

pub mod fit;
pub mod tcx;

use crate::store::Entry;
use crate::store::records::{Mark, Sample};

/// The file formats a session is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fit,
    Tcx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Tcx => "tcx",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "fit" => Ok(Format::Fit),
            "tcx" => Ok(Format::Tcx),
            other => Err(format!(
                "{other:?} is not a format a session is exported in: fit or tcx"
            )),
        }
    }
}

/// One session, ready to be written out.
#[derive(Debug, Clone)]
pub struct Activity {
    pub entry: Entry,
    pub samples: Vec<Sample>,
    /// The program has a jogging step: the sport is running.
    pub jogs: bool,
}

/// One program step as it was walked: a lap.
#[derive(Debug, Clone, PartialEq)]
pub struct Lap {
    pub step: u16,
    pub backward: bool,
    /// Milliseconds since the session started.
    pub start_ms: u32,
    pub end_ms: u32,
    /// Seconds walked in it (pauses left out).
    pub walked: f64,
    pub walked_backward: f64,
    pub metres: f64,
    pub heart_rate_average: Option<u8>,
    pub heart_rate_max: Option<u8>,
}

impl Activity {
    /// The file in `format`: its name and its bytes.
    pub fn file(&self, format: Format) -> Result<(String, Vec<u8>), String> {
        let bytes = match format {
            Format::Fit => fit::encode(self)?,
            Format::Tcx => tcx::encode(self).into_bytes(),
        };
        Ok((file_name(&self.entry, format.extension()), bytes))
    }

    /// The session's start, in seconds since the Unix epoch.
    pub fn start_unix(&self) -> i64 {
        self.entry.session.div_euclid(1_000_000)
    }

    /// Seconds from the start to the end, pauses included.
    pub fn elapsed(&self) -> f64 {
        let end = self.entry.end_unix();
        let from_samples = self.samples.last().map(|s| f64::from(s.at_ms) / 1000.0);
        let start = self.entry.session as f64 / 1e6;
        end.map(|end| end - start)
            .or(from_samples)
            .unwrap_or(self.entry.walked)
            .max(self.entry.walked)
    }

    /// Whether the treadmill counted the distance; otherwise it comes
    /// from the program's speeds for the time walked.
    pub fn distance_from_treadmill(&self) -> bool {
        self.entry.measured.distance_m.is_some()
    }

    /// The session's distance in metres: the treadmill's, else the
    /// program's.
    pub fn metres(&self) -> f64 {
        self.entry
            .measured
            .distance_m
            .or(self.entry.program_distance_m)
            .or_else(|| self.samples.last().map(|s| f64::from(s.program_metres)))
            .unwrap_or(0.0)
    }

    /// The distance so far at a sample, from the same source as
    /// [`Activity::metres`].
    pub fn metres_at(&self, sample: &Sample) -> f64 {
        if self.distance_from_treadmill() {
            f64::from(sample.belt_metres.unwrap_or(0.0))
        } else {
            f64::from(sample.program_metres)
        }
    }

    /// The timer's starts and stops: (milliseconds since the start,
    /// true for a start). It starts with the first sample (the walking,
    /// after the briefing), stops and starts again at each pause and
    /// resume, and stops at the end.
    pub fn timer(&self) -> Vec<(u32, bool)> {
        let first = self.samples.first().map_or(0, |s| s.at_ms);
        let mut timer = vec![(first, true)];
        timer.extend(self.samples.iter().skip(1).filter_map(|s| match s.mark {
            Mark::Pause => Some((s.at_ms, false)),
            Mark::Resume => Some((s.at_ms, true)),
            Mark::Walking => None,
        }));
        if timer.last().is_some_and(|(_, start)| *start) {
            let end = (self.elapsed() * 1000.0).round() as u32;
            timer.push((end.max(first), false));
        }
        timer
    }

    /// The laps, a step walked each; their times and distances add up to
    /// the entry's totals. A session with no record is one lap.
    pub fn laps(&self) -> Vec<Lap> {
        let mut laps: Vec<Lap> = Vec::new();
        let mut beats: Vec<Vec<u8>> = Vec::new();
        for sample in &self.samples {
            let new_step = laps.last().is_none_or(|l| l.step != sample.step);
            if new_step {
                if let Some(last) = laps.last_mut() {
                    self.close(last, sample);
                }
                laps.push(self.open(sample, laps.last()));
                beats.push(Vec::new());
            }
            if let (Some(bpm), Some(b)) = (sample.heart_rate, beats.last_mut()) {
                b.push(bpm);
            }
        }
        if laps.is_empty() {
            laps.push(self.whole_session());
            beats.push(Vec::new());
        }
        for (lap, beats) in laps.iter_mut().zip(&beats) {
            lap.heart_rate_max = beats.iter().copied().max();
            lap.heart_rate_average = (!beats.is_empty()).then(|| {
                let sum: u32 = beats.iter().map(|b| u32::from(*b)).sum();
                (f64::from(sum) / beats.len() as f64).round() as u8
            });
        }
        self.end_with_totals(&mut laps);
        laps
    }

    fn open(&self, sample: &Sample, before: Option<&Lap>) -> Lap {
        let first = before.is_none();
        Lap {
            step: sample.step,
            backward: sample.backward,
            start_ms: if first { 0 } else { sample.at_ms },
            end_ms: sample.at_ms,
            // Negative until closed: the totals at its start.
            walked: if first {
                0.0
            } else {
                -f64::from(sample.walked)
            },
            walked_backward: if first {
                0.0
            } else {
                -f64::from(sample.walked_backward)
            },
            metres: if first { 0.0 } else { -self.metres_at(sample) },
            heart_rate_average: None,
            heart_rate_max: None,
        }
    }

    fn close(&self, lap: &mut Lap, next: &Sample) {
        lap.end_ms = next.at_ms;
        lap.walked += f64::from(next.walked);
        lap.walked_backward += f64::from(next.walked_backward);
        lap.metres += self.metres_at(next);
    }

    fn whole_session(&self) -> Lap {
        Lap {
            step: 0,
            backward: self.entry.walked_backward > self.entry.walked / 2.0,
            start_ms: 0,
            end_ms: 0,
            walked: 0.0,
            walked_backward: 0.0,
            metres: 0.0,
            heart_rate_average: self.entry.measured.heart_rate_average.map(clamp_u8),
            heart_rate_max: self.entry.measured.heart_rate_max.map(clamp_u8),
        }
    }

    /// The last lap runs to the end and takes what the others left of
    /// the totals, so the laps add up to the entry exactly.
    fn end_with_totals(&self, laps: &mut [Lap]) {
        let before = laps.len() - 1;
        let sum = |f: fn(&Lap) -> f64| laps[..before].iter().map(f).sum::<f64>();
        let (walked, backward, metres) = (
            sum(|l| l.walked),
            sum(|l| l.walked_backward),
            sum(|l| l.metres),
        );
        let elapsed_ms = (self.elapsed() * 1000.0).round() as u32;
        let last = &mut laps[before];
        last.end_ms = elapsed_ms.max(last.start_ms);
        last.walked = (self.entry.walked - walked).max(0.0);
        last.walked_backward = (self.entry.walked_backward - backward).max(0.0);
        last.metres = (self.metres() - metres).max(0.0);
    }

    /// What the file says of itself: the program, the backward time and
    /// where the distance came from.
    pub fn description(&self) -> String {
        let e = &self.entry;
        let source = if self.distance_from_treadmill() {
            "distance from the treadmill"
        } else {
            "distance from the program's speeds (no treadmill connected)"
        };
        format!(
            "{}: {} of {} walked backward; {}. Recorded by treadcue.",
            e.program_name,
            minutes_seconds(e.walked_backward),
            minutes_seconds(e.walked),
            source
        )
    }
}

fn clamp_u8(value: u32) -> u8 {
    value.min(255) as u8
}

/// "12:05".
pub fn minutes_seconds(seconds: f64) -> String {
    let whole = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", whole / 60, whole % 60)
}

/// The file name for a session: its start in UTC and its program, with
/// nothing a file system could take amiss.
pub fn file_name(entry: &Entry, extension: &str) -> String {
    let start: String = entry
        .start
        .chars()
        .map(|c| if c == ':' { '-' } else { c })
        .collect();
    let program: String = entry
        .program
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    format!("{start}-{program}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> Entry {
        serde_json::from_value(serde_json::json!({
            "program": "knee/../x", "program_name": name,
            "start": "2026-12-01T07:00:00Z", "end": "2026-12-01T07:01:40Z",
            "steps_done": 2, "step_count": 2, "completed": true, "outcome": "finished",
            "walked": 90.0, "walked_backward": 40.0, "position": 90.0,
            "program_distance_m": 45.0, "session": 1_796_108_400_000_000_i64,
        }))
        .unwrap()
    }

    fn sample(second: u32, step: u16) -> Sample {
        Sample {
            mark: Mark::Walking,
            at_ms: second * 1000,
            step,
            backward: step == 1,
            walked: second as f32,
            walked_backward: second.saturating_sub(50) as f32,
            program_metres: second as f32 * 0.5,
            belt_metres: None,
            speed_kmh: 1.8,
            speed_from_belt: false,
            heart_rate: Some(100 + step as u8),
            incline: None,
        }
    }

    #[test]
    fn laps_follow_the_steps_and_add_up_to_the_entry() {
        let samples: Vec<Sample> = (1..=89)
            .map(|s| sample(s, if s <= 50 { 0 } else { 1 }))
            .collect();
        let activity = Activity {
            entry: entry("Knee"),
            samples,
            jogs: false,
        };
        let laps = activity.laps();
        assert_eq!(laps.len(), 2);
        assert_eq!((laps[0].step, laps[1].step), (0, 1));
        assert_eq!((laps[0].start_ms, laps[0].end_ms), (0, 51_000));
        assert_eq!(laps[1].end_ms, 100_000, "the last lap runs to the end");
        let walked: f64 = laps.iter().map(|l| l.walked).sum();
        let metres: f64 = laps.iter().map(|l| l.metres).sum();
        let backward: f64 = laps.iter().map(|l| l.walked_backward).sum();
        assert_eq!((walked, metres, backward), (90.0, 45.0, 40.0));
        assert_eq!(laps[1].heart_rate_max, Some(101));
        assert_eq!(activity.timer(), [(1000, true), (100_000, false)]);
        assert!(
            activity
                .description()
                .contains("0:40 of 1:30 walked backward")
        );
        assert!(activity.description().contains("program's speeds"));
    }

    #[test]
    fn a_session_without_a_record_is_one_lap_of_its_totals() {
        let activity = Activity {
            entry: entry("Knee"),
            samples: Vec::new(),
            jogs: true,
        };
        let laps = activity.laps();
        assert_eq!(laps.len(), 1);
        assert_eq!((laps[0].walked, laps[0].metres), (90.0, 45.0));
        let (name, bytes) = activity.file(Format::Fit).unwrap();
        assert_eq!(name, "2026-12-01T07-00-00Z-knee----x.fit");
        assert_eq!(&bytes[8..12], b".FIT");
    }

    #[test]
    fn any_program_name_makes_a_fit_file_and_well_formed_xml() {
        let name = format!("Knee <b> & \"c\" \u{1}{}", "é".repeat(300));
        let activity = Activity {
            entry: entry(&name),
            samples: (1..=5).map(|s| sample(s, 0)).collect(),
            jogs: false,
        };
        assert!(activity.file(Format::Fit).is_ok());
        let (_, tcx) = activity.file(Format::Tcx).unwrap();
        let text = String::from_utf8(tcx).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let notes = doc
            .descendants()
            .rfind(|n| n.has_tag_name("Notes"))
            .unwrap();
        assert!(notes.text().unwrap().starts_with("Knee <b> & \"c\" é"));
    }
}
