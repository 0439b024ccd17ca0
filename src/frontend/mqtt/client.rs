//! The connection to the broker: its options (credentials, TLS, the last
//! will) and the task that drives it, reconnecting with backoff, and
//! hands on only what the front end acts on.

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{
    ConnectReturnCode, ConnectionError, Event, EventLoop, Incoming, LastWill, Outgoing, QoS,
    TlsConfiguration, Transport,
};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto};

use super::MqttOptions;

/// How often the broker hears from us: a Pi that loses power shows
/// offline within one and a half of these.
const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// The largest message taken from the broker: commands are short.
const MAX_INCOMING: usize = 64 * 1024;
/// The largest message sent: the program select's discovery lists every
/// program.
const MAX_OUTGOING: usize = 256 * 1024;
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LAST_RETRY: Duration = Duration::from_secs(30);

/// What the connection's task tells the front end.
#[derive(Debug)]
pub enum LinkEvent {
    Connected,
    /// The connection failed or was lost, and why; it is tried again.
    Lost(String),
    /// A message on a subscribed topic. `retained` ones come from the
    /// broker's store, not from someone now.
    Message {
        topic: String,
        payload: Vec<u8>,
        retained: bool,
    },
}

/// The availability topic.
pub fn availability(options: &MqttOptions) -> String {
    format!("{}/availability", options.topic)
}

/// The connection's options: who we are, the last will that says
/// offline, the credentials (the password read from its file now) and
/// TLS for mqtts://.
pub fn connect_options(options: &MqttOptions) -> Result<rumqttc::MqttOptions, String> {
    let broker = &options.broker;
    let mut mqtt = rumqttc::MqttOptions::new(&options.client_id, &broker.host, broker.port);
    mqtt.set_keep_alive(KEEP_ALIVE)
        .set_clean_session(true)
        .set_max_packet_size(MAX_INCOMING, MAX_OUTGOING)
        .set_last_will(LastWill::new(
            availability(options),
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
    if let Some(username) = &options.username {
        mqtt.set_credentials(username, password(options)?);
    }
    if broker.tls {
        mqtt.set_transport(tls(options)?);
    }
    Ok(mqtt)
}

/// The password from `password_file`, without its line end; none when
/// no file is named.
fn password(options: &MqttOptions) -> Result<String, String> {
    let Some(path) = &options.password_file else {
        return Ok(String::new());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read [mqtt] password_file {}: {e}", path.display()))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// TLS trusting `ca_file`'s certificates, or the platform's.
fn tls(options: &MqttOptions) -> Result<Transport, String> {
    let mut roots = RootCertStore::empty();
    match &options.ca_file {
        Some(path) => {
            let in_file = |e: String| format!("[mqtt] ca_file {}: {e}", path.display());
            let pem = std::fs::read(path).map_err(|e| in_file(e.to_string()))?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| in_file(e.to_string()))?;
                roots.add(cert).map_err(|e| in_file(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(in_file("holds no PEM certificate".into()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err("no trusted certificates on this machine for mqtts:// (install ca-certificates, or name the broker's CA in [mqtt] ca_file)".into());
            }
        }
    }
    let config = ClientConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Transport::tls_with_config(TlsConfiguration::Rustls(
        Arc::new(config),
    )))
}

/// Drives the connection until it is disconnected on purpose or the
/// front end is gone: connects, and after a failure waits (1 s, doubling
/// to 30 s) and connects again.
pub async fn pump(mut eventloop: EventLoop, events: mpsc::Sender<LinkEvent>, broker: String) {
    let mut retry = FIRST_RETRY;
    loop {
        let event = match eventloop.poll().await {
            Ok(Event::Incoming(Incoming::ConnAck(_))) => {
                retry = FIRST_RETRY;
                LinkEvent::Connected
            }
            Ok(Event::Incoming(Incoming::Publish(message))) => LinkEvent::Message {
                topic: message.topic,
                payload: message.payload.to_vec(),
                retained: message.retain,
            },
            Ok(Event::Outgoing(Outgoing::Disconnect)) => return,
            Ok(_) => continue,
            Err(e) => {
                let lost = LinkEvent::Lost(describe(&e, &broker));
                if events.send(lost).await.is_err() {
                    return;
                }
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(LAST_RETRY);
                continue;
            }
        };
        if events.send(event).await.is_err() {
            return;
        }
    }
}

/// Why the connection failed, as a person reads it.
fn describe(error: &ConnectionError, broker: &str) -> String {
    match error {
        ConnectionError::ConnectionRefused(code) => {
            let why = match code {
                ConnectReturnCode::BadUserNamePassword => {
                    "the user name or password is wrong ([mqtt] username, password_file)"
                }
                ConnectReturnCode::NotAuthorized => {
                    // mosquitto's answer to a wrong password too.
                    "not authorized: the user name or password is wrong, or this client may not connect ([mqtt] username, password_file)"
                }
                ConnectReturnCode::BadClientId => {
                    "it does not take the client id ([mqtt] client_id)"
                }
                ConnectReturnCode::ServiceUnavailable => "it is unavailable",
                ConnectReturnCode::RefusedProtocolVersion => "it does not speak MQTT 3.1.1",
                ConnectReturnCode::Success => "no reason given",
            };
            format!("{broker} refused the connection: {why}")
        }
        ConnectionError::Tls(e) => format!("TLS with {broker} failed: {e}"),
        ConnectionError::Io(e) => format!("cannot reach {broker}: {e}"),
        ConnectionError::NetworkTimeout => format!("{broker} did not answer in time"),
        other => format!("the connection to {broker} was lost: {other}"),
    }
}
