//! BlueZ, the Bluetooth daemon, as a front end: headphone buttons with no
//! desktop. treadcued puts its own player on the system bus and registers
//! it with `org.bluez.Media1.RegisterPlayer` on every adapter, as BlueZ's
//! `mpris-proxy` does for desktop players, so AVRCP button presses reach
//! it whether it runs in a user session or as a system service. It
//! registers again when an adapter appears or `bluetoothd` restarts, and
//! unregisters at exit. Like every front end it only asks the controller.

mod belt;
mod heart;
mod link;
mod player;
mod sensors;
mod treadmill;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt;
use zbus::fdo::{DBusProxy, ObjectManagerProxy};
use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;
use zbus::{ObjectPath, OwnedObjectPath, OwnedVariant as OwnedValue, Variant as Value};

use crate::controller::{Change, Handle, MediaControls};
use crate::session::Status;
use crate::shutdown::Shutdown;
pub use player::ButtonsPlayer;
pub use sensors::serve_sensors;

/// Where treadcued's player is, on the system bus.
pub const PLAYER_PATH: &str = "/io/github/treadcue/Treadcue1/bluez_player";
const BLUEZ: &str = "org.bluez";
const ADAPTER: &str = "org.bluez.Adapter1";
const PLAYER_INTERFACE: &str = "org.mpris.MediaPlayer2.Player";
/// How often, and how far apart, a registration an adapter refuses is
/// tried again (BlueZ may add the media interface just after the adapter).
const TRIES: u32 = 5;
const RETRY: Duration = Duration::from_millis(500);

#[zbus::proxy(interface = "org.bluez.Media1", default_service = "org.bluez")]
trait Media {
    fn register_player(
        &self,
        player: &ObjectPath<'_>,
        properties: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<()>;

    fn unregister_player(&self, player: &ObjectPath<'_>) -> zbus::Result<()>;
}

/// Serves the buttons' player on the system bus (or the bus
/// `DBUS_SYSTEM_BUS_ADDRESS` names) until the shutdown, then
/// unregisters it. Without a system bus it logs why and returns.
pub async fn serve_buttons(controller: Handle, stop: Shutdown) {
    let connection = zbus::connection::Builder::system()
        .serve_at(
            PLAYER_PATH,
            ButtonsPlayer {
                controller: controller.clone(),
            },
        )
        .build()
        .await;
    match connection {
        Ok(connection) => {
            let mut buttons = Buttons {
                connection,
                controller,
                registered: HashSet::new(),
                told: None,
            };
            if let Err(e) = buttons.run(stop).await {
                tracing::warn!("headphone buttons through BlueZ stopped: {e}");
            }
        }
        Err(e) => tracing::info!(
            "no system bus ({e}): headphone buttons reach treadcue only through MPRIS"
        ),
    }
}

struct Buttons {
    connection: zbus::Connection,
    controller: Handle,
    /// The adapters the player is registered with.
    registered: HashSet<OwnedObjectPath>,
    /// What BlueZ was last told of the player, by a registration or a
    /// PropertiesChanged: a change is announced against it.
    told: Option<Face>,
}

/// What BlueZ keeps of the player: the buttons it passes on, and what
/// the headphones may show.
#[derive(Debug, Clone, PartialEq)]
struct Face {
    controls: MediaControls,
    metadata: HashMap<String, OwnedValue>,
}

impl Face {
    fn of(status: &Status) -> Face {
        Face {
            controls: MediaControls::of(status),
            metadata: player::metadata(status),
        }
    }

    /// Every property, as a registration tells them.
    fn all(&self) -> HashMap<&'static str, Value<'static>> {
        let mut all = HashMap::from([
            (
                "PlaybackStatus",
                Value::from(self.controls.playback_status.to_string()),
            ),
            ("Metadata", metadata_value(&self.metadata)),
        ]);
        for (name, value) in self.controls.flags() {
            all.insert(name, Value::from(value));
        }
        all
    }

    /// What differs from `before`.
    fn changes(&self, before: &Face) -> HashMap<&'static str, Value<'static>> {
        let mut changed = HashMap::new();
        if self.controls.playback_status != before.controls.playback_status {
            let status = self.controls.playback_status.to_string();
            changed.insert("PlaybackStatus", Value::from(status));
        }
        for (name, value) in self.controls.changed_flags(&before.controls) {
            changed.insert(name, Value::from(value));
        }
        if self.metadata != before.metadata {
            changed.insert("Metadata", metadata_value(&self.metadata));
        }
        changed
    }
}

fn metadata_value(metadata: &HashMap<String, OwnedValue>) -> Value<'static> {
    let copy: HashMap<String, Value<'static>> = metadata
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), Value::from(value.try_clone().ok()?))))
        .collect();
    Value::from(copy)
}

impl Buttons {
    async fn run(&mut self, mut stop: Shutdown) -> zbus::Result<()> {
        let bus = DBusProxy::new(&self.connection).await?;
        let mut owners = bus
            .receive_name_owner_changed_with_args(&[(0, BLUEZ)])
            .await?;
        let mut changes = self.controller.subscribe();
        let mut added = self.watch_adapters().await?;
        if bus.name_has_owner(BLUEZ.try_into()?).await? {
            self.register_everywhere().await;
        } else {
            tracing::info!("BlueZ is not running: headphone buttons wait for it");
        }
        loop {
            tokio::select! {
                () = stop.wait() => break,
                Some(owner) = owners.next() => {
                    // bluetoothd restarted (or stopped): what it knew is gone.
                    self.registered.clear();
                    let back = owner.args().is_ok_and(|a| a.new_owner().is_some());
                    if back {
                        added = self.watch_adapters().await?;
                        self.register_everywhere().await;
                    }
                }
                Some(signal) = added.next() => {
                    if let Ok(args) = signal.args()
                        && args.interfaces_and_properties().keys().any(|i| i.as_str() == ADAPTER)
                    {
                        self.register(args.object_path().clone().into()).await;
                    }
                }
                Some(change) = changes.recv() => {
                    if matches!(change, Change::Session { .. }) {
                        self.announce().await;
                    }
                }
            }
        }
        self.unregister_everywhere().await;
        Ok(())
    }

    async fn watch_adapters(&self) -> zbus::Result<zbus::fdo::InterfacesAddedStream> {
        self.objects().await?.receive_interfaces_added().await
    }

    async fn objects(&self) -> zbus::Result<ObjectManagerProxy<'static>> {
        ObjectManagerProxy::builder(&self.connection)
            .destination(BLUEZ)
            .path("/")
            .build()
            .await
    }

    async fn register_everywhere(&mut self) {
        let objects = match self.objects().await {
            Ok(objects) => objects.get_managed_objects().await,
            Err(e) => Err(e.into()),
        };
        let adapters: Vec<OwnedObjectPath> = match objects {
            Ok(objects) => objects
                .into_iter()
                .filter(|(_, interfaces)| interfaces.keys().any(|i| i.as_str() == ADAPTER))
                .map(|(path, _)| path)
                .collect(),
            Err(e) => {
                tracing::warn!("cannot list BlueZ's adapters: {e}");
                return;
            }
        };
        for adapter in adapters {
            self.register(adapter).await;
        }
    }

    /// Registers the player with one adapter, trying again a few times if
    /// it refuses at first.
    async fn register(&mut self, adapter: OwnedObjectPath) {
        if self.registered.contains(&adapter) {
            return;
        }
        let player = ObjectPath::from_static_str_unchecked(PLAYER_PATH);
        for attempt in 1..=TRIES {
            let result = match self.media(&adapter).await {
                Ok(media) => media.register_player(&player, self.properties()).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    tracing::info!(
                        "headphone buttons: registered with BlueZ on {}",
                        adapter.as_str()
                    );
                    self.registered.insert(adapter);
                    return;
                }
                Err(e) if attempt == TRIES => {
                    tracing::warn!("BlueZ refused the player on {}: {e}", adapter.as_str());
                }
                Err(_) => tokio::time::sleep(RETRY).await,
            }
        }
    }

    async fn unregister_everywhere(&mut self) {
        let player = ObjectPath::from_static_str_unchecked(PLAYER_PATH);
        for adapter in std::mem::take(&mut self.registered) {
            if let Ok(media) = self.media(&adapter).await {
                let _ = media.unregister_player(&player).await;
            }
        }
    }

    async fn media(&self, adapter: &OwnedObjectPath) -> zbus::Result<MediaProxy<'static>> {
        MediaProxy::builder(&self.connection)
            .path(adapter.clone())
            .build()
            .await
    }

    /// What BlueZ is told of the player when it registers: the truth
    /// as of now, which later changes are announced against.
    fn properties(&mut self) -> HashMap<&'static str, Value<'static>> {
        let face = Face::of(&self.controller.status());
        let all = face.all();
        self.told = Some(face);
        all
    }

    /// Tells BlueZ (and so the headphones) what changed since it was
    /// last told, in one PropertiesChanged: it reads the flags from there
    /// (`media.c`, `properties_changed`) and passes a button on only
    /// while its flag is true.
    async fn announce(&mut self) {
        let now = Face::of(&self.controller.status());
        let changed = match &self.told {
            Some(before) => now.changes(before),
            None => now.all(),
        };
        self.told = Some(now);
        if changed.is_empty() {
            return;
        }
        let emitter = match SignalEmitter::new(&self.connection, PLAYER_PATH) {
            Ok(emitter) => emitter,
            Err(e) => return tracing::warn!("headphone buttons: {e}"),
        };
        let interface = InterfaceName::from_static_str_unchecked(PLAYER_INTERFACE);
        let sent = zbus::fdo::Properties::properties_changed(
            &emitter,
            interface,
            changed,
            Cow::Borrowed(&[]),
        )
        .await;
        if let Err(e) = sent {
            tracing::warn!("headphone buttons: cannot tell BlueZ what changed: {e}");
        }
    }
}
