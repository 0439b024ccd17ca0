//! `treadcued` with no command: the daemon on D-Bus.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Args, ValueEnum};

use super::fail;
use super::sound_args::SoundArgs;
use crate::audio::player::Player;
use crate::catalog::Catalog;
use crate::cue_settings::CueSettings;
use crate::daemon::{Controller, ControllerParts, DaemonOptions, Reload, serve};
use crate::dbus::Bus;
use crate::dbus::mpris::HeadphonePause;
use crate::phrasebook::Phrasebook;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PauseButton {
    /// A headphone's Pause pauses the session.
    Pause,
    /// A headphone's Pause is ignored (earbuds that pause when taken out).
    Ignore,
}

#[derive(Debug, Clone, Args)]
pub struct DaemonArgs {
    /// Serve on the system bus instead of the session bus.
    #[arg(long, conflicts_with = "bus_address")]
    pub system: bool,
    /// Serve on the bus at this address instead of the session bus.
    #[arg(long, value_name = "ADDRESS")]
    pub bus_address: Option<String>,
    /// What a headphone's (MPRIS) Pause does.
    #[arg(long, value_enum, default_value_t = PauseButton::Pause)]
    pub headphone_pause: PauseButton,
    /// A phrasebook to speak from instead of the built-in English one;
    /// Reload re-reads it.
    #[arg(long, value_name = "FILE")]
    pub phrasebook: Option<PathBuf>,
    #[command(flatten)]
    pub sound: SoundArgs,
}

impl DaemonArgs {
    fn bus(&self) -> Bus {
        match (&self.bus_address, self.system) {
            (Some(address), _) => Bus::Address(address.clone()),
            (None, true) => Bus::System,
            (None, false) => Bus::Session,
        }
    }
}

fn load_phrasebook(path: Option<&PathBuf>) -> Result<Phrasebook, String> {
    let Some(path) = path else {
        return Ok(Phrasebook::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Phrasebook::parse(&path.display().to_string(), &text).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

pub fn run(args: &DaemonArgs, catalog: Catalog) -> ExitCode {
    let phrases = match load_phrasebook(args.phrasebook.as_ref()) {
        Ok(book) => book,
        Err(e) => return fail(super::EXIT_INVALID, e),
    };
    let voice = match args.sound.build_voice() {
        Ok(voice) => voice,
        Err(e) => return fail(super::EXIT_INVALID, e),
    };
    let options = args.sound.player_options();
    let rate = options.output.rate;
    let (player, news) = Player::new(options);
    let controller = Arc::new(Controller::new(ControllerParts {
        catalog,
        cues: CueSettings::default(),
        phrases,
        voice,
        tones: args.sound.tones.clone(),
        player,
        rate,
    }));
    let reload = reload_phrasebook(args.phrasebook.clone(), controller.clone());
    let daemon = DaemonOptions {
        bus: args.bus(),
        headphone_pause: match args.headphone_pause {
            PauseButton::Pause => HeadphonePause::Pause,
            PauseButton::Ignore => HeadphonePause::Ignore,
        },
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(1, format!("cannot start: {e}")),
    };
    let served = runtime.block_on(async {
        let hangups = hangup_signals();
        serve(controller, news, daemon, reload, shutdown_signal(), hangups).await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, e),
    }
}

/// Re-reads the phrasebook file; a broken one is refused and the one in
/// force stays.
fn reload_phrasebook(path: Option<PathBuf>, controller: Arc<Controller>) -> Reload {
    let lock = Arc::new(Mutex::new(()));
    Arc::new(move || {
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        let book = load_phrasebook(path.as_ref())?;
        controller.set_phrasebook(book);
        Ok(())
    })
}

/// A message for each SIGHUP, which asks for a reload. Without one, SIGHUP
/// would end the daemon.
fn hangup_signals() -> tokio::sync::mpsc::UnboundedReceiver<()> {
    let (hangups, received) = tokio::sync::mpsc::unbounded_channel();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(mut signals) => {
            tokio::spawn(async move {
                while signals.recv().await.is_some() {
                    if hangups.send(()).is_err() {
                        return;
                    }
                }
            });
        }
        Err(e) => eprintln!("treadcued: SIGHUP will not reload: {e}"),
    }
    received
}

/// Resolves at SIGTERM or SIGINT.
async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
