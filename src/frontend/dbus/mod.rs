//! treadcue on D-Bus: its own interface, MPRIS for media keys and
//! headphone buttons, and the names other programs rely on.

mod announcer;
pub mod bluetooth;
mod errors;
mod export;
pub mod mpris;
mod mqtt;
pub mod pairing;
pub mod record;
mod serve;
pub mod treadcue;
mod treadcue_changes;

pub use announcer::Announcer;
pub use errors::Error;
pub use serve::{PublishError, Published, publish};

pub const NAME: &str = "io.github.treadcue.Treadcue1";
pub const PATH: &str = "/io/github/treadcue/Treadcue1";
pub const INTERFACE: &str = "io.github.treadcue.Treadcue1";
pub const MPRIS_NAME: &str = "org.mpris.MediaPlayer2.treadcue";
pub const MPRIS_PATH: &str = "/org/mpris/MediaPlayer2";

/// Which bus to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Bus {
    /// The user's session bus: PipeWire and the headphones live there.
    #[default]
    Session,
    System,
    /// Any bus address, like `unix:path=/run/treadcue/bus`.
    Address(String),
}

impl Bus {
    pub fn builder(&self) -> zbus::connection::Builder<'static> {
        match self {
            Bus::Session => zbus::connection::Builder::session(),
            Bus::System => zbus::connection::Builder::system(),
            Bus::Address(address) => zbus::connection::Builder::address(address.as_str()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Bus::Session => "the session bus".into(),
            Bus::System => "the system bus".into(),
            Bus::Address(address) => format!("the bus at {address}"),
        }
    }
}
