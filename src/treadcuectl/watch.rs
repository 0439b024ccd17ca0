//! `treadcuectl watch`: the session live. In a terminal, a view that fits
//! the terminal (and its resizes) with keys: space pauses and resumes,
//! `n` skips on, `p` goes back, `q` quits. Piped, one line per change,
//! starting with the state now. It follows the daemon: when treadcued
//! goes it says so, and when it comes back everything is read afresh.

use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::view::describe;
use super::{
    Properties, TreadcueProxy, all_properties, left, properties_proxy, text, time, unsigned,
};
use crate::frontend::dbus;

/// A live view driven by the daemon's signals. Between signals the
/// countdown runs on this machine's clock from the end times the daemon
/// published: nothing is polled.
pub(super) async fn watch(
    connection: &zbus::Connection,
    proxy: &TreadcueProxy<'_>,
) -> zbus::Result<()> {
    let bus = zbus::fdo::DBusProxy::new(connection).await?;
    let mut owners = bus.receive_name_owner_changed().await?;
    let properties = properties_proxy(connection).await?;
    let mut changes = properties.receive_properties_changed().await?;
    let mut steps = proxy.receive_step_started().await?;
    let mut finished = proxy.receive_session_finished().await?;
    let mut p = all_properties(connection).await.ok();
    let terminal = std::io::stdout().is_terminal();
    let mut keys = RawKeys::start(terminal);
    let mut screen = Screen::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    if !terminal {
        print_line(p.as_ref());
    }
    loop {
        // Every stream is read on every turn: a signal stream left unread
        // stalls the whole connection.
        tokio::select! {
            Some(change) = changes.next() => {
                if let (Some(p), Ok(args)) = (p.as_mut(), change.args()) {
                    for (name, value) in args.changed_properties() {
                        if let Ok(value) = value.try_to_owned() {
                            p.insert(name.to_string(), value);
                        }
                    }
                }
                if !terminal {
                    print_line(p.as_ref());
                }
            }
            Some(step) = steps.next() => {
                if let (Ok(args), false) = (step.args(), terminal) {
                    println!("step {} started: {}", args.index() + 1, args.name());
                }
            }
            Some(end) = finished.next() => {
                if let (Ok(args), false) = (end.args(), terminal) {
                    let how = if *args.completed() { "finished" } else { "stopped" };
                    println!("session {} {how}", args.program());
                }
            }
            Some(owner) = owners.next() => {
                let Ok(args) = owner.args() else { continue };
                if args.name().as_str() != dbus::NAME {
                    continue;
                }
                // Gone, or back as a new process: read everything afresh.
                p = match args.new_owner().as_ref() {
                    Some(_) => all_properties(connection).await.ok(),
                    None => None,
                };
                if !terminal {
                    print_line(p.as_ref());
                }
            }
            Some(key) = keys.next() => match key {
                b'q' | b'Q' | 3 => break,
                b' ' => act(proxy, &p, Action::Toggle).await,
                b'n' | b'N' => act(proxy, &p, Action::Next).await,
                b'p' | b'P' => act(proxy, &p, Action::Previous).await,
                _ => {}
            },
            _ = tokio::signal::ctrl_c() => break,
            _ = tick.tick() => {
                if !terminal {
                    continue;
                }
            }
        }
        if terminal {
            screen.draw(&terminal_view(p.as_ref(), width()));
        }
    }
    drop(keys);
    Ok(())
}

/// The view in a terminal: the session, the course followed and what
/// the keys do, each line fitted to `width`.
fn terminal_view(p: Option<&Properties>, width: usize) -> Vec<String> {
    let (step_left, session_left) = p.map_or((0.0, 0.0), left);
    let mut lines = describe(p, step_left, session_left, width);
    let mut extra = Vec::new();
    if let Some(p) = p.filter(|p| !text(p, "Course").is_empty()) {
        extra.push(format!(
            "course: {}. {}",
            text(p, "CourseName"),
            super::course::next_line(p)
        ));
    }
    extra.push(KEYS.to_string());
    lines.extend(extra.into_iter().map(|line| super::view::fit(line, width)));
    lines
}

/// What the keys do, shown under the view.
const KEYS: &str = "keys: space pause/resume · n next step · p back · q quit";

enum Action {
    Toggle,
    Next,
    Previous,
}

/// A key's command. A refusal (no session, the last step) shows in the
/// view's next state, not as an error that would end the watch.
async fn act(proxy: &TreadcueProxy<'_>, p: &Option<Properties>, action: Action) {
    let paused = p.as_ref().is_some_and(|p| text(p, "State") == "paused");
    let _ = match action {
        Action::Toggle if paused => proxy.resume().await,
        Action::Toggle => proxy.pause().await,
        Action::Next => proxy.next().await,
        Action::Previous => proxy.previous().await,
    };
}

/// One line of the session's state, for a pipe.
fn print_line(p: Option<&Properties>) {
    let Some(p) = p else {
        println!("treadcued is not running");
        return;
    };
    let state = text(p, "State");
    if state == "idle" {
        println!("idle: no session");
        return;
    }
    let (step_left, _) = left(p);
    let measured = super::view::measured_line(p)
        .map(|m| format!("; {m}"))
        .unwrap_or_default();
    println!(
        "{state}: step {} of {} {} ({} left){measured}",
        unsigned(p, "StepIndex") + 1,
        unsigned(p, "StepCount"),
        text(p, "StepName"),
        time(step_left)
    );
}

/// The terminal's width in columns (80 when it cannot be told).
fn width() -> usize {
    // SAFETY: TIOCGWINSZ fills the winsize struct it is given.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

/// What was drawn last: redrawn in place, or the screen cleared when the
/// width changed (lines drawn wider would have wrapped).
#[derive(Default)]
struct Screen {
    lines: usize,
    width: usize,
}

impl Screen {
    fn draw(&mut self, lines: &[String]) {
        let width = width();
        let mut out = std::io::stdout().lock();
        if self.width != width && self.lines > 0 {
            let _ = write!(out, "\x1b[2J\x1b[H");
        } else if self.lines > 0 {
            let _ = write!(out, "\x1b[{}A\r", self.lines);
        }
        for line in lines {
            let _ = write!(out, "\x1b[2K{line}\r\n");
        }
        // Nothing of a longer view before stays below.
        let _ = write!(out, "\x1b[J");
        let _ = out.flush();
        self.lines = lines.len();
        self.width = width;
    }
}

/// Keys from a terminal, one byte each, without waiting for Enter; the
/// terminal is put back as it was when this is dropped.
struct RawKeys {
    saved: Option<libc::termios>,
    keys: UnboundedReceiver<u8>,
}

impl RawKeys {
    fn start(terminal: bool) -> RawKeys {
        let (send, keys) = unbounded_channel();
        let saved = (terminal && std::io::stdin().is_terminal())
            .then(raw_mode)
            .flatten();
        if saved.is_some() {
            std::thread::spawn(move || {
                let mut byte = [0u8; 1];
                while std::io::stdin().read_exact(&mut byte).is_ok() {
                    if send.send(byte[0]).is_err() {
                        return;
                    }
                }
            });
        }
        RawKeys { saved, keys }
    }

    async fn next(&mut self) -> Option<u8> {
        self.keys.recv().await
    }
}

impl Drop for RawKeys {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: restores the attributes read from this terminal.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}

/// Turns off line editing and echo on standard input; gives the old
/// attributes to restore.
fn raw_mode() -> Option<libc::termios> {
    // SAFETY: tcgetattr/tcsetattr on standard input with a struct they
    // fill; signals (Ctrl-C) stay on.
    unsafe {
        let mut saved: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
            return None;
        }
        let mut raw = saved;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        (libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) == 0).then_some(saved)
    }
}
