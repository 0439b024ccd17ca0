//! `treadcued import FILE.zwo`: a Zwift run workout written as a treadcue
//! program, to edit (directions, notes) and keep.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{EXIT_INVALID, fail};
use crate::config::Config;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Zwift workout file (.zwo, a run workout).
    #[arg(value_name = "FILE.zwo")]
    pub file: PathBuf,
    /// Where to write the program; default: standard output.
    #[arg(short, long, value_name = "FILE.toml")]
    pub output: Option<PathBuf>,
    /// Steps (from 1, as `plan` numbers them) to walk backward, like 3,5.
    #[arg(long, value_name = "STEP,...", value_delimiter = ',')]
    pub backward: Vec<usize>,
}

pub fn run(args: &ImportArgs, config: &Config) -> ExitCode {
    let name = args.file.display().to_string();
    let text = match crate::files::read_regular_text(
        &args.file,
        crate::program::limits::MAX_FILE_BYTES as u64,
    ) {
        Ok(text) => text,
        Err(e) => return fail(EXIT_INVALID, format!("{name}: cannot read the file: {e}")),
    };
    let mut options = config.zwo.options();
    options.backward = args.backward.clone();
    let imported = match crate::program::zwo::import(&text, &name, &options) {
        Ok(imported) => imported,
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}\n");
            }
            return ExitCode::from(EXIT_INVALID);
        }
    };
    for note in &imported.notes {
        eprintln!("{note}\n");
    }
    // What was written must be a program treadcue takes as it is.
    let id = args
        .file
        .file_stem()
        .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    if let Err(errors) = crate::program::parse(&id, &name, imported.toml.as_bytes()) {
        for error in &errors {
            eprintln!("{error}\n");
        }
        return ExitCode::from(EXIT_INVALID);
    }
    match &args.output {
        None => print!("{}", imported.toml),
        Some(path) => {
            if let Err(e) = write_new(path, &imported.toml) {
                return fail(1, format!("{}: {e}", path.display()));
            }
            eprintln!("wrote {}", path.display());
        }
    }
    ExitCode::SUCCESS
}

/// Writes `text` to `path` whole, or not at all.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    crate::files::write_atomically(path, text.as_bytes())
}
