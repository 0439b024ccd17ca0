//! The composition root: the one place the daemon is built and wired.
//! It reads the configuration into a controller, brings back a session a
//! crash cut short, publishes treadcue on D-Bus, starts the front ends
//! (the web remote, the headphone buttons and the sensors through BlueZ)
//! with a controller handle and a shutdown each, and tells systemd how
//! it goes until SIGTERM. Reloads come from SIGHUP here and from D-Bus,
//! both through the handle.
//!
//! ```text
//!  D-Bus ─┐  MPRIS ─┐  web ─┐  BlueZ buttons ─┐   treadmill, strap ─┐
//!         └─────────┴───────┴───── Command ────┘        (readings)   │
//!                                    │                               │
//!                           controller::Handle ◄─────────────────────┘
//!                                    │
//!            Controller (the one writer of the session) ◄── player events
//!                                    │                        (event thread)
//!              program → plan → sequencer → audio sink (ALSA, sound server)
//! ```

mod recover;
mod setup;
mod signals;
mod supervisor;

use std::sync::Arc;
use std::time::Duration;

pub use supervisor::{Supervisor, status_line};

use crate::audio::player::{Player, PlayerNews};
use crate::config::{Config, Loader};
use crate::controller::{Change, Controller, ControllerParts, Handle};
use crate::frontend::dbus::{Bus, PublishError};
use crate::frontend::link::MqttLink;
use crate::frontend::pairing::Pairing;
use crate::shutdown::{Shutdown, Trigger};
use crate::store::StateLock;
use crate::store::lock::LockError;

/// Threads for calls that may block: enough that a slow synthesizer on
/// one Start leaves Stop and Pause answered.
const BLOCKING_THREADS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Busy(LockError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("cannot serve the web remote at {listen}: {source}")]
    Web {
        listen: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start: {0}")]
    Runtime(std::io::Error),
}

impl DaemonError {
    /// The exit status: 4 when another daemon holds the state folder, 1
    /// for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            DaemonError::Busy(_) => 4,
            _ => 1,
        }
    }
}

/// The front ends, as the configuration sets them.
struct FrontEnds {
    bus: Bus,
    /// Where the web remote listens, if it is on.
    web: Option<std::net::SocketAddr>,
    /// Names the web remote answers to besides the machine's own.
    web_hosts: Vec<String>,
    /// Announce the web remote through Avahi.
    web_advertise: bool,
    /// The phones paired with the web remote.
    pairing: Arc<Pairing>,
    /// Register a player with BlueZ for the headphone buttons.
    bluetooth_buttons: bool,
    /// The MQTT front end's options, now and after each reload.
    mqtt: tokio::sync::watch::Receiver<Option<crate::frontend::mqtt::MqttOptions>>,
    mqtt_link: MqttLink,
}

/// Runs the daemon until SIGTERM or SIGINT.
pub fn run(loader: Loader, config: Config) -> Result<(), DaemonError> {
    crate::controller::limit_heap_arenas();
    let setup = setup::setup(&config).map_err(DaemonError::Invalid)?;
    let bus = config.bus().map_err(DaemonError::Invalid)?;
    let web = config.web_listen().map_err(DaemonError::Invalid)?;
    // Before anything in the state folder is read or written: a second
    // daemon must leave the first one's session alone.
    let state = config.state_files();
    let _lock = take_state_lock(&state.dir)?;
    restore_lowered_music(&state.dir);
    let (controller, news) = build_controller(&config, setup, state);
    warm_up(&controller, &config, &bus);
    recover::recover(&controller, config.daemon.after_crash);
    log_course(&controller);
    let (mqtt_options, mqtt) = tokio::sync::watch::channel(config.mqtt.options());
    let reload = setup::reload_config(loader, config.clone(), controller.clone(), mqtt_options);
    let handle = Handle::new(controller.clone()).with_reload(reload);
    let front_ends = FrontEnds {
        bus,
        web,
        web_hosts: config.web.hosts.clone(),
        web_advertise: config.web.advertise,
        pairing: Arc::new(Pairing::load(
            controller.state_files().dir.join("web-devices.json"),
        )),
        bluetooth_buttons: config.bluetooth.buttons,
        mqtt,
        mqtt_link: MqttLink::new(),
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Calls that prepare programs or write the history run on these;
        // a burst of clients queues rather than growing a thread (and a
        // heap arena) per caller.
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .map_err(DaemonError::Runtime)?
        .block_on(serve(handle, news, front_ends))
}

fn take_state_lock(dir: &std::path::Path) -> Result<Option<StateLock>, DaemonError> {
    match StateLock::take(dir) {
        Ok(lock) => Ok(Some(lock)),
        Err(e @ LockError::Held { .. }) => Err(DaemonError::Busy(e)),
        // A folder that cannot even be made holds nothing to protect:
        // run, and report each write that fails.
        Err(e) => {
            tracing::error!("{e}; sessions will not be saved");
            Ok(None)
        }
    }
}

/// Music a daemon that died mid-cue left lowered comes back now, not at
/// the next session; a sound server not up yet gets it then.
fn restore_lowered_music(state_dir: &std::path::Path) {
    let note = state_dir.join(crate::config::DUCKED_NOTE);
    std::thread::spawn(move || {
        if let Err(e) = crate::audio::ducking::restore_left_over(&note) {
            tracing::debug!("lowered streams left over, put back later: {e}");
        }
    });
}

fn build_controller(
    config: &Config,
    setup: crate::controller::Setup,
    state: crate::store::StateFiles,
) -> (Arc<Controller>, PlayerNews) {
    let mut options = config.player_options();
    // A volume set at run time outlives a restart, until the config's
    // own volume changes.
    match state.saved_volume(f64::from(config.sound.volume)) {
        Ok(Some(volume)) => options.volume = volume as f32,
        Ok(None) => {}
        Err(e) => tracing::warn!("{e}"),
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
    (controller, news)
}

/// Before READY=1: programs loaded and their phrases rendered.
fn warm_up(controller: &Controller, config: &Config, bus: &Bus) {
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
}

fn log_course(controller: &Controller) {
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
}

/// Publishes treadcue, starts the front ends and the controller's event
/// thread, and tells systemd how it goes until SIGTERM; then stops the
/// front ends, pauses and saves the session, and lets the names go.
async fn serve(handle: Handle, news: PlayerNews, front_ends: FrontEnds) -> Result<(), DaemonError> {
    let hangups = signals::hangups();
    let addresses = front_ends
        .web
        .map(crate::frontend::web::address::remote_urls)
        .unwrap_or_default();
    let published = crate::frontend::dbus::publish(
        handle.clone(),
        &front_ends.bus,
        front_ends.pairing.clone(),
        addresses,
        front_ends.mqtt_link.clone(),
    )
    .await?;
    let trigger = Trigger::new();
    let mut announcement = None;
    if let Some(listen) = front_ends.web {
        serve_web(&handle, &front_ends, listen, trigger.subscribe()).await?;
        announcement = announce_web(&front_ends, listen, &trigger);
    }
    handle.controller().run_events(news);
    let bus = tokio::spawn(published.serve(trigger.subscribe()));
    // The treadmill and the strap idle until a session wants them.
    let sensors = tokio::spawn(crate::frontend::bluez::serve_sensors(
        handle.clone(),
        trigger.subscribe(),
    ));
    let buttons = front_ends.bluetooth_buttons.then(|| {
        tokio::spawn(crate::frontend::bluez::serve_buttons(
            handle.clone(),
            trigger.subscribe(),
        ))
    });
    let mqtt = tokio::spawn(crate::frontend::mqtt::serve(
        handle.clone(),
        front_ends.mqtt.clone(),
        front_ends.mqtt_link.clone(),
        trigger.subscribe(),
    ));
    let supervisor = Supervisor::from_env();
    supervise(&handle, &supervisor, hangups).await;
    supervisor.stopping();
    trigger.fire();
    if let Some(buttons) = buttons {
        // BlueZ is told the player is gone; a BlueZ that does not answer
        // does not hold the stop up.
        let _ = tokio::time::timeout(Duration::from_secs(2), buttons).await;
    }
    if let Some(announcement) = announcement {
        let _ = tokio::time::timeout(Duration::from_secs(2), announcement).await;
    }
    // The broker hears "offline" before the session is paused: a
    // dashboard shows the daemon gone, not a walker who stopped.
    let _ = tokio::time::timeout(Duration::from_secs(2), mqtt).await;
    // The devices are let go for other apps, within the same bound.
    let _ = tokio::time::timeout(Duration::from_secs(2), sensors).await;
    tracing::info!("stopping: the session is paused and saved for the next start");
    // Paused and checkpointed, the session comes back at the next start.
    handle.tell(Controller::suspend).await;
    // Let the pause's fade play out before the device goes.
    tokio::time::sleep(Duration::from_millis(50)).await;
    if let Ok(published) = bus.await {
        published.release().await;
    }
    Ok(())
}

/// Binds the web remote's address (a port in use fails the start) and
/// serves it until the shutdown.
async fn serve_web(
    handle: &Handle,
    front_ends: &FrontEnds,
    listen: std::net::SocketAddr,
    shutdown: Shutdown,
) -> Result<(), DaemonError> {
    let server = crate::frontend::web::bind(
        listen,
        front_ends.web_hosts.clone(),
        handle.clone(),
        front_ends.pairing.clone(),
        shutdown,
    )
    .await
    .map_err(|source| DaemonError::Web { listen, source })?;
    tokio::spawn(server);
    tracing::info!("web remote on http://{listen}/");
    Ok(())
}

/// Announces the web remote through Avahi when it is reached from other
/// machines and the configuration wants it.
fn announce_web(
    front_ends: &FrontEnds,
    listen: std::net::SocketAddr,
    trigger: &Trigger,
) -> Option<tokio::task::JoinHandle<()>> {
    if !front_ends.web_advertise || listen.ip().is_loopback() {
        return None;
    }
    let hostname = crate::frontend::web::address::hostname()?;
    Some(tokio::spawn(crate::frontend::avahi::serve(
        hostname,
        listen.port(),
        trigger.subscribe(),
    )))
}

/// Tells systemd the daemon is ready, then its status as the session
/// goes, pings the watchdog while the sound goes on, and reloads at each
/// SIGHUP; returns at SIGTERM or SIGINT.
async fn supervise(
    handle: &Handle,
    supervisor: &Supervisor,
    mut hangups: tokio::sync::mpsc::UnboundedReceiver<()>,
) {
    let mut changes = handle.subscribe();
    supervisor.ready(&handle.status());
    // Without a watchdog the tick never comes.
    let mut watchdog = tokio::time::interval(
        supervisor
            .watchdog_interval()
            .unwrap_or(Duration::from_secs(86_400)),
    );
    let terminated = signals::terminated();
    tokio::pin!(terminated);
    loop {
        tokio::select! {
            () = &mut terminated => return,
            change = changes.recv() => match change {
                Some(change) => on_change(handle, supervisor, change),
                None => return,
            },
            Some(()) = hangups.recv() => {
                // A refusal is logged, signalled and shown as the change
                // it makes.
                if handle.reload().await.is_ok() {
                    tracing::info!("reloaded on SIGHUP");
                    supervisor.status(&handle.status());
                }
            }
            _ = watchdog.tick(), if supervisor.watchdog_interval().is_some() => {
                // This loop runs on the runtime that answers the bus; the
                // check makes sure the sound goes on too. A stalled
                // session gets no ping, and systemd restarts the daemon.
                if handle.controller().is_healthy() {
                    supervisor.watchdog();
                } else {
                    tracing::warn!("the session has stalled; letting the watchdog restart treadcued");
                }
            }
        }
    }
}

/// What systemd's status shows of a change; storage that fails is also
/// said to the walker.
fn on_change(handle: &Handle, supervisor: &Supervisor, change: Change) {
    match change {
        Change::Session { .. } => supervisor.status(&handle.status()),
        Change::Storage(message) => {
            supervisor.status_text(&format!("Storage failing: {message}"));
            let handle = handle.clone();
            tokio::spawn(async move { handle.tell(Controller::tell_storage_failing).await });
        }
        Change::ConfigRefused(message) => {
            supervisor.status_text(&format!("Reload refused: {message}"));
        }
        Change::Volume(_) | Change::Course | Change::Fitness | Change::Walkers => {}
    }
}
