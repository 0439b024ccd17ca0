//! treadcue published on D-Bus: the objects served, the names claimed,
//! and the controller's changes turned into property changes and
//! signals until the shutdown. Like the web remote and the BlueZ front
//! ends, it is started with a controller handle and a shutdown.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use zbus::Connection;
use zbus::object_server::{InterfaceRef, ObjectServer};

use super::mpris::{MprisPlayer, MprisRoot};
use super::treadcue::{Treadcue, TreadcueSignals};
use super::{Announcer, Bus};
use crate::controller::{Change, Handle};
use crate::frontend::pairing::Pairing;
use crate::session::Status;
use crate::shutdown::Shutdown;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot connect to {bus}: {source}")]
    Connect { bus: String, source: zbus::Error },
    #[error("{name} is already owned on {bus}: is another treadcued running?")]
    NameTaken { name: String, bus: String },
    #[error("D-Bus: {0}")]
    Bus(#[from] zbus::Error),
}

/// treadcue's objects on a bus, with its names claimed.
pub struct Published {
    connection: Connection,
    controller: Handle,
    announcer: Arc<Announcer>,
    treadcue: InterfaceRef<Treadcue>,
    /// Every change since the objects were served.
    changes: UnboundedReceiver<Change>,
}

/// Connects, serves the objects, then claims the names: a client that
/// sees the name can call at once. A name owned already fails the start.
pub async fn publish(
    controller: Handle,
    bus: &Bus,
    pairing: Arc<Pairing>,
    web_addresses: Vec<String>,
    mqtt: crate::frontend::link::MqttLink,
) -> Result<Published, PublishError> {
    let connection = bus
        .builder()
        .build()
        .await
        .map_err(|source| PublishError::Connect {
            bus: bus.describe(),
            source,
        })?;
    let announcer = Arc::new(Announcer::new(controller.clone()));
    let changes = controller.subscribe();
    let web = super::pairing::WebPairing {
        pairing,
        addresses: web_addresses,
    };
    let server = connection.object_server();
    serve_objects(server, &controller, &announcer, web).await?;
    server
        .at(super::PATH, super::mqtt::MqttState { link: mqtt.clone() })
        .await?;
    server
        .at(
            super::PATH,
            super::export::Export {
                controller: controller.clone(),
            },
        )
        .await?;
    tokio::spawn(super::mqtt::announce_changes(connection.clone(), mqtt));
    claim_names(&connection, bus).await?;
    let treadcue = connection
        .object_server()
        .interface::<_, Treadcue>(super::PATH)
        .await?;
    Ok(Published {
        connection,
        controller,
        announcer,
        treadcue,
        changes,
    })
}

async fn serve_objects(
    server: &ObjectServer,
    controller: &Handle,
    announcer: &Arc<Announcer>,
    web: super::pairing::WebPairing,
) -> zbus::Result<()> {
    let treadcue = Treadcue {
        controller: controller.clone(),
        announcer: announcer.clone(),
    };
    server.at(super::PATH, treadcue).await?;
    server.at(super::PATH, web).await?;
    let devices = super::bluetooth::BluetoothDevices {
        controller: controller.clone(),
    };
    server.at(super::PATH, devices).await?;
    server.at(super::MPRIS_PATH, MprisRoot).await?;
    let player = MprisPlayer {
        controller: controller.clone(),
        announcer: announcer.clone(),
    };
    server.at(super::MPRIS_PATH, player).await?;
    Ok(())
}

async fn claim_names(connection: &Connection, bus: &Bus) -> Result<(), PublishError> {
    let flags = zbus::fdo::RequestNameFlags::DO_NOT_QUEUE;
    match connection.request_name_with_flags(super::NAME, flags).await {
        Ok(zbus::fdo::RequestNameReply::PrimaryOwner) => {}
        Ok(_) | Err(zbus::Error::NameTaken) => {
            return Err(PublishError::NameTaken {
                name: super::NAME.into(),
                bus: bus.describe(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = connection
        .request_name_with_flags(super::MPRIS_NAME, flags)
        .await
    {
        tracing::warn!(
            "media keys will not reach treadcue: cannot own {}: {e}",
            super::MPRIS_NAME
        );
    }
    Ok(())
}

impl Published {
    /// Tells clients every change until the shutdown; then gives itself
    /// back, for the names to be let go once the session is saved.
    pub async fn serve(mut self, mut shutdown: Shutdown) -> Published {
        // The status the last change carried: a step started where that
        // one stood is the same track begun again.
        let mut last_change = self.controller.status();
        loop {
            tokio::select! {
                () = shutdown.wait() => return self,
                change = self.changes.recv() => match change {
                    Some(change) => self.tell(change, &mut last_change).await,
                    None => return self,
                },
                // The next session fell due: NextDue turns 0.
                () = due_now(self.controller.controller().next_due()) => self.announce().await,
            }
        }
    }

    async fn tell(&self, change: Change, last_change: &mut Status) {
        match change {
            Change::Session {
                status,
                step_started,
                ended,
            } => {
                self.publish(&status, step_started, ended).await;
                if restarted_same_step(last_change, &status, step_started) {
                    self.tell_seeked().await;
                }
                *last_change = *status;
            }
            // Told on both interfaces, whichever one set it.
            Change::Volume(_) | Change::Course | Change::Fitness | Change::Walkers => {
                self.announce().await
            }
            Change::Storage(message) => {
                let sent = self.treadcue.signal_emitter().storage_error(&message).await;
                warn_unsent(sent);
            }
            Change::ConfigRefused(message) => {
                // Listeners hear it even when the caller was a script
                // that does not look at replies, or SIGHUP.
                let sent = self.treadcue.signal_emitter().config_error(&message).await;
                warn_unsent(sent);
            }
        }
    }

    async fn announce(&self) {
        if let Err(e) = self
            .announcer
            .announce(self.connection.object_server())
            .await
        {
            tracing::warn!("cannot send a property change: {e}");
        }
    }

    /// Tells clients what a change changed, and sends its signals. The
    /// properties are announced as they are now (never older than what a
    /// method already announced); the signals as of the change.
    async fn publish(&self, status: &Status, step_started: Option<usize>, ended: Option<bool>) {
        self.announce().await;
        let emitter = self.treadcue.signal_emitter();
        if step_started.is_some() {
            let sent = emitter
                .step_started(
                    status.step_index,
                    &status.step_name,
                    status.direction_name(),
                    status.speed,
                    status.incline,
                    status.step_length,
                )
                .await;
            warn_unsent(sent);
        }
        if let Some(completed) = ended {
            warn_unsent(emitter.session_finished(&status.program, completed).await);
        }
    }

    /// MPRIS clients extrapolate the position until told otherwise: a
    /// step begun again is a seek back to its start.
    async fn tell_seeked(&self) {
        let server = self.connection.object_server();
        let Ok(mpris) = server.interface::<_, MprisPlayer>(super::MPRIS_PATH).await else {
            return;
        };
        let position = self.controller.controller().step_position().unwrap_or(0);
        warn_unsent(MprisPlayer::seeked(mpris.signal_emitter(), position).await);
    }

    /// Lets the names go, once the session is saved: a client that sees
    /// them gone finds the session paused and checkpointed.
    pub async fn release(self) {
        let _ = self.connection.release_name(super::MPRIS_NAME).await;
        let _ = self.connection.release_name(super::NAME).await;
    }
}

fn warn_unsent(sent: zbus::Result<()>) {
    if let Err(e) = sent {
        tracing::warn!("cannot send a signal: {e}");
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
