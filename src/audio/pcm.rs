//! Mono PCM clips: reading and writing WAV, trimming silence, resampling.

use std::path::Path;
use std::sync::Arc;

/// A mono sound at a known rate, shared cheaply between cues.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    pub rate: u32,
    pub samples: Arc<[f32]>,
}

/// Below this a sample counts as silence when trimming (about -54 dBFS):
/// synthesizers pad phrases with near-digital silence.
const SILENCE: f32 = 0.002;

/// Sample rates a WAV file may have: telephone speech to studio audio.
const MIN_WAV_RATE: u32 = 4_000;
const MAX_WAV_RATE: u32 = 384_000;

/// Refuses a WAV header no real recording has (a rate of 0 or 1 Hz would
/// make resampling divide by zero or allocate gigabytes).
fn check_spec(spec: &hound::WavSpec) -> Result<(), String> {
    if !(MIN_WAV_RATE..=MAX_WAV_RATE).contains(&spec.sample_rate) {
        return Err(format!(
            "the sample rate is {} Hz; treadcue reads {MIN_WAV_RATE} to {MAX_WAV_RATE} Hz",
            spec.sample_rate
        ));
    }
    if !(1..=8).contains(&spec.channels) {
        return Err(format!("{} channels; treadcue reads 1 to 8", spec.channels));
    }
    Ok(())
}

impl Clip {
    pub fn new(rate: u32, samples: Vec<f32>) -> Self {
        Clip {
            rate,
            samples: samples.into(),
        }
    }

    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.rate.max(1)))
    }

    /// Reads a WAV file of any common sample format; channels are mixed
    /// down to mono.
    pub fn read_wav(path: &Path) -> Result<Clip, String> {
        let file = crate::files::open_regular(path)
            .map_err(|e| format!("cannot read WAV {}: {e}", path.display()))?;
        let reader = hound::WavReader::new(std::io::BufReader::new(file))
            .map_err(|e| format!("cannot read WAV {}: {e}", path.display()))?;
        Self::from_wav_reader(reader).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_wav_bytes(bytes: &[u8]) -> Result<Clip, String> {
        let reader = hound::WavReader::new(std::io::Cursor::new(bytes))
            .map_err(|e| format!("not a WAV file: {e}"))?;
        Self::from_wav_reader(reader)
    }

    /// Reads a WAV file of at most `longest`, refusing anything else
    /// (a FIFO, a huge file) before reading it whole.
    pub fn read_short_wav(path: &Path, longest: std::time::Duration) -> Result<Clip, String> {
        // 32-bit stereo at the highest rate accepted, plus the header.
        let limit = (longest.as_secs_f64() * f64::from(MAX_WAV_RATE) * 8.0) as u64 + 4096;
        let bytes = crate::files::read_regular(path, limit)
            .map_err(|e| format!("cannot read WAV {}: {e}", path.display()))?;
        let named = |e: String| format!("{}: {e}", path.display());
        if bytes.len() as u64 > limit {
            return Err(named(format!("longer than {} s", longest.as_secs_f64())));
        }
        let reader = hound::WavReader::new(std::io::Cursor::new(bytes))
            .map_err(|e| named(format!("not a WAV file: {e}")))?;
        let spec = reader.spec();
        check_spec(&spec).map_err(named)?;
        let seconds = f64::from(reader.duration()) / f64::from(spec.sample_rate);
        if seconds > longest.as_secs_f64() {
            return Err(named(format!(
                "lasts {seconds:.1} s, longer than the {} s allowed",
                longest.as_secs_f64()
            )));
        }
        Self::from_wav_reader(reader).map_err(named)
    }

    fn from_wav_reader<R: std::io::Read>(reader: hound::WavReader<R>) -> Result<Clip, String> {
        let spec = reader.spec();
        check_spec(&spec)?;
        let channels = usize::from(spec.channels.max(1));
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader.into_samples::<f32>().collect::<Result<_, _>>(),
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                reader
                    .into_samples::<i32>()
                    .map(|s| s.map(|v| v as f32 * scale))
                    .collect()
            }
        }
        .map_err(|e| format!("broken WAV data: {e}"))?;
        let mono = interleaved
            .chunks(channels)
            .map(|frame| frame.iter().sum::<f32>() / channels as f32)
            .collect();
        Ok(Clip::new(spec.sample_rate, mono))
    }

    /// Writes 16-bit mono WAV, the format every tool reads.
    pub fn write_wav(&self, path: &Path) -> Result<(), String> {
        write_wav(path, self.rate, &self.samples)
    }

    /// The clip without leading and trailing silence, so a cue's words
    /// start at the cue's first sample.
    pub fn trimmed(&self) -> Clip {
        let loud = |s: &f32| s.abs() > SILENCE;
        let start = self.samples.iter().position(loud).unwrap_or(0);
        let end = self.samples.iter().rposition(loud).map_or(start, |i| i + 1);
        Clip::new(self.rate, self.samples[start..end].to_vec())
    }

    /// The clip at another rate, by linear interpolation: speech and tones
    /// are upsampled from 16 or 22.05 kHz, where this is transparent.
    pub fn resampled(&self, rate: u32) -> Clip {
        if rate == self.rate || self.samples.is_empty() {
            return Clip {
                rate,
                samples: self.samples.clone(),
            };
        }
        let ratio = f64::from(self.rate) / f64::from(rate);
        let len = (self.samples.len() as f64 / ratio).round() as usize;
        let last = self.samples.len() - 1;
        let out = (0..len)
            .map(|i| {
                let pos = i as f64 * ratio;
                let index = (pos as usize).min(last);
                let frac = (pos - index as f64) as f32;
                let next = self.samples[(index + 1).min(last)];
                self.samples[index] * (1.0 - frac) + next * frac
            })
            .collect();
        Clip::new(rate, out)
    }

    /// The clip scaled so its loudest sample sits at `peak`.
    pub fn normalized(&self, peak: f32) -> Clip {
        let max = self.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        if max < SILENCE {
            return self.clone();
        }
        let gain = peak / max;
        Clip::new(self.rate, self.samples.iter().map(|s| s * gain).collect())
    }
}

pub fn write_wav(path: &Path, rate: u32, samples: &[f32]) -> Result<(), String> {
    let mut writer = WavFile::create(path, rate)?;
    writer.write(samples)?;
    writer.finish()
}

/// A 16-bit mono WAV file written a block at a time.
pub struct WavFile {
    writer: hound::WavWriter<std::io::BufWriter<std::fs::File>>,
    path: std::path::PathBuf,
}

impl WavFile {
    pub fn create(path: &Path, rate: u32) -> Result<WavFile, String> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(WavFile {
            writer,
            path: path.to_path_buf(),
        })
    }

    pub fn write(&mut self, samples: &[f32]) -> Result<(), String> {
        for s in samples {
            self.writer
                .write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
                .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<(), String> {
        let path = self.path;
        self.writer
            .finalize()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_drops_silence_at_both_ends() {
        let clip = Clip::new(8000, vec![0.0, 0.001, 0.5, -0.3, 0.0, 0.0]);
        assert_eq!(&clip.trimmed().samples[..], &[0.5, -0.3]);
    }

    #[test]
    fn resampling_keeps_duration() {
        let clip = Clip::new(22_050, vec![0.1; 22_050]);
        let up = clip.resampled(48_000);
        assert_eq!(up.samples.len(), 48_000);
        assert!(up.samples.iter().all(|s| (s - 0.1).abs() < 1e-6));
    }

    #[test]
    fn wav_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let clip = Clip::new(16_000, vec![0.0, 0.5, -0.5, 0.25]);
        clip.write_wav(&path).unwrap();
        let back = Clip::read_wav(&path).unwrap();
        assert_eq!(back.rate, 16_000);
        for (a, b) in back.samples.iter().zip(clip.samples.iter()) {
            assert!((a - b).abs() < 1e-4);
        }
    }
}

/// A phrase kept compact for the length of a session: 16-bit at the
/// voice's own rate, read at the output rate by interpolation as it plays.
/// A session's phrases take a quarter of the memory they would as 48 kHz
/// floats.
#[derive(Debug, Clone)]
pub struct Speech {
    samples: Arc<[i16]>,
    /// Source samples per output sample, in 32.32 fixed point, so every
    /// output sample lands on the same place every time.
    step: u64,
    len: usize,
}

impl Speech {
    pub fn new(clip: &Clip, out_rate: u32) -> Speech {
        let samples: Arc<[i16]> = clip
            .samples
            .iter()
            .map(|s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
            .collect();
        let n = samples.len() as u64;
        let len = if n == 0 {
            0
        } else {
            ((n - 1) * u64::from(out_rate) / u64::from(clip.rate.max(1))) as usize + 1
        };
        Speech {
            samples,
            step: (u64::from(clip.rate) << 32) / u64::from(out_rate.max(1)),
            len,
        }
    }

    /// Length in output samples.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Output sample `i`, or silence past the end.
    pub fn sample(&self, i: usize) -> f32 {
        if i >= self.len {
            return 0.0;
        }
        let pos = i as u64 * self.step;
        let index = (pos >> 32) as usize;
        let frac = (pos & 0xffff_ffff) as f32 / 4_294_967_296.0;
        let a = f32::from(self.samples[index]);
        let b = f32::from(self.samples[(index + 1).min(self.samples.len() - 1)]);
        (a + (b - a) * frac) / 32768.0
    }
}

#[cfg(test)]
mod speech_tests {
    use super::*;

    #[test]
    fn speech_plays_at_the_output_rate_without_reading_past_its_end() {
        let clip = Clip::new(
            22_050,
            (0..22_050).map(|i| (i as f32 / 22_050.0) - 0.5).collect(),
        );
        let speech = Speech::new(&clip, 48_000);
        assert_eq!(speech.len(), 47_998);
        assert!((speech.sample(0) + 0.5).abs() < 1e-3);
        assert!((speech.sample(speech.len() - 1) - 0.5).abs() < 1e-3);
        assert_eq!(speech.sample(speech.len()), 0.0);
    }
}
