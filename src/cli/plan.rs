//! `treadcued plan`: show when every cue of a program will sound.

use std::process::ExitCode;

use clap::Args;

use super::EXIT_INVALID;
use crate::config::Config;
use crate::plan::{Estimates, compile, render_table};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A program name (built-in or in --programs) or a program file.
    #[arg(value_name = "PROGRAM")]
    pub program: String,
    /// Print the plan as JSON, with cue times in samples.
    #[arg(long)]
    pub json: bool,
    /// Sample rate the cue times are counted in.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    pub sample_rate: u32,
}

pub fn run(args: &PlanArgs, config: &Config) -> ExitCode {
    let phrases = match config.phrasebook() {
        Ok(phrases) => phrases,
        Err(e) => return super::fail(EXIT_INVALID, e),
    };
    let program = match config.catalog().load_arg(&args.program) {
        Ok(program) => program,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let plan = compile(
        &program,
        &config.cues,
        &phrases,
        &Estimates,
        args.sample_rate,
    );
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
    }
    ExitCode::SUCCESS
}
