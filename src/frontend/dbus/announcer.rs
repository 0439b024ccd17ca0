//! What clients have been told: the status last announced, and the
//! PropertiesChanged signals that bring them up to date. Both a method
//! that changes the session (before it replies, so a client that caches
//! properties sees the change once its call returns) and the daemon's
//! event loop (for changes the session makes on its own) announce here,
//! and no change is announced twice.
//!
//! Properties are read from the status announced, not from the controller
//! as it is at that instant: a GetAll then gives one moment's status,
//! never a State of one moment beside a StepIndex of the next, and what a
//! client reads agrees with the signals it has seen.

use std::sync::Mutex;

use zbus::object_server::ObjectServer;

use super::mpris::MprisPlayer;
use super::treadcue::Treadcue;
use super::treadcue_changes::announce_changes;
use crate::controller::Handle;
use crate::session::Status;

pub struct Announcer {
    controller: Handle,
    /// Held while signals go out, so they leave in the order of the
    /// changes.
    order: tokio::sync::Mutex<()>,
    shown: Mutex<Status>,
}

impl Announcer {
    pub fn new(controller: Handle) -> Announcer {
        let shown = Mutex::new(controller.status());
        Announcer {
            controller,
            order: tokio::sync::Mutex::new(()),
            shown,
        }
    }

    /// The status as clients were last told it.
    pub fn shown(&self) -> Status {
        crate::sync::lock(&self.shown).clone()
    }

    /// Tells clients of both interfaces what changed since they were last
    /// told. The status is read once the turn to announce has come, so a
    /// slower announcer never tells an older status after a newer one.
    pub async fn announce(&self, server: &ObjectServer) -> zbus::Result<()> {
        let _turn = self.order.lock().await;
        let now = self.controller.status();
        let before = {
            let mut shown = crate::sync::lock(&self.shown);
            if *shown == now {
                return Ok(());
            }
            std::mem::replace(&mut *shown, now.clone())
        };
        let treadcue = server.interface::<_, Treadcue>(super::PATH).await?;
        announce_changes(treadcue.signal_emitter(), &before, &now).await?;
        let mpris = server
            .interface::<_, MprisPlayer>(super::MPRIS_PATH)
            .await?;
        let player = mpris.get().await;
        player
            .announce_changes(mpris.signal_emitter(), &before, &now)
            .await
    }
}
