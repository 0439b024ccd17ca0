//! Where log lines go: the journal when systemd runs treadcued, standard
//! error otherwise. The level comes from the config, unless RUST_LOG says.

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{Registry, reload};

/// The filter in force, which a reload of the config may change.
static FILTER: OnceLock<reload::Handle<Targets, Registry>> = OnceLock::new();

/// Sets up logging once; later calls change nothing.
pub fn init(level: &str) {
    let (filter, handle) = reload::Layer::new(filter(rust_log().as_deref(), level));
    if FILTER.set(handle).is_err() {
        return;
    }
    if under_journal()
        && let Ok(journal) = tracing_journald::layer()
    {
        let journal = journal.with_syslog_identifier("treadcued".into());
        let _ = tracing_subscriber::registry()
            .with(filter)
            .with(journal)
            .try_init();
        return;
    }
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .try_init();
}

/// A new configured level, from a reload; RUST_LOG, when set, still wins.
pub fn set_level(level: &str) {
    if let Some(handle) = FILTER.get() {
        let _ = handle.reload(filter(rust_log().as_deref(), level));
    }
}

fn rust_log() -> Option<String> {
    std::env::var("RUST_LOG").ok()
}

/// RUST_LOG when it says something ("debug", or "treadcue=debug,zbus=warn"),
/// else the configured level. Targets, not a regex filter: a lighter
/// binary for a small machine.
fn filter(rust_log: Option<&str>, level: &str) -> Targets {
    let parse = |spec: &str| spec.trim().parse::<Targets>().ok();
    rust_log
        .filter(|spec| !spec.trim().is_empty())
        .and_then(parse)
        .or_else(|| parse(level))
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

/// systemd connects standard error to the journal and says so in
/// JOURNAL_STREAM ("device:inode"); a shell started from such a service
/// keeps the variable but not the stream, so both are compared.
fn under_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(stream) = std::env::var("JOURNAL_STREAM") else {
        return false;
    };
    let Some((device, inode)) = stream.split_once(':') else {
        return false;
    };
    let Ok(stderr) = std::fs::metadata("/proc/self/fd/2") else {
        return false;
    };
    device.parse() == Ok(stderr.dev()) && inode.parse() == Ok(stderr.ino())
}
