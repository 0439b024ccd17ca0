//! Where log lines go: the journal when systemd runs treadcued, standard
//! error otherwise. The level comes from the config, unless RUST_LOG says.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

/// Sets up logging once; later calls change nothing.
pub fn init(level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    if under_journal() {
        if let Ok(journal) = tracing_journald::layer() {
            let journal = journal.with_syslog_identifier("treadcued".into());
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(journal)
                .try_init();
            return;
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .try_init();
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
