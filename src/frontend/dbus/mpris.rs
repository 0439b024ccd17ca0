//! MPRIS, so media keys, `playerctl` and Bluetooth headphone buttons
//! (through BlueZ's `mpris-proxy`) pause and skip. Play and Pause are
//! idempotent: BlueZ sends those, never PlayPause.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use zbus::fdo;
use zbus::interface;
use zbus::names::InterfaceName;
use zbus::object_server::{ObjectServer, SignalEmitter};
use zbus::{ObjectPath, OwnedVariant, Str, Variant};

pub use crate::controller::HeadphonePause;
use crate::controller::{Command, ControlError, Handle, MediaButton, MediaControls};
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
    pub controller: Handle,
    /// What clients were last told: properties read from it agree with
    /// the signals sent.
    pub announcer: Arc<super::Announcer>,
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
        let (was, now) = (MediaControls::of(old), MediaControls::of(new));
        if was.playback_status != now.playback_status {
            changed.insert("PlaybackStatus", Variant::from(now.playback_status));
        }
        for (name, value) in now.changed_flags(&was) {
            changed.insert(name, Variant::from(value));
        }
        if old.volume != new.volume {
            changed.insert("Volume", Variant::from(new.volume));
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

impl MprisPlayer {
    /// The buttons as clients were last told.
    fn controls(&self) -> MediaControls {
        MediaControls::of(&self.announcer.shown())
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

impl MprisPlayer {
    /// Applies a button, and announces what it changed before the call
    /// replies, as the native interface does.
    async fn press(&self, server: &ObjectServer, button: MediaButton) -> fdo::Result<()> {
        let result = self.controller.apply(button.into()).await;
        if let Err(e) = self.announcer.announce(server).await {
            tracing::warn!("cannot send a property change: {e}");
        }
        quietly(result)
    }
}

#[interface(name = "org.mpris.MediaPlayer2.Player")]
impl MprisPlayer {
    /// Resumes the session; with none, starts today's session of the
    /// course (on a rest day, says when it is due, and a second Play
    /// within seconds starts it), else the program walked last.
    async fn play(&self, #[zbus(object_server)] server: &ObjectServer) -> fdo::Result<()> {
        self.press(server, MediaButton::Play).await
    }

    async fn pause(&self, #[zbus(object_server)] server: &ObjectServer) -> fdo::Result<()> {
        self.press(server, MediaButton::Pause).await
    }

    /// With no session, what Play does: today's session.
    async fn play_pause(&self, #[zbus(object_server)] server: &ObjectServer) -> fdo::Result<()> {
        self.press(server, MediaButton::PlayPause).await
    }

    /// Stops; the session is in the history when this returns.
    async fn stop(&self, #[zbus(object_server)] server: &ObjectServer) -> fdo::Result<()> {
        self.press(server, MediaButton::Stop).await
    }

    /// The next step; after a course walk, the next rating to choose.
    async fn next(&self, #[zbus(object_server)] server: &ObjectServer) -> fdo::Result<()> {
        self.press(server, MediaButton::Next).await
    }

    async fn previous(&self, #[zbus(object_server)] server: &ObjectServer) -> fdo::Result<()> {
        self.press(server, MediaButton::Previous).await
    }

    fn set_position(&self, _track: ObjectPath<'_>, _position: i64) {}

    fn open_uri(&self, _uri: String) -> fdo::Result<()> {
        Err(fdo::Error::NotSupported(
            "treadcue plays its own programs; use Start on io.github.treadcue.Treadcue1".into(),
        ))
    }

    /// Playing, Paused or Stopped.
    #[zbus(property)]
    fn playback_status(&self) -> String {
        self.controls().playback_status.into()
    }

    /// The current step as a track of the program's album.
    #[zbus(property)]
    fn metadata(&self) -> HashMap<String, OwnedVariant> {
        let status = self.announcer.shown();
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
        self.controller.controller().volume()
    }

    #[zbus(property)]
    fn set_volume(&mut self, volume: f64) -> fdo::Result<()> {
        // MPRIS asks players to clamp rather than refuse.
        let set = Command::SetVolume(volume.clamp(0.0, 1.0));
        self.controller
            .controller()
            .apply(set)
            .map_err(|e| fdo::Error::InvalidArgs(e.to_string()))
    }

    /// Microseconds into the current step (the track), by the samples
    /// played up to now: it moves while the session plays, as MPRIS
    /// clients expect, and stands still while it is paused.
    #[zbus(property(emits_changed_signal = "false"))]
    fn position(&self) -> i64 {
        self.controller.controller().step_position().unwrap_or(0)
    }

    /// The position jumped where the track stayed the same: Previous
    /// restarted the step. A new step is told by its Metadata instead.
    #[zbus(signal)]
    pub async fn seeked(emitter: &SignalEmitter<'_>, position: i64) -> zbus::Result<()>;

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
        self.controls().can_go_next
    }

    #[zbus(property)]
    fn can_go_previous(&self) -> bool {
        self.controls().can_go_previous
    }

    /// Play always does something: with no session it starts today's
    /// (or says why it does not).
    #[zbus(property)]
    fn can_play(&self) -> bool {
        self.controls().can_play
    }

    #[zbus(property)]
    fn can_pause(&self) -> bool {
        self.controls().can_pause
    }

    #[zbus(property)]
    fn can_seek(&self) -> bool {
        false
    }

    /// MPRIS: an intrinsic capability, never changing.
    #[zbus(property(emits_changed_signal = "const"))]
    fn can_control(&self) -> bool {
        self.controls().can_control
    }
}
