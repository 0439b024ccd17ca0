//! MQTT: treadcue's state on a broker, Home Assistant's device discovery,
//! and commands from the broker, which become the controller's
//! [`crate::controller::Command`]s like every other front end's.
//!
//! Under the topic (`treadcue/<hostname>` unless configured):
//!
//! ```text
//!  availability   online / offline (retained; offline is the last will)
//!  state          the session as JSON (retained), on change and each
//!                 second while it runs
//!  result         what each command came to (not retained)
//!  cmd/<verb>     commands: pause, resume, next, previous, stop,
//!                 start (a program id, or JSON), start_today
//! ```
//!
//! The broker going away never holds anything else up: the connection
//! and its retries live on their own task, every publish is a
//! non-blocking try into a bounded queue, and the state is the latest
//! only, so nothing piles up while the broker is gone.

mod client;
mod commands;
mod discovery;
mod publisher;
mod session;
mod state;

use std::fmt;
use std::path::PathBuf;

use tokio::sync::watch;

use super::link::MqttLink;
use crate::controller::Handle;
use crate::shutdown::Shutdown;

pub use commands::parse as parse_command;
pub use discovery::{Choices, Entity, entities};
pub use state::state_payload;

/// The broker's address, from `mqtt://host:port` or `mqtts://host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub tls: bool,
    pub host: String,
    pub port: u16,
}

impl Broker {
    /// `mqtt://host[:port]` (port 1883) or `mqtts://host[:port]` (8883).
    pub fn parse(url: &str) -> Result<Broker, String> {
        let bad = |why: &str| {
            format!("broker {url:?} {why}; write it like mqtt://host:1883 or mqtts://host:8883")
        };
        let (tls, rest) = if let Some(rest) = url.strip_prefix("mqtts://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("mqtt://") {
            (false, rest)
        } else {
            return Err(bad("does not start with mqtt:// or mqtts://"));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = split_port(rest).map_err(|e| bad(&e))?;
        let port = port.unwrap_or(if tls { 8883 } else { 1883 });
        if host.is_empty() || host.contains(['/', '@', '?', '#', ' ']) {
            return Err(bad("has no host name, or more than a host and a port"));
        }
        Ok(Broker {
            tls,
            host: host.to_string(),
            port,
        })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_port(text: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("has an unclosed [")?;
        (host, after.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = port
        .map(|p| p.parse::<u16>().ok().filter(|p| *p > 0))
        .map(|p| p.ok_or("has a port that is not a number from 1 to 65535"))
        .transpose()?;
    Ok((host, port))
}

impl fmt::Display for Broker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// Everything the MQTT front end needs, checked by the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttOptions {
    pub broker: Broker,
    pub username: Option<String>,
    /// The password's file, read at each connection; never the password.
    pub password_file: Option<PathBuf>,
    /// Certificates to trust for mqtts://, instead of the platform's.
    pub ca_file: Option<PathBuf>,
    pub client_id: String,
    /// The topic everything is under, like `treadcue/pi`.
    pub topic: String,
    pub discovery_prefix: String,
    /// Announce the device to Home Assistant; when off, its entities are
    /// removed.
    pub discovery: bool,
    /// The device's name in Home Assistant: the machine's hostname.
    pub device_name: String,
}

impl MqttOptions {
    /// The topic's characters that Home Assistant takes in an id.
    pub fn node_id(&self) -> String {
        self.topic
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
                _ => '_',
            })
            .collect()
    }
}

/// How a connection ended.
enum Ended {
    Shutdown,
    Reconfigured,
}

/// Serves MQTT as `options` says, again whenever a reload changes them,
/// until the shutdown; with no broker set, waits for one.
pub async fn serve(
    handle: Handle,
    mut options: watch::Receiver<Option<MqttOptions>>,
    link: MqttLink,
    mut shutdown: Shutdown,
) {
    loop {
        let current = options.borrow_and_update().clone();
        let ended = match current {
            Some(current) => {
                let mut run = session::Run {
                    handle: &handle,
                    options: &current,
                    link: &link,
                    reconfigure: &mut options,
                    shutdown: &mut shutdown,
                };
                run.run().await
            }
            None => {
                link.set(false, "off");
                wait_for_change(&mut options, &mut shutdown).await
            }
        };
        if let Ended::Shutdown = ended {
            return;
        }
    }
}

/// Waits for new options or the shutdown.
async fn wait_for_change(
    options: &mut watch::Receiver<Option<MqttOptions>>,
    shutdown: &mut Shutdown,
) -> Ended {
    tokio::select! {
        changed = options.changed() => match changed {
            Ok(()) => Ended::Reconfigured,
            // No reload can come any more: wait for the end.
            Err(_) => {
                shutdown.wait().await;
                Ended::Shutdown
            }
        },
        () = shutdown.wait() => Ended::Shutdown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_parse_with_their_default_ports() {
        let b = Broker::parse("mqtt://broker.local").unwrap();
        assert_eq!(
            (b.tls, b.host.as_str(), b.port),
            (false, "broker.local", 1883)
        );
        let b = Broker::parse("mqtts://10.0.0.2:8884/").unwrap();
        assert_eq!((b.tls, b.host.as_str(), b.port), (true, "10.0.0.2", 8884));
        let b = Broker::parse("mqtt://[::1]:1884").unwrap();
        assert_eq!((b.host.as_str(), b.port), ("::1", 1884));
        assert_eq!(b.to_string(), "mqtt://[::1]:1884");
    }

    #[test]
    fn bad_brokers_say_what_is_wrong() {
        for (url, why) in [
            ("tcp://x:1883", "does not start"),
            ("mqtt://", "no host"),
            ("mqtt://x:0", "port"),
            ("mqtt://x:99999", "port"),
            ("mqtt://user@x", "no host"),
            ("mqtt://x/path", "no host"),
        ] {
            let e = Broker::parse(url).unwrap_err();
            assert!(e.contains(why) && e.contains(url), "{url}: {e}");
        }
    }
}
