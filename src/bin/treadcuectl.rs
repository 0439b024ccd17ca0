//! `treadcuectl`: control the treadcue daemon. All logic lives in the
//! library.

fn main() -> std::process::ExitCode {
    treadcue::treadcuectl::run(std::env::args_os())
}
