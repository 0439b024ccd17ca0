//! `treadcued plan`: show when every cue of a program will sound.

use std::process::ExitCode;

use clap::Args;

use super::EXIT_INVALID;
use super::sound_args::{prepare, warn_about};
use crate::config::Config;
use crate::plan::render_table;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A program name (built-in or in --programs) or a program file; or a
    /// course's name or file.
    #[arg(value_name = "PROGRAM")]
    pub program: String,
    /// Print the plan as JSON, with cue times in samples.
    #[arg(long)]
    pub json: bool,
    /// Sample rate the cue times are counted in.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    pub sample_rate: u32,
    #[command(flatten)]
    pub programs: super::sound_args::ProgramFolders,
}

pub fn run(args: &PlanArgs, config: &Config) -> ExitCode {
    if super::course::is_course(&args.program, config) {
        return match super::course::plan(&args.program, config) {
            true => ExitCode::SUCCESS,
            false => ExitCode::from(EXIT_INVALID),
        };
    }
    let program = match config.catalog().load_arg(&args.program) {
        Ok(program) => program,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    // The phrases' real lengths, from the voice that will say them: the
    // plan shown is the plan played.
    let voice = match config.build_voice() {
        Ok(voice) => voice,
        Err(e) => return super::fail(EXIT_INVALID, e),
    };
    let plan = match prepare(config, &program, voice.as_ref(), args.sample_rate) {
        Ok((plan, _)) => plan,
        Err(e) => return super::fail(1, e),
    };
    warn_about(config, &program, &plan);
    if args.json {
        match serde_json::to_string_pretty(&plan) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("cannot write the plan as JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", render_table(&plan));
        println!();
        for line in super::spoken_by::spoken_by(voice.as_ref(), &plan) {
            println!("{line}");
        }
    }
    ExitCode::SUCCESS
}
