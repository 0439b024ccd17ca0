//! The ducker's thread: connects to the sound server (again after it
//! restarts), follows the streams on treadcue's sink, and sets their
//! volumes to the envelope's level every tick.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use libpulse_binding as pulse;
use pulse::callbacks::ListResult;
use pulse::context::introspect::SinkInputInfo;
use pulse::context::subscribe::InterestMaskSet;
use pulse::operation::{Operation, State as OperationState};
use pulse::proplist::properties;
use pulse::volume::ChannelVolumes;

use super::DuckingOptions;
use super::envelope::{Envelope, LEAD, gain_db};
use super::remembered::{Remembered, restore_with};
use super::streams::{Seen, Streams};
use crate::audio::slot::{Slot, lock};
use crate::audio::sound_server::{Connection, ServerError};

/// How often the level is worked out and the volumes set while it moves
/// or a cue is near...
const TICK: Duration = Duration::from_millis(10);
/// ...and otherwise: the sequencer is asked again well before the next
/// attack must begin.
const IDLE_TICK: Duration = Duration::from_millis(50);
/// How far ahead the sequencer is asked for what is coming: well past
/// the longest attack.
const HORIZON: Duration = Duration::from_secs(3);
/// The smallest step of a ramp, in dB: smooth to the ear, and half the
/// round trips of one step per tick on a long release.
const STEP_DB: f64 = 0.5;
/// Listings asked for by changes alone come no closer than this (a ramp
/// of treadcue's own makes a change every tick; those are checked by
/// the listing each set waits for).
const LISTING_GAP: Duration = Duration::from_millis(100);
/// Longest wait between attempts to reach a sound server that went away.
const MAX_RETRY: Duration = Duration::from_secs(2);

/// Whether this process has said there is no sound server to duck on:
/// once is enough, not once a session.
static TOLD_NO_SERVER: AtomicBool = AtomicBool::new(false);

pub fn run(options: DuckingOptions, slot: Slot, rate: u32, stop: &AtomicBool) {
    let mut told = TOLD_NO_SERVER.load(Ordering::SeqCst);
    let mut wait = Duration::from_millis(250);
    while !stop.load(Ordering::SeqCst) {
        match Connection::open("ducking") {
            Ok(connection) => {
                wait = Duration::from_millis(250);
                let mut duck = Duck::new(&options, connection);
                match duck.run(&slot, rate, stop) {
                    Ok(()) => return,
                    Err(e) => tracing::info!("ducking paused: {e}; trying the sound server again"),
                }
            }
            Err(e) if !told => {
                tracing::info!("no sound server ({e}): other audio is not lowered under the cues");
                told = true;
                TOLD_NO_SERVER.store(true, Ordering::SeqCst);
            }
            Err(_) => {}
        }
        sleep_unless_stopped(wait, stop);
        wait = (wait * 2).min(MAX_RETRY);
    }
}

fn sleep_unless_stopped(wait: Duration, stop: &AtomicBool) {
    let until = Instant::now() + wait;
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

type Listing = Rc<RefCell<Option<Vec<Seen>>>>;
type ListingOperation = Operation<dyn FnMut(ListResult<&SinkInputInfo>)>;

/// A listing asked for, and what treadcue had set when it asked.
struct Pending {
    operation: ListingOperation,
    expected: HashMap<u32, ChannelVolumes>,
}

struct Duck {
    connection: Connection,
    streams: Streams,
    envelope: Envelope,
    note: Remembered,
    note_path: Option<std::path::PathBuf>,
    depth_db: f64,
    attack: Duration,
    /// A stream came, went or changed: list them again.
    changed: Rc<Cell<bool>>,
    listing: Listing,
    pending: Option<Pending>,
    listed_at: Option<Instant>,
    /// The level the volumes were last set for. Volumes are only set
    /// right after a listing shows them as they are: a volume the user
    /// set meanwhile is seen and kept, not written over by the next step
    /// of a ramp.
    applied: f64,
}

impl Duck {
    fn new(options: &DuckingOptions, connection: Connection) -> Duck {
        Duck {
            connection,
            streams: Streams::new(options.never_duck.clone()),
            envelope: Envelope::new(options.attack, options.release),
            note: Remembered::new(options.note.clone(), options.depth_db),
            note_path: options.note.clone(),
            depth_db: options.depth_db,
            attack: options.attack,
            changed: Rc::new(Cell::new(true)),
            listing: Rc::default(),
            pending: None,
            listed_at: None,
            applied: 0.0,
        }
    }

    fn run(&mut self, slot: &Slot, rate: u32, stop: &AtomicBool) -> Result<(), ServerError> {
        if let Some(path) = &self.note_path {
            restore_with(&mut self.connection, path)?;
        }
        let changed = self.changed.clone();
        self.connection
            .context
            .set_subscribe_callback(Some(Box::new(move |_, _, _| changed.set(true))));
        drop(
            self.connection
                .context
                .subscribe(InterestMaskSet::SINK_INPUT, |_| {}),
        );
        let mut last = Instant::now();
        let mut tick = TICK;
        loop {
            self.connection.iterate(tick)?;
            if stop.load(Ordering::SeqCst) {
                return self.put_all_back();
            }
            let now = Instant::now();
            let sounds = sounds_ahead(slot, rate);
            let level = self
                .envelope
                .advance(&sounds, now.duration_since(last).as_secs_f64());
            last = now;
            self.take_listing(level);
            self.ask_listing(self.step_due(level));
            tick = if level > 0.0 || self.near(&sounds) {
                TICK
            } else {
                IDLE_TICK
            };
        }
    }

    /// Whether the volumes should follow `level` now: by steps of at least
    /// [`STEP_DB`], and exactly at either end.
    fn step_due(&self, level: f64) -> bool {
        let moved = (gain_db(self.depth_db, level) - gain_db(self.depth_db, self.applied)).abs();
        let at_an_end = (level == 0.0 || level == 1.0) && level != self.applied;
        moved >= STEP_DB || at_an_end
    }

    /// Whether a sound starts soon enough that the attack may begin
    /// before the next idle tick is over.
    fn near(&self, sounds: &[(f64, f64)]) -> bool {
        let soon = self.attack.as_secs_f64() + LEAD.as_secs_f64() + 2.0 * IDLE_TICK.as_secs_f64();
        sounds.iter().any(|&(start, _)| start <= soon)
    }

    /// Takes in a listing that came back, and sets the volumes for
    /// `level` at once: streams that appeared are lowered, ones that left
    /// go back, and the user's own changes are kept.
    fn take_listing(&mut self, level: f64) {
        let done = self
            .pending
            .as_ref()
            .is_some_and(|p| p.operation.get_state() != OperationState::Running);
        if !done {
            return;
        }
        let pending = self.pending.take().expect("checked above");
        let Some(listing) = self.listing.take() else {
            self.changed.set(true);
            return;
        };
        let put_back = self.streams.observe(&listing, &pending.expected);
        self.set(&put_back);
        let changes = self.streams.lower_to(gain_db(self.depth_db, level));
        self.set(&changes);
        self.applied = level;
    }

    /// Lists the streams when the volumes are due to change, or (not too
    /// often) when the server says a stream changed; one at a time.
    fn ask_listing(&mut self, due: bool) {
        if self.pending.is_some() {
            return;
        }
        let recent = self.listed_at.is_some_and(|at| at.elapsed() < LISTING_GAP);
        if !due && (recent || !self.changed.get()) {
            return;
        }
        self.changed.set(false);
        self.listed_at = Some(Instant::now());
        let into = self.listing.clone();
        let mut found = Vec::new();
        let own = std::process::id().to_string();
        let operation = self
            .connection
            .context
            .introspect()
            .get_sink_input_info_list(move |item| match item {
                ListResult::Item(info) => found.push(seen(info, &own)),
                ListResult::End => *into.borrow_mut() = Some(std::mem::take(&mut found)),
                ListResult::Error => {}
            });
        self.pending = Some(Pending {
            operation,
            expected: self.streams.expected(),
        });
    }

    /// Notes what is lowered, then sets the volumes.
    fn set(&mut self, changes: &[(u32, ChannelVolumes)]) {
        if changes.is_empty() {
            return;
        }
        self.note.update(&self.streams.lowered());
        let mut introspect = self.connection.context.introspect();
        for (index, volume) in changes {
            // A stream that ended meanwhile refuses: nothing to do.
            drop(introspect.set_sink_input_volume(*index, volume, None));
        }
    }

    /// Every stream back at its user's volume before the ducker stops.
    fn put_all_back(&mut self) -> Result<(), ServerError> {
        self.envelope.reset();
        let changes = self.streams.lower_to(0.0);
        let mut introspect = self.connection.context.introspect();
        let sent: Vec<_> = changes
            .iter()
            .map(|(index, volume)| introspect.set_sink_input_volume(*index, volume, None))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(1);
        while sent
            .iter()
            .any(|o| o.get_state() == OperationState::Running)
            && Instant::now() < deadline
        {
            self.connection.iterate(TICK)?;
        }
        self.note.update(&self.streams.lowered());
        Ok(())
    }
}

fn seen(info: &SinkInputInfo, own_pid: &str) -> Seen {
    let property = |key: &str| info.proplist.get_str(key);
    Seen {
        index: info.index,
        sink: info.sink,
        ours: property(properties::APPLICATION_PROCESS_ID).as_deref() == Some(own_pid),
        role: property(properties::MEDIA_ROLE),
        application: property(properties::APPLICATION_NAME).unwrap_or_default(),
        volume: info.volume,
        settable: info.has_volume && info.volume_writable,
    }
}

/// What the sequencer in the slot will sound, in seconds from now.
fn sounds_ahead(slot: &Slot, rate: u32) -> Vec<(f64, f64)> {
    let rate = f64::from(rate.max(1));
    let horizon = (HORIZON.as_secs_f64() * rate) as u64;
    let ahead = lock(slot)
        .as_ref()
        .map(|s| s.sounds_ahead(horizon))
        .unwrap_or_default();
    ahead
        .into_iter()
        .map(|(from, to)| (from as f64 / rate, to as f64 / rate))
        .collect()
}
