//! `treadcued`: the daemon and its commands. All logic lives in the library.

fn main() -> std::process::ExitCode {
    treadcue::treadcued::run(std::env::args_os())
}
