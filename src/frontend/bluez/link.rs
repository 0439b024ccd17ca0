//! What a connected device is to the serve loop: values coming in from
//! its characteristics, and the session's news going out to it. The
//! treadmill ([`super::treadmill`]) and the strap ([`super::heart`]) are
//! the two kinds.

use crate::bluetooth::gatt::GattError;
use crate::controller::{Controller, Handle};

/// A value a device sent, and which characteristic sent it.
pub(super) struct Incoming {
    pub from: &'static str,
    pub bytes: Vec<u8>,
}

/// What a connected device does with its values and the session's news.
pub(super) trait Link {
    /// The device's next value; `None` once its values stop.
    async fn next(&mut self) -> Option<Incoming>;
    /// A value the device sent.
    async fn on_value(&mut self, value: Incoming);
    /// The session changed.
    async fn on_change(&mut self) {}
}

/// Why a link could not be opened: the device went, or another program
/// holds what treadcue would read (asking again would change nothing).
pub(super) enum OpenError {
    Lost(String),
    Held(String),
}

impl From<GattError> for OpenError {
    fn from(e: GattError) -> OpenError {
        match e {
            GattError::Held(why) => OpenError::Held(why),
            other => OpenError::Lost(other.to_string()),
        }
    }
}

impl From<String> for OpenError {
    fn from(why: String) -> OpenError {
        OpenError::Lost(why)
    }
}

/// Hands a decoded value to the controller, off the async threads (it
/// may say something); a value that does not decode is logged with its
/// bytes and dropped.
pub(super) async fn hand_over<T: Send + 'static>(
    controller: &Handle,
    device: &str,
    bytes: &[u8],
    decoded: Result<T, crate::fitness::DecodeError>,
    take: fn(&Controller, &T),
) {
    match decoded {
        Ok(value) => controller.tell(move |c| take(c, &value)).await,
        Err(e) => tracing::warn!("{device}: {e}; ignored ({bytes:02x?})"),
    }
}
