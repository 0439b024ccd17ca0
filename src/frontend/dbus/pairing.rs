//! `io.github.treadcue.Treadcue1.Web`: the web remote's paired phones,
//! for a local user allowed to control treadcue (`treadcuectl web`).

use std::sync::Arc;
use std::time::Instant;

use zbus::interface;

use super::Error;
use crate::frontend::pairing::Pairing;

pub struct WebPairing {
    pub pairing: Arc<Pairing>,
    /// Where a phone opens the web remote; empty when it is off.
    pub addresses: Vec<String>,
}

#[interface(name = "io.github.treadcue.Treadcue1.Web")]
impl WebPairing {
    /// A new pairing code for a phone, good for two minutes; it replaces
    /// any code asked for before. It takes no argument, and a call with
    /// one is refused (InvalidArgs): a method that takes only `self`
    /// gets its body unread by zbus, while one that takes the header has
    /// its body checked against the signature, here empty.
    async fn pairing_code(
        &self,
        #[zbus(header)] _header: zbus::message::Header<'_>,
    ) -> Result<String, Error> {
        let code = self
            .pairing
            .new_code(Instant::now())
            .map_err(|e| Error::InvalidState(e.to_string()))?;
        tracing::info!("web: a pairing code was given out over D-Bus");
        Ok(code)
    }

    /// The paired phones: id, name, first and last seen (microseconds
    /// since the Unix epoch).
    #[zbus(out_args("devices"))]
    async fn devices(&self) -> Vec<(String, String, i64, i64)> {
        self.pairing
            .devices()
            .into_iter()
            .map(|d| (d.id, d.name, d.first_seen, d.last_seen))
            .collect()
    }

    /// The URLs a phone opens the web remote at, `HOSTNAME.local` first;
    /// empty when the remote is off. Fixed until a restart.
    #[zbus(property(emits_changed_signal = "const"))]
    async fn addresses(&self) -> Vec<String> {
        self.addresses.clone()
    }

    /// Forgets the phone `id`, or every phone when `id` is empty; how
    /// many were forgotten.
    async fn forget(&self, id: String) -> Result<u32, Error> {
        let which = (!id.is_empty()).then_some(id.as_str());
        let forgotten = self
            .pairing
            .forget(which, Instant::now())
            .map_err(|e| Error::Storage(e.to_string()))?;
        tracing::info!("web: {forgotten} paired phone(s) forgotten");
        Ok(forgotten as u32)
    }
}
