//! The note of which streams are lowered, in the state folder: written
//! before a stream is lowered and removed when all are back, so a
//! treadcued that dies mid-duck puts the music back when it next starts.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use libpulse_binding::callbacks::ListResult;
use libpulse_binding::volume::{ChannelVolumes, Volume};
use serde::{Deserialize, Serialize};

use super::streams::{Tracked, scaled};
use crate::audio::sound_server::{Connection, ServerError};
use crate::files::write_atomically;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NotedStream {
    index: u32,
    application: String,
    /// The user's volume, per channel.
    user: Vec<u32>,
    /// The lowest treadcue would set it to: a volume between the two is
    /// treadcue's doing, anything else the user's.
    lowest: Vec<u32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Note {
    streams: Vec<NotedStream>,
}

/// The note, as last written.
pub struct Remembered {
    path: Option<PathBuf>,
    written: Vec<NotedStream>,
    depth_db: f64,
}

impl Remembered {
    pub fn new(path: Option<PathBuf>, depth_db: f64) -> Remembered {
        Remembered {
            path,
            written: Vec::new(),
            depth_db,
        }
    }

    /// Notes the streams about to be lowered (or still lowered), if that
    /// changed; removes the note when none is.
    pub fn update(&mut self, lowered: &[(u32, &Tracked)]) {
        let noted: Vec<NotedStream> = lowered
            .iter()
            .map(|(index, tracked)| NotedStream {
                index: *index,
                application: tracked.application.clone(),
                user: channels(&tracked.user),
                lowest: channels(&scaled(&tracked.user, self.depth_db)),
            })
            .collect();
        if noted == self.written {
            return;
        }
        let Some(path) = &self.path else {
            self.written = noted;
            return;
        };
        let result = if noted.is_empty() {
            std::fs::remove_file(path).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
        } else {
            let note = Note {
                streams: noted.clone(),
            };
            let text = serde_json::to_vec_pretty(&note).unwrap_or_default();
            write_atomically(path, &text)
        };
        match result {
            Ok(()) => self.written = noted,
            Err(e) => tracing::warn!(
                "cannot note the lowered streams in {}: {e}; after a crash they stay lowered",
                path.display()
            ),
        }
    }
}

fn channels(volume: &ChannelVolumes) -> Vec<u32> {
    volume.get().iter().map(|v| v.0).collect()
}

/// Puts back the streams a treadcued that died left lowered, and removes
/// the note. Gives how many were put back; a note that cannot be read is
/// set aside.
pub fn restore_left_over(path: &Path) -> Result<usize, ServerError> {
    if !path.exists() {
        return Ok(0);
    }
    let mut connection = Connection::open("ducking")?;
    restore_with(&mut connection, path)
}

pub(super) fn restore_with(connection: &mut Connection, path: &Path) -> Result<usize, ServerError> {
    let note: Note = match std::fs::read(path).map(|b| serde_json::from_slice(&b)) {
        Ok(Ok(note)) => note,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Ok(Err(e)) => {
            tracing::warn!(
                "the note of lowered streams {} is damaged ({e}); set aside",
                path.display()
            );
            let _ = std::fs::rename(path, path.with_extension("json.damaged"));
            return Ok(0);
        }
        Err(e) => {
            tracing::warn!("cannot read {}: {e}", path.display());
            return Ok(0);
        }
    };
    let listed = list_volumes(connection)?;
    let mut restored = 0;
    for noted in &note.streams {
        let Some((application, volume)) = listed
            .iter()
            .find(|(i, ..)| *i == noted.index)
            .map(|(_, a, v)| (a, v))
        else {
            continue;
        };
        if *application != noted.application || !between(volume, &noted.lowest, &noted.user) {
            continue;
        }
        let mut user = *volume;
        for (channel, value) in user.get_mut().iter_mut().zip(&noted.user) {
            *channel = Volume(*value);
        }
        let operation =
            connection
                .context
                .introspect()
                .set_sink_input_volume(noted.index, &user, None);
        connection.wait(operation, &Rc::new(RefCell::new(())))?;
        restored += 1;
    }
    if restored > 0 {
        tracing::info!(
            "put back the volume of {restored} stream(s) left lowered by a treadcued that stopped mid-cue"
        );
    }
    let _ = std::fs::remove_file(path);
    Ok(restored)
}

/// Each channel of `volume` at or above `lowest` and at or below `user`.
fn between(volume: &ChannelVolumes, lowest: &[u32], user: &[u32]) -> bool {
    let values = volume.get();
    values.len() == user.len()
        && values.len() == lowest.len()
        && values
            .iter()
            .zip(lowest.iter().zip(user))
            .all(|(v, (low, high))| *low <= v.0 && v.0 <= *high)
}

/// Every playback stream: index, application, volume.
fn list_volumes(
    connection: &mut Connection,
) -> Result<Vec<(u32, String, ChannelVolumes)>, ServerError> {
    let found: Rc<RefCell<Vec<(u32, String, ChannelVolumes)>>> = Rc::default();
    let into = found.clone();
    let operation = connection
        .context
        .introspect()
        .get_sink_input_info_list(move |item| {
            if let ListResult::Item(info) = item {
                let application = info
                    .proplist
                    .get_str(libpulse_binding::proplist::properties::APPLICATION_NAME)
                    .unwrap_or_default();
                into.borrow_mut()
                    .push((info.index, application, info.volume));
            }
        });
    connection.wait(operation, &found)
}
