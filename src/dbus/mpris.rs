//! MPRIS, so media keys, `playerctl` and Bluetooth headphone buttons
//! (through BlueZ's `mpris-proxy`) pause and skip. Play and Pause are
//! idempotent: BlueZ sends those, never PlayPause.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use zbus::fdo;
use zbus::interface;
use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;
use zbus::{ObjectPath, OwnedVariant, Str, Variant};

pub use crate::controller::HeadphonePause;
use crate::controller::{ControlError, Controller};
use crate::session::{State, Status};

pub struct MprisRoot;

#[interface(name = "org.mpris.MediaPlayer2")]
impl MprisRoot {
    fn raise(&self) {}

    fn quit(&self) {}

    #[zbus(property)]
    fn can_quit(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn can_raise(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn has_track_list(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn identity(&self) -> String {
        "treadcue".into()
    }

    #[zbus(property)]
    fn supported_uri_schemes(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(property)]
    fn supported_mime_types(&self) -> Vec<String> {
        Vec::new()
    }
}

pub struct MprisPlayer {
    pub controller: Arc<Controller>,
}

impl MprisPlayer {
    /// Sends what changed between two statuses in one PropertiesChanged.
    pub async fn announce_changes(
        &self,
        emitter: &SignalEmitter<'_>,
        old: &Status,
        new: &Status,
    ) -> zbus::Result<()> {
        let mut changed: HashMap<&str, Variant<'_>> = HashMap::new();
        if old.state != new.state {
            changed.insert("PlaybackStatus", Variant::from(self.playback_status()));
            let active = new.state.is_active();
            for name in ["CanPlay", "CanPause", "CanGoNext", "CanGoPrevious"] {
                changed.insert(name, Variant::from(active));
            }
        }
        let track = |s: &Status| (s.step_index, s.program.clone(), s.state == State::Idle);
        if track(old) != track(new) {
            let metadata: HashMap<String, OwnedVariant> = self.metadata();
            changed.insert("Metadata", Variant::from(metadata));
        }
        if changed.is_empty() {
            return Ok(());
        }
        let interface = InterfaceName::from_static_str_unchecked("org.mpris.MediaPlayer2.Player");
        zbus::fdo::Properties::properties_changed(emitter, interface, changed, Cow::Borrowed(&[]))
            .await
    }
}

/// MPRIS has no error for "nothing to do": a button pressed with no session
/// is answered quietly.
fn quietly(result: Result<(), ControlError>) -> fdo::Result<()> {
    match result {
        Ok(()) | Err(ControlError::InvalidState(_)) => Ok(()),
        Err(e) => Err(fdo::Error::Failed(e.to_string())),
    }
}

#[interface(name = "org.mpris.MediaPlayer2.Player")]
impl MprisPlayer {
    fn play(&self) -> fdo::Result<()> {
        quietly(self.controller.resume())
    }

    fn pause(&self) -> fdo::Result<()> {
        match self.controller.headphone_pause() {
            HeadphonePause::Pause => quietly(self.controller.pause()),
            HeadphonePause::Ignore => Ok(()),
        }
    }

    fn play_pause(&self) -> fdo::Result<()> {
        match self.controller.state() {
            State::Paused => quietly(self.controller.resume()),
            _ => quietly(self.controller.pause()),
        }
    }

    /// Stop writes the session to the history: off the bus's own task.
    async fn stop(&self) -> fdo::Result<()> {
        let controller = self.controller.clone();
        let stopped = tokio::task::spawn_blocking(move || controller.stop())
            .await
            .map_err(|e| fdo::Error::Failed(e.to_string()))?;
        quietly(stopped)
    }

    fn next(&self) -> fdo::Result<()> {
        quietly(self.controller.next())
    }

    fn previous(&self) -> fdo::Result<()> {
        quietly(self.controller.previous())
    }

    /// Steps are not seekable: a session's timing belongs to its program.
    fn seek(&self, _offset: i64) {}

    fn set_position(&self, _track: ObjectPath<'_>, _position: i64) {}

    fn open_uri(&self, _uri: String) -> fdo::Result<()> {
        Err(fdo::Error::NotSupported(
            "treadcue plays its own programs; use Start on io.github.treadcue.Treadcue1".into(),
        ))
    }

    /// Playing, Paused or Stopped.
    #[zbus(property)]
    fn playback_status(&self) -> String {
        match self.controller.state() {
            State::Running => "Playing",
            State::Paused => "Paused",
            _ => "Stopped",
        }
        .into()
    }

    /// The current step as a track of the program's album.
    #[zbus(property)]
    fn metadata(&self) -> HashMap<String, OwnedVariant> {
        let status = self.controller.status();
        let mut metadata = HashMap::new();
        let track = format!("/io/github/treadcue/Treadcue1/step/{}", status.step_index);
        let track = ObjectPath::try_from(track)
            .unwrap_or_else(|_| ObjectPath::from_static_str_unchecked("/"));
        metadata.insert("mpris:trackid".into(), OwnedVariant::from(track));
        if status.state == State::Idle {
            return metadata;
        }
        let title = format!(
            "Step {} of {}: {}",
            status.step_index + 1,
            status.step_count,
            status.step_name
        );
        metadata.insert("xesam:title".into(), OwnedVariant::from(Str::from(title)));
        metadata.insert(
            "xesam:album".into(),
            OwnedVariant::from(Str::from(status.program_name)),
        );
        if let Ok(artist) = OwnedVariant::try_from(Variant::from(vec!["treadcue".to_string()])) {
            metadata.insert("xesam:artist".into(), artist);
        }
        metadata.insert(
            "mpris:length".into(),
            OwnedVariant::from((status.step_length * 1e6) as i64),
        );
        metadata
    }

    #[zbus(property)]
    fn volume(&self) -> f64 {
        self.controller.volume()
    }

    #[zbus(property)]
    fn set_volume(&mut self, volume: f64) -> fdo::Result<()> {
        // MPRIS asks players to clamp rather than refuse.
        self.controller
            .set_volume(volume.clamp(0.0, 1.0))
            .map_err(|e| fdo::Error::InvalidArgs(e.to_string()))
    }

    /// Microseconds into the session, as of the last change.
    #[zbus(property(emits_changed_signal = "false"))]
    fn position(&self) -> i64 {
        (self.controller.status().elapsed * 1e6) as i64
    }

    #[zbus(property)]
    fn rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn minimum_rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn maximum_rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn can_go_next(&self) -> bool {
        self.controller.status().state.is_active()
    }

    #[zbus(property)]
    fn can_go_previous(&self) -> bool {
        self.controller.status().state.is_active()
    }

    #[zbus(property)]
    fn can_play(&self) -> bool {
        self.controller.status().state.is_active()
    }

    #[zbus(property)]
    fn can_pause(&self) -> bool {
        self.controller.status().state.is_active()
    }

    #[zbus(property)]
    fn can_seek(&self) -> bool {
        false
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn can_control(&self) -> bool {
        true
    }
}
