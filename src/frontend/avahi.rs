//! The web remote announced on the local network through Avahi's D-Bus
//! API (mDNS/DNS-SD), so a phone finds the Pi as `HOSTNAME.local` and
//! network browsers list "treadcue on HOSTNAME" as an `_http._tcp`
//! service. The announcement lives as long as this connection to the
//! system bus: it goes when treadcued stops, and is made again when
//! avahi-daemon comes back after a restart.

use std::time::Duration;

use futures_util::StreamExt;
use zbus::OwnedObjectPath;
use zbus::proxy;

use crate::shutdown::Shutdown;

/// The DNS-SD service type: a web page, which phones' browsers and
/// network scanners list.
pub const SERVICE_TYPE: &str = "_http._tcp";
const AVAHI: &str = "org.freedesktop.Avahi";
/// `AVAHI_IF_UNSPEC`, `AVAHI_PROTO_UNSPEC`: every interface and protocol.
const ANY: i32 = -1;
/// A DNS label is at most 63 bytes.
const MAX_NAME_BYTES: usize = 63;
const LONGEST_WAIT: Duration = Duration::from_secs(60);

// Avahi's D-Bus API: avahi-daemon/org.freedesktop.Avahi.Server.xml and
// org.freedesktop.Avahi.EntryGroup.xml in Avahi's source.
#[proxy(
    interface = "org.freedesktop.Avahi.Server",
    default_service = "org.freedesktop.Avahi",
    default_path = "/"
)]
trait Server {
    fn entry_group_new(&self) -> zbus::Result<OwnedObjectPath>;
    fn get_alternative_service_name(&self, name: &str) -> zbus::Result<String>;
}

#[proxy(
    interface = "org.freedesktop.Avahi.EntryGroup",
    default_service = "org.freedesktop.Avahi"
)]
trait EntryGroup {
    #[allow(clippy::too_many_arguments)]
    fn add_service(
        &self,
        interface: i32,
        protocol: i32,
        flags: u32,
        name: &str,
        service_type: &str,
        domain: &str,
        host: &str,
        port: u16,
        txt: Vec<Vec<u8>>,
    ) -> zbus::Result<()>;
    fn commit(&self) -> zbus::Result<()>;
    fn reset(&self) -> zbus::Result<()>;
    fn free(&self) -> zbus::Result<()>;
    #[zbus(signal)]
    fn state_changed(&self, state: i32, error: &str) -> zbus::Result<()>;
}

/// Entry group states (`AvahiEntryGroupState`).
const ESTABLISHED: i32 = 2;
const COLLISION: i32 = 3;
const FAILURE: i32 = 4;

/// The service's name on the network: "treadcue on HOSTNAME".
pub fn service_name(hostname: &str) -> String {
    let mut name = format!("treadcue on {hostname}");
    while name.len() > MAX_NAME_BYTES {
        name.pop();
    }
    name
}

/// Announces the remote on `port` until `shutdown`, announcing it again
/// whenever Avahi comes back; waits (1 s, doubling to a minute) while
/// there is no Avahi. Says once that it could not, not at every try.
pub async fn serve(hostname: String, port: u16, mut shutdown: Shutdown) {
    let mut wait = Duration::from_secs(1);
    let mut told = false;
    loop {
        match announce(&service_name(&hostname), port, &mut shutdown).await {
            Ok(()) => return,
            Err(e) if !told => {
                tracing::warn!(
                    "web: not announced on the local network ({e}); phones open the remote by its address; trying again while treadcued runs"
                );
                told = true;
            }
            Err(e) => tracing::debug!("web: not announced: {e}"),
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}

/// One announcement, from connecting to Avahi until the shutdown (Ok) or
/// Avahi is lost or fails (Err, to try again).
async fn announce(name: &str, port: u16, shutdown: &mut Shutdown) -> Result<(), String> {
    let connection = zbus::Connection::system()
        .await
        .map_err(|e| format!("no system bus: {e}"))?;
    let bus = zbus::fdo::DBusProxy::new(&connection)
        .await
        .map_err(|e| e.to_string())?;
    let mut owners = bus
        .receive_name_owner_changed_with_args(&[(0, AVAHI)])
        .await
        .map_err(|e| e.to_string())?;
    let server = ServerProxy::new(&connection)
        .await
        .map_err(|e| e.to_string())?;
    let path = server
        .entry_group_new()
        .await
        .map_err(|e| format!("Avahi (avahi-daemon) did not answer: {e}"))?;
    let group = EntryGroupProxy::builder(&connection)
        .path(path)
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let mut states = group
        .receive_state_changed()
        .await
        .map_err(|e| e.to_string())?;
    let mut name = name.to_string();
    add(&group, &name, port).await?;
    loop {
        tokio::select! {
            () = shutdown.wait() => {
                // Goodbye packets go out now rather than when the
                // connection closes.
                let _ = group.free().await;
                return Ok(());
            }
            Some(_) = owners.next() => return Err("Avahi went away".into()),
            Some(signal) = states.next() => {
                let args = signal.args().map_err(|e| e.to_string())?;
                match args.state {
                    ESTABLISHED => tracing::info!(
                        "web: announced on the local network as {name:?} ({SERVICE_TYPE}, port {port})"
                    ),
                    COLLISION => {
                        // Another machine has the name: take Avahi's next
                        // one ("treadcue on pi #2").
                        name = server
                            .get_alternative_service_name(&name)
                            .await
                            .map_err(|e| e.to_string())?;
                        group.reset().await.map_err(|e| e.to_string())?;
                        add(&group, &name, port).await?;
                    }
                    FAILURE => return Err(format!("Avahi failed: {}", args.error)),
                    _ => {}
                }
            }
        }
    }
}

/// Adds the service to the group and commits it; the path to open is in
/// the TXT record, as DNS-SD's `_http._tcp` defines it.
async fn add(group: &EntryGroupProxy<'_>, name: &str, port: u16) -> Result<(), String> {
    group
        .add_service(
            ANY,
            ANY,
            0,
            name,
            SERVICE_TYPE,
            "",
            "",
            port,
            vec![b"path=/".to_vec()],
        )
        .await
        .map_err(|e| format!("Avahi refused the service: {e}"))?;
    group
        .commit()
        .await
        .map_err(|e| format!("Avahi refused the service: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_one_dns_label_at_most() {
        assert_eq!(service_name("pi"), "treadcue on pi");
        let long = "x".repeat(100);
        assert_eq!(service_name(&long).len(), MAX_NAME_BYTES);
    }
}
