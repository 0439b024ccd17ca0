//! What clients have been told: the last status announced, and the
//! PropertiesChanged signals that bring them up to date. Both a method
//! that changes the session (before it replies, so a client that caches
//! properties sees the change once its call returns) and the daemon's
//! event loop (for changes the session makes on its own) announce here,
//! and no change is announced twice.

use tokio::sync::Mutex;
use zbus::object_server::ObjectServer;

use super::mpris::MprisPlayer;
use super::treadcue::{Treadcue, announce_changes};
use crate::session::Status;

pub struct Announcer {
    /// Held while signals go out, so they leave in the order of the
    /// changes.
    told: Mutex<Status>,
}

impl Announcer {
    pub fn new(status: Status) -> Announcer {
        Announcer {
            told: Mutex::new(status),
        }
    }

    /// Tells clients of both interfaces what changed since they were
    /// last told; gives the status as it was before.
    pub async fn announce(&self, server: &ObjectServer, now: Status) -> zbus::Result<Status> {
        let mut told = self.told.lock().await;
        if *told == now {
            return Ok(now);
        }
        let before = std::mem::replace(&mut *told, now.clone());
        let treadcue = server.interface::<_, Treadcue>(super::PATH).await?;
        announce_changes(treadcue.signal_emitter(), &before, &now).await?;
        let mpris = server
            .interface::<_, MprisPlayer>(super::MPRIS_PATH)
            .await?;
        let player = mpris.get().await;
        player
            .announce_changes(mpris.signal_emitter(), &before, &now)
            .await?;
        Ok(before)
    }
}
