//! The `treadcued` command line: arguments parsed once into typed commands,
//! each run by its own module.

mod check;
mod plan;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "treadcued",
    version,
    about = "Spoken coaching for backward walking on a treadmill"
)]
#[command(subcommand_required = true, arg_required_else_help = true)]
pub struct Args {
    /// Extra folder of program files; programs there override built-in ones
    /// of the same name. May be given more than once.
    #[arg(long = "programs", value_name = "DIR", global = true)]
    pub program_folders: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate program files: print errors and safety warnings.
    /// Exits 0 when all are valid, 1 when any has an error.
    Check(check::CheckArgs),
    /// Print a program's timeline of cues.
    Plan(plan::PlanArgs),
}

/// Exit status for a run that found errors in its input.
pub const EXIT_INVALID: u8 = 1;

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // Help and version go to stdout and succeed; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let catalog = treadcue_catalog(&args);
    match args.command {
        Command::Check(check) => check::run(&check, &catalog),
        Command::Plan(plan) => plan::run(&plan, &catalog),
    }
}

fn treadcue_catalog(args: &Args) -> crate::catalog::Catalog {
    crate::catalog::Catalog::new(args.program_folders.clone())
}
