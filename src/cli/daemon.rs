//! `treadcued` with no command: the daemon on D-Bus.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Args;

use super::fail;
use super::sound_args::SoundArgs;
use crate::audio::player::Player;
use crate::config::settings::{AfterCrash, DaemonSettings};
use crate::config::{Config, Loader};
use crate::daemon::{Controller, ControllerParts, DaemonOptions, Reload, Setup, serve};
use crate::store::StateLock;
use crate::store::lock::LockError;

#[derive(Debug, Clone, Args)]
pub struct DaemonArgs {
    #[command(flatten)]
    pub settings: DaemonSettings,
    #[command(flatten)]
    pub web: crate::config::settings::WebSettings,
    #[command(flatten)]
    pub bluetooth: crate::config::settings::BluetoothSettings,
    #[command(flatten)]
    pub treadmill: crate::config::fitness::TreadmillSettings,
    #[command(flatten)]
    pub heart: crate::config::fitness::HeartSettings,
    #[command(flatten)]
    pub sound: SoundArgs,
}

/// Threads for calls that may block: enough that a slow synthesizer on
/// one Start leaves Stop and Pause answered.
const BLOCKING_THREADS: usize = 8;

/// Exit status when another daemon holds the state folder.
const EXIT_BUSY: u8 = 4;

/// What a reload can change while the daemon runs.
fn setup(config: &Config) -> Result<Setup, String> {
    // Replacement tones are read now: a broken one is refused at the start
    // (or the reload), not when a session needs it.
    crate::audio::bank::Bank::new(config.output_options().rate, config.sound.tones.as_deref())?;
    Ok(Setup {
        catalog: config.catalog(),
        courses: config.course_catalog(),
        cues: config.cues.clone(),
        phrases: config.phrasebook()?,
        voice: config.build_voice()?,
        tones: config.sound.tones.clone(),
        tone_volume: config.sound.tone_volume,
        headphone_pause: config.headphone_pause(),
        fitness: config.fitness_settings(),
    })
}

pub fn run(loader: Loader, config: Config) -> ExitCode {
    crate::controller::limit_heap_arenas();
    let setup = match setup(&config) {
        Ok(setup) => setup,
        Err(e) => return fail(super::EXIT_INVALID, e),
    };
    let bus = match config.bus() {
        Ok(bus) => bus,
        Err(e) => return fail(super::EXIT_INVALID, e),
    };
    // Before anything in the state folder is read or written: a second
    // daemon must leave the first one's session alone.
    let state = config.state_files();
    let _lock = match StateLock::take(&state.dir) {
        Ok(lock) => Some(lock),
        Err(e @ LockError::Held { .. }) => return fail(EXIT_BUSY, e),
        // A folder that cannot even be made holds nothing to protect:
        // run, and report each write that fails.
        Err(e) => {
            tracing::error!("{e}; sessions will not be saved");
            None
        }
    };
    // Music a daemon that died mid-cue left lowered comes back now, not
    // at the next session; a sound server not up yet gets it then.
    let note = state.dir.join(crate::config::DUCKED_NOTE);
    std::thread::spawn(move || {
        if let Err(e) = crate::ducking::restore_left_over(&note) {
            tracing::debug!("lowered streams left over, put back later: {e}");
        }
    });
    let mut options = config.player_options();
    // A volume set at run time outlives a restart, until the config's
    // own volume changes.
    if let Some(volume) = state.saved_volume(f64::from(config.sound.volume)) {
        options.volume = volume as f32;
    }
    let rate = options.output.rate;
    let (player, news) = Player::new(options);
    let controller = Arc::new(Controller::new(ControllerParts {
        setup,
        player,
        rate,
        state,
        config_volume: f64::from(config.sound.volume),
    }));
    // Before READY=1: programs loaded, phrases rendered, and a session
    // cut short brought back.
    let started = std::time::Instant::now();
    let (playable, broken) = controller.warm_up();
    tracing::info!(
        "treadcued {} on {}, device {}, voice {}: {playable} programs ready, {broken} broken, in {:.2} s",
        env!("CARGO_PKG_VERSION"),
        bus.describe(),
        config.sound.device.as_deref().unwrap_or("default"),
        config
            .voice_choice()
            .map_or_else(|e| e, |v| format!("{v:?}")),
        started.elapsed().as_secs_f64()
    );
    recover(&controller, &config);
    controller.refresh_course();
    let course = controller.status().course;
    if !course.id.is_empty() {
        tracing::info!(
            "course {}: session {} of {} next",
            course.id,
            course.session + 1,
            course.sessions
        );
    }
    let reload = reload_config(loader, config.clone(), controller.clone());
    let web = match config.web_listen() {
        Ok(web) => web,
        Err(e) => return fail(super::EXIT_INVALID, e),
    };
    let pairing = Arc::new(crate::pairing::Pairing::load(
        controller.state_files().dir.join("web-devices.json"),
    ));
    let daemon = DaemonOptions {
        bus,
        web,
        web_hosts: config.web.hosts.clone(),
        pairing,
        bluetooth_buttons: config.bluetooth.buttons,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Calls that prepare programs or write the history run on these;
        // a burst of clients queues rather than growing a thread (and a
        // heap arena) per caller.
        .max_blocking_threads(BLOCKING_THREADS)
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

/// A session left behind by a crash, a kill or a power cut comes back
/// paused, or goes to the history, as the config says.
fn recover(controller: &Controller, config: &Config) {
    controller.take_spilled();
    let checkpoint = match controller.state_files().checkpoint.load() {
        Ok(Some(checkpoint)) => checkpoint,
        Ok(None) => return,
        Err(e) => {
            tracing::error!("{e}");
            return;
        }
    };
    // A session brought back where nothing can be written could not be
    // recorded when it ends: it waits for a start that can.
    if let Err(e) = controller.state_files().writable() {
        tracing::error!(
            "{e}; the interrupted session of {} stays in its checkpoint until treadcued can record it",
            checkpoint.program
        );
        return;
    }
    if config.daemon.after_crash == AfterCrash::Discard {
        tracing::info!(
            "an interrupted session of {} was discarded, as after_crash says; it is in the history",
            checkpoint.program
        );
        controller.discard(&checkpoint);
        return;
    }
    match controller.restore(&checkpoint) {
        Ok(()) if controller.state().is_active() => {
            tracing::info!(
                "the interrupted session of {} is back, paused at step {} of {}, {:.0} s in",
                checkpoint.program,
                checkpoint.step + 1,
                checkpoint.step_count,
                checkpoint.position
            );
            if let Err(e) =
                controller.say("Your session is back, paused. Resume when you are ready.")
            {
                tracing::debug!("cannot say that the session is back: {e}");
            }
        }
        Ok(()) => tracing::info!("the checkpoint was of a session already in the history"),
        // The checkpoint stays for the next start.
        Err(e) => tracing::error!("the interrupted session could not be brought back: {e}"),
    }
}

/// Reads the configuration again, as at the start; a broken one is
/// refused and the one in force stays. Settings that belong to the
/// device or the bus wait for a restart.
fn reload_config(loader: Loader, started_with: Config, controller: Arc<Controller>) -> Reload {
    let lock = Arc::new(Mutex::new(()));
    Arc::new(move || {
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        let loaded = loader.load()?;
        let new = loaded.config;
        controller.reconfigure(setup(&new)?);
        crate::logging::set_level(&new.daemon.log_level);
        let mut warnings = loaded.warnings;
        warnings.extend(
            needs_restart(&started_with, &new)
                .into_iter()
                .map(|setting| {
                    format!("{setting} changed: it takes effect when treadcued restarts")
                }),
        );
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        Ok(warnings)
    })
}

/// The changed settings a running daemon cannot take up.
fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    let (a, b) = (&old.sound, &new.sound);
    let (c, d) = (&old.daemon, &new.daemon);
    [
        ("[sound] device", a.device != b.device),
        ("[sound] period_ms", a.period_ms != b.period_ms),
        ("[sound] pre_roll_ms", a.pre_roll_ms != b.pre_roll_ms),
        (
            "[sound] after_device_loss",
            a.after_device_loss != b.after_device_loss,
        ),
        ("[daemon] bus", c.bus != d.bus),
        ("[daemon] state_dir", c.state_dir != d.state_dir),
        ("[web] listen", old.web.listen != new.web.listen),
        ("[ducking]", old.ducking != new.ducking),
        ("[bluetooth] buttons", old.bluetooth != new.bluetooth),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
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
        Err(e) => tracing::warn!("SIGHUP will not reload: {e}"),
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
