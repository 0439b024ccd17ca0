//! The signals the daemon answers: SIGHUP reloads, SIGTERM and SIGINT
//! stop it.

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// A message for each SIGHUP, which asks for a reload. Without one, SIGHUP
/// would end the daemon.
pub fn hangups() -> UnboundedReceiver<()> {
    let (hangups, received) = unbounded_channel();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(mut signals) => {
            tokio::spawn(async move {
                while signals.recv().await.is_some() {
                    if hangups.send(()).is_err() {
                        return;
                    }
                }
            });
        }
        Err(e) => tracing::warn!("SIGHUP will not reload: {e}"),
    }
    received
}

/// Resolves at SIGTERM or SIGINT.
pub async fn terminated() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
