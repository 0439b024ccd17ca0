//! The names treadcue answers to. A page on another site can have its
//! name resolve to the Pi (DNS rebinding) and then call the API as if it
//! were the Pi's own page, its `Origin` matching the `Host` it sent. So
//! only the Pi's own names and addresses are accepted as `Host`: an IP
//! address, `localhost`, this machine's hostname and `HOSTNAME.local`
//! (mDNS), and the names in `[web] hosts`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Web;
use super::api::ApiError;

/// The names accepted besides IP addresses, in lower case.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Arc<[String]>,
}

impl AllowedHosts {
    /// `localhost`, this machine's hostname and its `.local` name, and
    /// `extra` (from the config).
    pub fn new(extra: &[String]) -> AllowedHosts {
        let mut names = vec!["localhost".to_string()];
        if let Some(hostname) = hostname() {
            names.push(format!("{hostname}.local"));
            names.push(hostname);
        }
        names.extend(extra.iter().map(|name| normal(name)));
        AllowedHosts {
            names: names.into(),
        }
    }

    /// Whether a `Host` header names this machine.
    pub fn allows(&self, host: &str) -> bool {
        let name = without_port(host);
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        let name = normal(name);
        self.names.contains(&name)
    }
}

/// Lower case, without the root's trailing dot.
fn normal(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `host:port`, `[v6]:port`, `[v6]` or `host` to the name or address.
fn without_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

pub(super) fn hostname() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = normal(&name);
    (!name.is_empty()).then_some(name)
}

/// Refuses a request whose `Host` is not one of this machine's names
/// (421, `UnknownHost`), before anything else looks at it.
pub async fn known_host(State(web): State<Web>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if web.hosts.allows(host) {
        return next.run(request).await;
    }
    tracing::debug!("web: refused a request for the host {host:?}");
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "UnknownHost",
        &format!(
            "treadcue answers only to this machine's own names and addresses: {host:?} is not \
             one of them (add it to [web] hosts in the config)"
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_own_names_pass_and_others_do_not() {
        let hosts = AllowedHosts::new(&["Treadmill.Example.".into()]);
        for good in [
            "192.168.1.20:8321",
            "192.168.1.20",
            "[fe80::1]:8321",
            "[::1]",
            "localhost:8321",
            "treadmill.example:8321",
            "TREADMILL.EXAMPLE",
        ] {
            assert!(hosts.allows(good), "{good}");
        }
        for bad in [
            "evil.example",
            "evil.example:8321",
            "",
            "localhost.evil.example",
            "1.2.3.4.evil",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }
}
