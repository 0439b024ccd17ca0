//! One configuration's life on the broker: connect, publish the state as
//! it changes, take commands, and say goodbye when the configuration
//! changes or the daemon stops. Commands run one after another on a task
//! of their own, so a slow Start never holds up the state, and a broker
//! that floods commands fills a small queue and is told so.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rumqttc::AsyncClient;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::client::{self, LinkEvent};
use super::publisher::Publisher;
use super::{Choices, Ended, MqttOptions, commands, state};
use crate::controller::{Change, Command, Handle};
use crate::frontend::link::MqttLink;
use crate::session::State;
use crate::shutdown::Shutdown;

/// Requests the client holds before a publish is refused: one
/// connection's discovery and state fit with room to spare.
const CLIENT_QUEUE: usize = 64;
/// Commands waiting their turn; more are refused.
const COMMAND_QUEUE: usize = 16;
/// How often the time left is sent while a session runs.
const TICK: Duration = Duration::from_secs(1);
/// How long a goodbye may take to reach the broker.
const GOODBYE: Duration = Duration::from_secs(1);
/// Bad commands logged in a row before they are only counted.
const BAD_COMMANDS_LOGGED: u32 = 20;

pub(super) struct Run<'a> {
    pub handle: &'a Handle,
    pub options: &'a MqttOptions,
    pub link: &'a MqttLink,
    pub reconfigure: &'a mut watch::Receiver<Option<MqttOptions>>,
    pub shutdown: &'a mut Shutdown,
}

impl Run<'_> {
    pub async fn run(&mut self) -> Ended {
        let broker = self.options.broker.to_string();
        let connect = match client::connect_options(self.options) {
            Ok(connect) => connect,
            Err(e) => {
                tracing::error!("mqtt: {e}");
                self.link.set(false, &e);
                return super::wait_for_change(self.reconfigure, self.shutdown).await;
            }
        };
        self.link.set(false, &format!("connecting to {broker}"));
        let (client, eventloop) = AsyncClient::new(connect, CLIENT_QUEUE);
        let (events_tx, events) = mpsc::channel(16);
        let pump = tokio::spawn(client::pump(eventloop, events_tx, broker));
        let commands = spawn_commands(self.handle.clone(), client.clone(), self.options);
        let publisher = Publisher::new(client, self.options.clone());
        let ended = self.serve(publisher, events, commands).await;
        // The goodbye is sent by the connection's task; it ends once the
        // disconnect is out, or is cut off.
        if tokio::time::timeout(GOODBYE, pump).await.is_err() {
            tracing::debug!("mqtt: the goodbye did not reach the broker in time");
        }
        ended
    }

    async fn serve(
        &mut self,
        mut publisher: Publisher,
        mut events: mpsc::Receiver<LinkEvent>,
        commands: mpsc::Sender<(String, Command)>,
    ) -> Ended {
        let mut changes = self.handle.subscribe();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut bad = BadCommands::default();
        let mut choices = choices(self.handle).await;
        loop {
            let pending_at = tokio::time::Instant::from_std(publisher.next_state_at());
            // An idle daemon is not woken each second.
            let running = self.handle.state() == State::Running;
            tokio::select! {
                () = self.shutdown.wait() => {
                    publisher.goodbye(false, &choices);
                    return Ended::Shutdown;
                }
                changed = self.reconfigure.changed() => {
                    if changed.is_err() {
                        continue;
                    }
                    let new = self.reconfigure.borrow_and_update().clone();
                    choices = self::choices(self.handle).await;
                    if new.as_ref() == Some(self.options) {
                        // A reload may have changed the programs.
                        publisher.discovery(&choices);
                        continue;
                    }
                    publisher.goodbye(removes_entities(self.options, new.as_ref()), &choices);
                    return Ended::Reconfigured;
                }
                Some(event) = events.recv() => {
                    self.on_link(event, &mut publisher, &commands, &mut bad, &choices);
                }
                Some(change) = changes.recv() => {
                    if matches!(change, Change::Walkers) {
                        let now = self::choices(self.handle).await;
                        // Added, renamed or removed: the select offers them.
                        if now.walkers != choices.walkers {
                            choices = now;
                            publisher.discovery(&choices);
                        }
                    }
                    publisher.state(self.state());
                }
                _ = tick.tick(), if running => publisher.state(self.state()),
                () = tokio::time::sleep_until(pending_at), if publisher.pending => {
                    publisher.state(self.state());
                }
            }
        }
    }

    fn on_link(
        &self,
        event: LinkEvent,
        publisher: &mut Publisher,
        commands: &mpsc::Sender<(String, Command)>,
        bad: &mut BadCommands,
        choices: &Choices,
    ) {
        let broker = self.options.broker.to_string();
        match event {
            LinkEvent::Connected => {
                tracing::info!("mqtt: connected to {broker} as {}", self.options.topic);
                self.link.set(
                    true,
                    &format!("connected to {broker} as {}", self.options.topic),
                );
                publisher.connected(choices, self.state());
            }
            LinkEvent::Lost(why) => {
                if self.link.get().text != why {
                    tracing::warn!("mqtt: {why}; trying again");
                }
                self.link.set(false, &why);
                publisher.lost();
            }
            LinkEvent::Message {
                topic,
                payload,
                retained,
            } => self.on_message(
                &topic, &payload, retained, publisher, commands, bad, choices,
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_message(
        &self,
        topic: &str,
        payload: &[u8],
        retained: bool,
        publisher: &mut Publisher,
        commands: &mpsc::Sender<(String, Command)>,
        bad: &mut BadCommands,
        choices: &Choices,
    ) {
        let options = publisher.options();
        if topic == format!("{}/status", options.discovery_prefix) {
            // Home Assistant came back: it needs the entities again.
            if payload == b"online" {
                tracing::info!("mqtt: Home Assistant is online; announcing the entities again");
                publisher.discovery(choices);
            }
            return;
        }
        let Some(verb) = topic.strip_prefix(&format!("{}/cmd/", options.topic)) else {
            return;
        };
        // A command kept by the broker was meant for a moment gone by.
        if retained {
            bad.log(&format!(
                "{topic}: a retained command is ignored; publish commands without retain"
            ));
            return;
        }
        match commands::parse(verb, payload) {
            Ok(command) => {
                if commands.try_send((verb.to_string(), command)).is_err() {
                    bad.log(&format!(
                        "{topic}: {COMMAND_QUEUE} commands are waiting already; this one is dropped"
                    ));
                }
            }
            Err(why) => {
                bad.log(&format!("{topic}: {why}"));
                publisher.result(json!({"command": verb, "ok": false, "error": why}));
            }
        }
    }

    fn state(&self) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64);
        state::state_payload(&self.handle.status(), now)
    }
}

/// The entities go when discovery is turned off, when MQTT is, or when
/// they move to another topic or prefix (the new ones are announced
/// there).
fn removes_entities(old: &MqttOptions, new: Option<&MqttOptions>) -> bool {
    old.discovery
        && new.is_none_or(|new| {
            !new.discovery || new.topic != old.topic || new.discovery_prefix != old.discovery_prefix
        })
}

/// The programs' ids and the walkers' names, for the selects.
async fn choices(handle: &Handle) -> Choices {
    let listed = handle
        .ask(|c| Ok((c.list_programs(), c.walkers())))
        .await
        .unwrap_or_default();
    Choices {
        programs: listed.0.into_iter().map(|p| p.id).collect(),
        walkers: listed.1.into_iter().map(|w| w.name).collect(),
    }
}

/// Applies commands in the order they came, each answered on `result`.
fn spawn_commands(
    handle: Handle,
    client: AsyncClient,
    options: &MqttOptions,
) -> mpsc::Sender<(String, Command)> {
    let (tx, mut rx) = mpsc::channel::<(String, Command)>(COMMAND_QUEUE);
    let result_topic = format!("{}/result", options.topic);
    tokio::spawn(async move {
        while let Some((verb, command)) = rx.recv().await {
            let reply = match handle.apply(command).await {
                Ok(()) => json!({"command": verb, "ok": true}),
                Err(e) => {
                    tracing::info!("mqtt: {verb} refused: {e}");
                    json!({"command": verb, "ok": false, "error": e.to_string()})
                }
            };
            let qos = rumqttc::QoS::AtMostOnce;
            let _ = client.try_publish(&result_topic, qos, false, reply.to_string());
        }
    });
    tx
}

/// Logs bad commands, the first ones in full and then only a count
/// every so often: a broker full of garbage must not fill the journal.
#[derive(Default)]
struct BadCommands {
    seen: u32,
}

impl BadCommands {
    fn log(&mut self, what: &str) {
        self.seen += 1;
        if self.seen <= BAD_COMMANDS_LOGGED {
            tracing::warn!("mqtt: ignored {what}");
        } else if self.seen.is_power_of_two() {
            tracing::warn!(
                "mqtt: {} bad commands ignored so far; latest: {what}",
                self.seen
            );
        }
    }
}
