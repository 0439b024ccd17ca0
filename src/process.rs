//! What both binaries do as command-line processes: read their
//! arguments the same way, and end quietly when their reader goes.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Parses a command line; on help, version or a usage error, the exit
/// status to end with, once clap has printed what it has to say.
pub fn parse<T: Parser>(args: impl IntoIterator<Item = OsString>) -> Result<T, ExitCode> {
    T::try_parse_from(args).map_err(|e| {
        // Help and version go to stdout and succeed; usage errors exit 2.
        let _ = e.print();
        ExitCode::from(e.exit_code() as u8)
    })
}

/// A command whose output goes into `head` ends quietly when the reader
/// has gone, as command-line tools do, instead of panicking on the
/// failed write. Not for the daemon: its sockets' peers may go at any
/// time, and that must never end it.
pub fn exit_quietly_on_broken_pipe() {
    // SAFETY: restores the default action of one signal; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
