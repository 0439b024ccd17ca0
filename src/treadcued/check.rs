//! `treadcued check`: validate program files the way a linter does.

use std::process::ExitCode;

use clap::Args;

use super::EXIT_INVALID;
use crate::config::Config;
use crate::program::catalog::{Catalog, LoadError};
use crate::program::{SafetyOptions, clock, safety_warnings};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Program or course files, names of programs or courses (built-in or
    /// in a folder), or folders (every .toml file in them).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Treat safety warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Fastest backward speed, in mph, allowed without a warning.
    #[arg(long, value_name = "MPH", default_value_t = 3.5)]
    pub max_backward_speed: f64,
    #[command(flatten)]
    pub programs: super::sound_args::ProgramFolders,
}

pub fn run(args: &CheckArgs, config: &Config) -> ExitCode {
    let options = SafetyOptions {
        backward_cap_mph: args.max_backward_speed,
        cues: config.cues.clone(),
        ..SafetyOptions::default()
    };
    let catalog = &config.catalog();
    let mut failed = false;
    for file in args.files.iter().flat_map(|f| expand(f)) {
        let ok = if super::course::is_course(&file, config) {
            super::course::check(&file, config)
        } else {
            check_one(&file, args.strict, &options, catalog, config)
        };
        failed |= !ok;
    }
    if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

/// A folder stands for every `.toml` and `.zwo` file in it, in name
/// order; anything else for itself.
fn expand(arg: &str) -> Vec<String> {
    let path = std::path::Path::new(arg);
    if !path.is_dir() {
        return vec![arg.to_string()];
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return vec![arg.to_string()];
    };
    let mut files: Vec<String> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "zwo"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    if files.is_empty() {
        println!("{arg}: no .toml or .zwo files in this folder");
    }
    files
}

/// Prints what is wrong with one program; true when it is usable.
fn check_one(
    file: &str,
    strict: bool,
    options: &SafetyOptions,
    catalog: &Catalog,
    config: &Config,
) -> bool {
    let program = match catalog.load_arg(file) {
        Ok(program) => program,
        Err(LoadError::Invalid(errors)) => {
            for error in &errors {
                println!("{error}\n");
            }
            println!("{file}: {} error(s)", errors.len());
            return false;
        }
        Err(not_found) => {
            println!("{file}: error: {not_found}");
            return false;
        }
    };
    let unsayable = super::sound_args::unsayable_errors(config, &program);
    for error in &unsayable {
        println!("{error}\n");
    }
    if !unsayable.is_empty() {
        println!("{file}: {} error(s)", unsayable.len());
        return false;
    }
    let mut warnings = catalog.import_notes(file);
    warnings.extend(safety_warnings(&program, options));
    warnings.extend(super::sound_args::fit_warnings_of(config, &program));
    for warning in &warnings {
        let shown = if strict {
            warning.clone().as_error()
        } else {
            warning.clone()
        };
        println!("{shown}\n");
    }
    for line in super::sound_args::voice_lines(config, &program) {
        println!("{line}");
    }
    let summary = format!("{} steps, {}", program.steps.len(), clock(program.total()));
    match (warnings.len(), strict) {
        (0, _) => println!("{file}: ok ({summary})"),
        (n, false) => println!("{file}: ok with {n} warning(s) ({summary})"),
        (n, true) => println!("{file}: {n} error(s) under --strict"),
    }
    warnings.is_empty() || !strict
}
