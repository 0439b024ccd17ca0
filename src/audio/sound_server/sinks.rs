//! The sound server's sinks: what `treadcued devices` lists and
//! `--device` accepts by name or description.

use std::cell::RefCell;
use std::rc::Rc;

use libpulse_binding::callbacks::ListResult;

use super::{Connection, ServerError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sink {
    /// The name to give `--device`, as `bluez_output.00_1B_66_00_00_01.1`.
    pub name: String,
    /// What people call it, as "WH-1000XM4".
    pub description: String,
    pub is_default: bool,
}

impl Sink {
    /// Whether `wanted` names this sink, by name or by description.
    pub fn is_called(&self, wanted: &str) -> bool {
        self.name == wanted || self.description.eq_ignore_ascii_case(wanted)
    }
}

/// Every sink of the sound server, the default one marked.
pub fn list_sinks() -> Result<Vec<Sink>, ServerError> {
    let mut connection = Connection::open("devices")?;
    let default = default_sink(&mut connection)?;
    let found: Rc<RefCell<Vec<Sink>>> = Rc::default();
    let into = found.clone();
    let operation = connection
        .context
        .introspect()
        .get_sink_info_list(move |item| {
            if let ListResult::Item(sink) = item {
                let name = sink.name.as_deref().unwrap_or_default().to_string();
                into.borrow_mut().push(Sink {
                    is_default: default.as_deref() == Some(name.as_str()),
                    description: sink.description.as_deref().unwrap_or_default().to_string(),
                    name,
                });
            }
        });
    connection.wait(operation, &found)
}

/// The sink the server plays to when a stream names none.
pub fn default_sink(connection: &mut Connection) -> Result<Option<String>, ServerError> {
    let found: Rc<RefCell<Option<String>>> = Rc::default();
    let into = found.clone();
    let operation = connection
        .context
        .introspect()
        .get_server_info(move |info| {
            *into.borrow_mut() = info.default_sink_name.as_ref().map(|n| n.to_string());
        });
    connection.wait(operation, &found)
}
