//! The `treadcued` command line: arguments parsed once into typed commands,
//! each run by its own module.

mod check;
mod course;
mod daemon;
mod devices;
mod import;
mod interrupt;
mod plan;
mod play;
mod render;
mod say;
mod sound_args;
mod spoken_by;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Flags, Loader};

#[derive(Debug, Parser)]
#[command(
    name = "treadcued",
    version,
    about = "Spoken coaching for backward walking on a treadmill",
    long_about = "Spoken coaching for backward walking on a treadmill.\n\nWith no command, treadcued is the daemon: it serves io.github.treadcue.Treadcue1 and MPRIS (org.mpris.MediaPlayer2.treadcue) on D-Bus."
)]
pub struct Args {
    /// The config file, read alone; default: /etc/treadcue/config.toml,
    /// then $XDG_CONFIG_HOME/treadcue/config.toml over it key by key,
    /// those of them that exist.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Print the effective configuration (the files read, named at its
    /// top, with the flags over them) and exit.
    #[arg(long)]
    pub print_config: bool,

    /// Extra folder of program files; programs there override built-in ones
    /// of the same name. May be given more than once (the commands that
    /// read programs take it after their name too).
    #[arg(long = "programs", value_name = "DIR")]
    pub program_folders: Vec<PathBuf>,

    /// Extra folder of course files; courses there override built-in ones
    /// of the same name. May be given more than once.
    #[arg(long = "courses", value_name = "DIR", global = true)]
    pub course_folders: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub daemon: daemon::DaemonArgs,

    #[command(flatten)]
    pub zwo: crate::config::zwo::ZwoSettings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate program and course files: print errors and safety
    /// warnings. Exits 0 when all are valid, 1 when any has an error.
    Check(check::CheckArgs),
    /// Print a program's timeline of cues, or a course's sessions with
    /// their dates if begun today.
    Plan(plan::PlanArgs),
    /// Render a whole session to a WAV file, with a timeline of its cues.
    Render(render::RenderArgs),
    /// Play a program through the audio device, in the foreground.
    Run(play::RunArgs),
    /// List the audio output devices.
    Devices(devices::DevicesArgs),
    /// List the voices treadcue can speak with.
    Voices(devices::VoicesArgs),
    /// Speak a phrase with the chosen voice.
    Say(say::SayArgs),
    /// Write a Zwift run workout (.zwo) as a treadcue program, to edit
    /// and keep.
    Import(import::ImportArgs),
}

/// Exit status for a run that found errors in its input.
pub const EXIT_INVALID: u8 = 1;

impl Args {
    /// How the configuration is read for this command: the file, with
    /// the flags this command took over it.
    fn loader(&self) -> Loader {
        let sound = match &self.command {
            None => Some(self.daemon.sound.clone()),
            Some(Command::Run(args)) => Some(args.sound.clone()),
            Some(Command::Render(args)) => Some(args.sound.to_sound_args()),
            Some(Command::Say(args)) => Some(args.sound.clone()),
            Some(_) => None,
        };
        let sound = sound.unwrap_or_default();
        let mut program_folders = self.program_folders.clone();
        program_folders.extend(match &self.command {
            Some(Command::Check(args)) => args.programs.folders.clone(),
            Some(Command::Plan(args)) => args.programs.folders.clone(),
            Some(Command::Render(args)) => args.programs.folders.clone(),
            Some(Command::Run(args)) => args.programs.folders.clone(),
            _ => Vec::new(),
        });
        Loader {
            explicit: self.config.clone(),
            flags: Flags {
                sound: sound.sound,
                voice: sound.voice,
                daemon: self.daemon.settings.clone(),
                program_folders,
                course_folders: self.course_folders.clone(),
                web: self.daemon.web.clone(),
                ducking: sound.ducking,
                bluetooth: self.daemon.bluetooth.clone(),
                treadmill: self.daemon.treadmill.clone(),
                heart: self.daemon.heart.clone(),
                zwo: self.zwo.clone(),
                mqtt: self.daemon.mqtt.clone(),
            },
            system_file: None,
            user_file: None,
        }
    }
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Args = match crate::process::parse(args) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let loader = args.loader();
    let loaded = match loader.load() {
        Ok(loaded) => loaded,
        Err(e) => return fail(EXIT_INVALID, e),
    };
    crate::logging::init(&loaded.config.daemon.log_level);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    let config = loaded.config;
    if args.print_config {
        print!("{}", config.to_toml());
        return ExitCode::SUCCESS;
    }
    if args.command.is_some() {
        crate::process::exit_quietly_on_broken_pipe();
    }
    match args.command {
        None => daemon::run(loader, config),
        Some(Command::Check(check)) => check::run(&check, &config),
        Some(Command::Plan(plan)) => plan::run(&plan, &config),
        Some(Command::Render(args)) => render::run(&args, &config),
        Some(Command::Run(args)) => play::run(&args, &config),
        Some(Command::Devices(args)) => devices::devices(&args),
        Some(Command::Voices(args)) => devices::voices(&args),
        Some(Command::Say(args)) => say::run(&args, &config),
        Some(Command::Import(args)) => import::run(&args, &config),
    }
}

/// Prints an error the way every command does, and gives the exit status.
pub(crate) fn fail(code: u8, error: impl std::fmt::Display) -> ExitCode {
    eprintln!("treadcued: {error}");
    ExitCode::from(code)
}
