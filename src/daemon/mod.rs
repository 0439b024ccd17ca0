//! The daemon: the controller on D-Bus, the player's events turned into
//! property changes and signals, and a clean exit when asked.

mod supervisor;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use zbus::Connection;
use zbus::object_server::InterfaceRef;

pub use crate::controller::{
    Change, ControlError, Controller, ControllerParts, MAX_SAY_CHARS, ProgramInfo, Reload, Setup,
};
pub use supervisor::{Supervisor, status_line};

use crate::audio::output::DeviceEvent;
use crate::audio::player::PlayerNews;
use crate::audio::sequencer::Event;
use crate::dbus::mpris::{MprisPlayer, MprisRoot};
use crate::dbus::treadcue::{Treadcue, TreadcueSignals};
use crate::dbus::{self, Announcer, Bus};
use crate::session::Status;

/// How long the device is kept after a session ends, so its last sound
/// plays out and a new session starts without a new stream.
const RELEASE_AFTER: Duration = Duration::from_secs(5);
/// The event thread's longest sleep when nothing is due.
const IDLE_WAIT: Duration = Duration::from_secs(3600);
/// How often a running session is checkpointed between its changes: a
/// crash loses at most this much of the walker's place.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);
/// How often history entries that could not be written are tried again.
const RETRY_STORAGE_EVERY: Duration = Duration::from_secs(3);

pub struct DaemonOptions {
    pub bus: Bus,
    /// Where the web remote listens, if it is on.
    pub web: Option<std::net::SocketAddr>,
    /// Names the web remote answers to besides the machine's own.
    pub web_hosts: Vec<String>,
    /// The phones paired with the web remote.
    pub pairing: Arc<crate::pairing::Pairing>,
    /// Register a player with BlueZ for the headphone buttons.
    pub bluetooth_buttons: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot connect to {bus}: {source}")]
    Connect { bus: String, source: zbus::Error },
    #[error("{name} is already owned on {bus}: is another treadcued running?")]
    NameTaken { name: String, bus: String },
    #[error("D-Bus: {0}")]
    Bus(#[from] zbus::Error),
    #[error("cannot serve the web remote at {listen}: {source}")]
    Web {
        listen: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Serves the controller on the bus until `shutdown` resolves, then stops
/// the session and lets the names go. Each message on `hangups` (SIGHUP)
/// reloads, as the D-Bus Reload does.
pub async fn serve(
    controller: Arc<Controller>,
    news: PlayerNews,
    options: DaemonOptions,
    reload: Reload,
    shutdown: impl Future<Output = ()>,
    mut hangups: UnboundedReceiver<()>,
) -> Result<(), DaemonError> {
    let announcer = Arc::new(Announcer::new(controller.clone()));
    let connection = connect(&controller, &announcer, &options, reload.clone()).await?;
    let mut changes = controller.subscribe();
    let (stop_web, web_stopped) = tokio::sync::watch::channel(false);
    if let Some(listen) = options.web {
        serve_web(&controller, &options, listen, web_stopped).await?;
    }
    let (notices, mut device_news) = unbounded_channel();
    spawn_event_thread(controller.clone(), news, notices);
    let (stop_buttons, buttons_stopped) = tokio::sync::watch::channel(false);
    // The treadmill and the strap idle until a session wants them.
    let sensors = tokio::spawn(crate::bluez::serve_sensors(
        controller.clone(),
        buttons_stopped.clone(),
    ));
    let buttons = options.bluetooth_buttons.then(|| {
        tokio::spawn(crate::bluez::serve_buttons(
            controller.clone(),
            buttons_stopped,
        ))
    });
    let treadcue = connection
        .object_server()
        .interface::<_, Treadcue>(dbus::PATH)
        .await?;
    let mut shown = controller.status();
    // The status the last change carried: a step started where that one
    // stood is the same track begun again.
    let mut last_change = shown.clone();
    let supervisor = Supervisor::from_env();
    supervisor.ready(&shown);
    // Without a watchdog the tick never comes.
    let mut watchdog = tokio::time::interval(
        supervisor
            .watchdog_interval()
            .unwrap_or(Duration::from_secs(86_400)),
    );
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            change = changes.recv() => match change {
                Some(Change::Session { status, step_started, ended }) => {
                    let server = connection.object_server();
                    publish(server, &announcer, &treadcue, &status, step_started, ended).await;
                    if restarted_same_step(&last_change, &status, step_started) {
                        tell_seeked(server, &controller).await;
                    }
                    last_change = *status;
                    shown = controller.status();
                    supervisor.status(&shown);
                }
                Some(Change::Volume(_) | Change::Course | Change::Fitness) => {
                    // Told on both interfaces, whichever one set it.
                    if let Err(e) = announcer.announce(connection.object_server()).await {
                        tracing::warn!("cannot send a property change: {e}");
                    }
                }
                Some(Change::Storage(message)) => {
                    tell_storage_failing(&controller, &treadcue, &supervisor, &message).await;
                }
                None => break,
            },
            Some(event) = device_news.recv() => log_device(event),
            () = due_now(controller.next_due()) => {
                // The next session fell due: NextDue turns 0.
                if let Err(e) = announcer.announce(connection.object_server()).await {
                    tracing::warn!("cannot send a property change: {e}");
                }
            }
            Some(()) = hangups.recv() => reload_on_hangup(&reload, &treadcue, &supervisor, &shown).await,
            _ = watchdog.tick(), if supervisor.watchdog_interval().is_some() => {
                // This loop answers the bus; the check makes sure the
                // sound goes on too. A stalled session gets no ping, and
                // systemd restarts the daemon.
                if controller.is_healthy() {
                    supervisor.watchdog();
                } else {
                    tracing::warn!("the session has stalled; letting the watchdog restart treadcued");
                }
            }
        }
    }
    supervisor.stopping();
    let _ = stop_web.send(true);
    let _ = stop_buttons.send(true);
    if let Some(buttons) = buttons {
        // BlueZ is told the player is gone; a BlueZ that does not answer
        // does not hold the stop up.
        let _ = tokio::time::timeout(Duration::from_secs(2), buttons).await;
    }
    // The devices are let go for other apps, within the same bound.
    let _ = tokio::time::timeout(Duration::from_secs(2), sensors).await;
    tracing::info!("stopping: the session is paused and saved for the next start");
    // Paused and checkpointed, the session comes back at the next start.
    let suspend = controller.clone();
    let _ = tokio::task::spawn_blocking(move || suspend.suspend()).await;
    // Let the pause's fade play out before the device goes.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = connection.release_name(dbus::MPRIS_NAME).await;
    let _ = connection.release_name(dbus::NAME).await;
    Ok(())
}

/// Binds the web remote's address (a port in use fails the start) and
/// serves it until `stopped` turns true.
async fn serve_web(
    controller: &Arc<Controller>,
    options: &DaemonOptions,
    listen: std::net::SocketAddr,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let shutdown = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let server = crate::web::bind(
        listen,
        options.web_hosts.clone(),
        controller.clone(),
        options.pairing.clone(),
        shutdown,
    )
    .await
    .map_err(|source| DaemonError::Web { listen, source })?;
    tokio::spawn(server);
    tracing::info!("web remote on http://{listen}/");
    Ok(())
}

/// SIGHUP: reload; a broken configuration is reported in the log, in the
/// status systemd shows and with a ConfigError signal, and the old one
/// stays in force.
async fn reload_on_hangup(
    reload: &Reload,
    treadcue: &InterfaceRef<Treadcue>,
    supervisor: &Supervisor,
    shown: &Status,
) {
    let reload = reload.clone();
    let result = tokio::task::spawn_blocking(move || reload())
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    match result {
        Ok(_) => {
            tracing::info!("reloaded on SIGHUP");
            supervisor.status(shown);
        }
        Err(message) => {
            tracing::warn!("reload refused, keeping the configuration in force: {message}");
            supervisor.status_text(&format!("Reload refused: {message}"));
            if let Err(e) = treadcue.signal_emitter().config_error(&message).await {
                tracing::warn!("cannot send a signal: {e}");
            }
        }
    }
}

/// Connects, serves the objects, then claims the names: a client that sees
/// the name can call at once.
async fn connect(
    controller: &Arc<Controller>,
    announcer: &Arc<Announcer>,
    options: &DaemonOptions,
    reload: Reload,
) -> Result<Connection, DaemonError> {
    let bus = options.bus.describe();
    let connection =
        options
            .bus
            .builder()
            .build()
            .await
            .map_err(|source| DaemonError::Connect {
                bus: bus.clone(),
                source,
            })?;
    let server = connection.object_server();
    server
        .at(
            dbus::PATH,
            Treadcue {
                controller: controller.clone(),
                announcer: announcer.clone(),
                reload,
            },
        )
        .await?;
    let pairing = crate::dbus::pairing::WebPairing {
        pairing: options.pairing.clone(),
    };
    server.at(dbus::PATH, pairing).await?;
    let devices = crate::dbus::bluetooth::BluetoothDevices {
        controller: controller.clone(),
    };
    server.at(dbus::PATH, devices).await?;
    server.at(dbus::MPRIS_PATH, MprisRoot).await?;
    let player = MprisPlayer {
        controller: controller.clone(),
        announcer: announcer.clone(),
    };
    server.at(dbus::MPRIS_PATH, player).await?;
    let flags = zbus::fdo::RequestNameFlags::DO_NOT_QUEUE;
    match connection.request_name_with_flags(dbus::NAME, flags).await {
        Ok(zbus::fdo::RequestNameReply::PrimaryOwner) => {}
        Ok(_) | Err(zbus::Error::NameTaken) => {
            return Err(DaemonError::NameTaken {
                name: dbus::NAME.into(),
                bus,
            });
        }
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = connection
        .request_name_with_flags(dbus::MPRIS_NAME, flags)
        .await
    {
        tracing::warn!(
            "media keys will not reach treadcue: cannot own {}: {e}",
            dbus::MPRIS_NAME
        );
    }
    Ok(connection)
}

/// Reads the player's events on a thread of its own (they come from the
/// audio thread through a blocking channel) and hands them to the
/// controller, which alone applies them. Also saves the checkpoint, lets
/// the device go a while after a session, and retries storage that
/// failed.
/// Says what the coach has to say after an event on a thread of its
/// own, so a slow synthesizer never holds up the next event.
fn say_coach_words(controller: &Arc<Controller>) {
    let words = controller.take_coach_words();
    if words.is_empty() {
        return;
    }
    let controller = controller.clone();
    std::thread::spawn(move || {
        for text in words {
            controller.say_coach(&text);
        }
    });
}

fn spawn_event_thread(
    controller: Arc<Controller>,
    news: PlayerNews,
    notices: UnboundedSender<DeviceEvent>,
) {
    std::thread::Builder::new()
        .name("treadcue-events".into())
        .spawn(move || {
            let mut release_at: Option<Instant> = None;
            let mut checkpoint_at: Option<Instant> = None;
            let mut retry_at: Option<Instant> = None;
            loop {
                // A running session is saved every CHECKPOINT_EVERY;
                // history entries waiting for storage are tried again.
                let running = controller.state() == crate::session::State::Running;
                checkpoint_at = every(checkpoint_at, CHECKPOINT_EVERY, running, || {
                    controller.save_checkpoint()
                });
                retry_at = every(
                    retry_at,
                    RETRY_STORAGE_EVERY,
                    controller.storage_waiting(),
                    || controller.retry_storage(),
                );
                // With nothing to release, save or retry, wait for the
                // next event however long: an idle daemon does not wake
                // up. A lost device also pauses the session, so its news
                // comes with an event.
                let wait = [release_at, checkpoint_at, retry_at]
                    .into_iter()
                    .flatten()
                    .min()
                    .map_or(IDLE_WAIT, |at| at.saturating_duration_since(Instant::now()));
                match news.events.recv_timeout(wait) {
                    Ok((id, event)) => {
                        if matches!(event, Event::Finished { .. } | Event::Stopped { .. }) {
                            release_at = Some(Instant::now() + RELEASE_AFTER);
                        }
                        if controller.on_player_event(id, &event) {
                            controller.save_checkpoint();
                        }
                        say_coach_words(&controller);
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                }
                // The sequencer reports a device change as an event, so
                // its news is here by the time that event is.
                for event in news.device.try_iter() {
                    if notices.send(event).is_err() {
                        return;
                    }
                }
                if release_at.is_some_and(|at| Instant::now() >= at) {
                    controller.release_device_if_idle();
                    release_at = None;
                }
            }
        })
        .expect("the event thread starts");
}

/// Runs `action` every `period` while `active` holds: gives the next
/// time it is due, or None when there is nothing to do (so the event
/// thread sleeps until the next event).
fn every(
    due: Option<Instant>,
    period: Duration,
    active: bool,
    action: impl FnOnce(),
) -> Option<Instant> {
    if !active {
        return None;
    }
    let now = Instant::now();
    match due {
        Some(at) if at > now => Some(at),
        Some(_) => {
            action();
            Some(now + period)
        }
        None => Some(now + period),
    }
}

/// The checkpoint or the history could not be written: systemd's status,
/// a signal for clients, and a word to the walker.
async fn tell_storage_failing(
    controller: &Arc<Controller>,
    treadcue: &InterfaceRef<Treadcue>,
    supervisor: &Supervisor,
    message: &str,
) {
    supervisor.status_text(&format!("Storage failing: {message}"));
    if let Err(e) = treadcue.signal_emitter().storage_error(message).await {
        tracing::warn!("cannot send a signal: {e}");
    }
    let controller = controller.clone();
    tokio::task::spawn_blocking(move || controller.tell_storage_failing());
}

fn log_device(event: DeviceEvent) {
    match event {
        DeviceEvent::Lost(reason) => {
            tracing::warn!("audio device lost ({reason}): session held paused, retrying");
        }
        DeviceEvent::Restored => tracing::info!("audio device back"),
        DeviceEvent::Underrun => underrun_told(),
    }
}

/// Says that the device ran dry (what plays after comes that much late),
/// at most once every ten seconds, with how many times since.
fn underrun_told() {
    static TOLD: std::sync::Mutex<(Option<Instant>, u32)> = std::sync::Mutex::new((None, 0));
    let mut told = TOLD.lock().unwrap_or_else(|p| p.into_inner());
    told.1 += 1;
    if told
        .0
        .is_none_or(|at| at.elapsed() >= Duration::from_secs(10))
    {
        tracing::info!(
            "the audio device ran dry {} time(s): sound came late",
            told.1
        );
        *told = (Some(Instant::now()), 0);
    }
}

/// Resolves when `due` comes; never with nothing due.
async fn due_now(due: Option<std::time::SystemTime>) {
    let Some(due) = due else {
        return std::future::pending().await;
    };
    let wait = due
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    // A moment past the due time, so the status read then says it is due.
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
}

/// Whether a step began where the session already stood, in the same
/// program: Previous restarting the step it is in.
fn restarted_same_step(before: &Status, now: &Status, step_started: Option<usize>) -> bool {
    step_started == Some(before.step_index as usize)
        && before.state.is_active()
        && before.program == now.program
}

/// MPRIS clients extrapolate the position until told otherwise: a step
/// begun again is a seek back to its start.
async fn tell_seeked(server: &zbus::ObjectServer, controller: &Controller) {
    let Ok(mpris) = server.interface::<_, MprisPlayer>(dbus::MPRIS_PATH).await else {
        return;
    };
    let position = controller.step_position().unwrap_or(0);
    if let Err(e) = MprisPlayer::seeked(mpris.signal_emitter(), position).await {
        tracing::warn!("cannot send a signal: {e}");
    }
}

/// Tells clients what a change changed, and sends its signals. The
/// properties are announced as they are now (never older than what a
/// method already announced); the signals as of the change.
async fn publish(
    server: &zbus::ObjectServer,
    announcer: &Announcer,
    treadcue: &InterfaceRef<Treadcue>,
    status: &Status,
    step_started: Option<usize>,
    ended: Option<bool>,
) {
    if let Err(e) = announcer.announce(server).await {
        tracing::warn!("cannot send a property change: {e}");
    }
    let emitter = treadcue.signal_emitter();
    if step_started.is_some() {
        let sent = emitter
            .step_started(
                status.step_index,
                &status.step_name,
                &status.direction,
                status.speed,
                status.incline,
                status.step_length,
            )
            .await;
        if let Err(e) = sent {
            tracing::warn!("cannot send a signal: {e}");
        }
    }
    if let Some(completed) = ended
        && let Err(e) = emitter.session_finished(&status.program, completed).await
    {
        tracing::warn!("cannot send a signal: {e}");
    }
}
