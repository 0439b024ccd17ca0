//! `treadcued render`: a whole session into a WAV file, faster than real
//! time, with a timeline of what starts where.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;

use super::fail;
use super::sound_args::{FileSoundArgs, ProgramFolders, load_and_prepare};
use crate::audio::pcm::WavFile;
use crate::audio::render::render_into;
use crate::config::Config;

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A program name (built-in or in --programs) or a program file.
    #[arg(value_name = "PROGRAM")]
    pub program: String,
    /// The WAV file to write.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Also write the timeline of cues as JSON.
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Sample rate of the file.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    pub rate: u32,
    #[command(flatten)]
    pub sound: FileSoundArgs,
    #[command(flatten)]
    pub programs: ProgramFolders,
}

pub fn run(args: &RenderArgs, config: &Config) -> ExitCode {
    let (program, plan, bank) = match load_and_prepare(config, &args.program, args.rate) {
        Ok(prepared) => prepared,
        Err((code, e)) => return fail(code, e),
    };
    super::sound_args::warn_about(config, &program, &plan);
    let plan = Arc::new(plan);
    let started = Instant::now();
    let mut file = match WavFile::create(&args.output, args.rate) {
        Ok(file) => file,
        Err(e) => return fail(1, e),
    };
    // Streamed to the file: a session of hours takes one block of memory.
    let timeline = render_into(
        plan.clone(),
        bank.sounds_for(&plan),
        config.sound.volume,
        |block| file.write(block),
    )
    .and_then(|timeline| file.finish().map(|()| timeline));
    let timeline = match timeline {
        Ok(timeline) => timeline,
        Err(e) => return fail(1, e),
    };
    let took = started.elapsed();
    if let Some(path) = &args.timeline {
        let json = serde_json::to_string_pretty(&timeline).expect("a timeline serializes");
        if let Err(e) = std::fs::write(path, json) {
            return fail(1, format!("cannot write {}: {e}", path.display()));
        }
    }
    let seconds = plan.seconds(plan.end);
    println!(
        "{}: {:.1} s of audio, {} cues, rendered in {:.3} s ({:.0}x real time) to {}",
        plan.program_id,
        seconds,
        timeline.cues.len(),
        took.as_secs_f64(),
        seconds / took.as_secs_f64().max(1e-9),
        args.output.display()
    );
    ExitCode::SUCCESS
}
