//! The player BlueZ sends headphone buttons to: the MPRIS player
//! interface, on the system bus, at [`super::PLAYER_PATH`]. BlueZ calls
//! Play, Pause, Next and Previous as the buttons are pressed (AVRCP), and
//! reads PlaybackStatus to tell the headphones. It passes a button on
//! only while the player says it can take it (CanPause, CanGoNext,
//! CanGoPrevious, and CanControl): those come from the one view MPRIS
//! shows too, and [`super::Buttons`] announces every change of them.

use std::collections::HashMap;

use zbus::fdo;
use zbus::interface;
use zbus::{OwnedVariant as OwnedValue, Str};

use crate::controller::{ControlError, Handle, MediaButton, MediaControls};
use crate::session::Status;

pub struct ButtonsPlayer {
    pub controller: Handle,
}

/// A button for a session that cannot take it (Next on the last step,
/// Pause with nothing playing) is no error to a pair of headphones.
fn quietly(result: Result<(), ControlError>) -> fdo::Result<()> {
    if let Err(e) = result {
        tracing::debug!("headphone button: {e}");
    }
    Ok(())
}

impl ButtonsPlayer {
    async fn press(&self, button: MediaButton) -> fdo::Result<()> {
        quietly(self.controller.apply(button.into()).await)
    }
}

#[interface(name = "org.mpris.MediaPlayer2.Player")]
impl ButtonsPlayer {
    /// Resumes, or with no session starts today's (as MPRIS Play does).
    async fn play(&self) -> fdo::Result<()> {
        self.press(MediaButton::Play).await
    }

    async fn pause(&self) -> fdo::Result<()> {
        self.press(MediaButton::Pause).await
    }

    async fn play_pause(&self) -> fdo::Result<()> {
        self.press(MediaButton::PlayPause).await
    }

    async fn stop(&self) -> fdo::Result<()> {
        self.press(MediaButton::Stop).await
    }

    /// The next step; after a course walk, the next rating to choose.
    async fn next(&self) -> fdo::Result<()> {
        self.press(MediaButton::Next).await
    }

    async fn previous(&self) -> fdo::Result<()> {
        self.press(MediaButton::Previous).await
    }

    #[zbus(property)]
    pub fn playback_status(&self) -> String {
        self.controls().playback_status.into()
    }

    #[zbus(property)]
    fn metadata(&self) -> HashMap<String, OwnedValue> {
        metadata(&self.controller.status())
    }

    #[zbus(property)]
    fn can_play(&self) -> bool {
        self.controls().can_play
    }

    #[zbus(property)]
    fn can_pause(&self) -> bool {
        self.controls().can_pause
    }

    #[zbus(property)]
    fn can_go_next(&self) -> bool {
        self.controls().can_go_next
    }

    #[zbus(property)]
    fn can_go_previous(&self) -> bool {
        self.controls().can_go_previous
    }

    #[zbus(property)]
    fn can_control(&self) -> bool {
        self.controls().can_control
    }
}

impl ButtonsPlayer {
    fn controls(&self) -> MediaControls {
        MediaControls::of(&self.controller.status())
    }
}

/// What the headphones may show: the step and the program. Only keys
/// and types that BlueZ's `parse_player_metadata` reads: one it cannot
/// read would make it refuse the whole registration.
pub fn metadata(status: &Status) -> HashMap<String, OwnedValue> {
    let mut metadata = HashMap::new();
    let mut put = |key: &str, text: String| {
        if let Ok(value) = OwnedValue::try_from(zbus::Variant::from(Str::from(text))) {
            metadata.insert(key.to_string(), value);
        }
    };
    if status.state.is_active() {
        put("xesam:title", status.step_name.clone());
        put("xesam:album", status.program_name.clone());
    } else {
        put("xesam:title", "treadcue".into());
    }
    metadata
}
