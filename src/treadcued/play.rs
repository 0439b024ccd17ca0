//! `treadcued run`: play one program in the foreground and exit, the
//! simplest way to use treadcue.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use clap::Args;

use super::fail;
use super::sound_args::{SoundArgs, load_and_prepare};
use crate::audio::output::DeviceEvent;
use crate::audio::player::{Player, PlayerNews};
use crate::audio::sequencer::Event;
use crate::config::Config;
use crate::plan::Plan;
use crate::program::clock;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A program name (built-in or in --programs) or a program file.
    #[arg(value_name = "PROGRAM")]
    pub program: String,
    #[command(flatten)]
    pub sound: SoundArgs,
    #[command(flatten)]
    pub programs: super::sound_args::ProgramFolders,
}

/// Exit status when the audio device cannot be opened.
pub const EXIT_NO_DEVICE: u8 = 3;

pub fn run(args: &RunArgs, config: &Config) -> ExitCode {
    let options = config.player_options();
    let (_, plan, bank) = match load_and_prepare(config, &args.program, options.output.rate) {
        Ok(prepared) => prepared,
        Err((code, e)) => return fail(code, e),
    };
    let plan = Arc::new(plan);
    let (player, news) = Player::new(options);
    // alsa-lib prints its own errors while devices are probed; the user
    // reads treadcue's one message instead.
    let opened = without_stderr(|| player.open());
    if let Err(e) = opened.and_then(|()| player.start(plan.clone(), bank.sounds_for(&plan))) {
        return fail(EXIT_NO_DEVICE, e);
    }
    println!(
        "{}: {}, {} steps",
        plan.program_name,
        time(&plan, plan.length),
        plan.steps.len()
    );
    super::interrupt::catch();
    if follow(&plan, &news) {
        ExitCode::SUCCESS
    } else {
        println!("stopped");
        ExitCode::from(super::interrupt::EXIT_INTERRUPTED)
    }
}

/// Runs `f` with standard error sent nowhere, then puts it back. Only for
/// a foreground command: any other thread's words meanwhile are lost.
fn without_stderr<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: dup/dup2/close on the process's own standard error; the
    // saved descriptor is restored and closed before returning.
    unsafe {
        let saved = libc::dup(2);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if saved < 0 || null < 0 {
            return f();
        }
        libc::dup2(null, 2);
        libc::close(null);
        let result = f();
        libc::dup2(saved, 2);
        libc::close(saved);
        result
    }
}

fn time(plan: &Plan, samples: u64) -> String {
    clock(Duration::from_secs_f64(plan.seconds(samples)))
}

/// Prints the session as it goes, until it finishes (true) or Ctrl-C or
/// SIGTERM stops it (false).
fn follow(plan: &Plan, news: &PlayerNews) -> bool {
    loop {
        if super::interrupt::asked() {
            return false;
        }
        for event in news.device.try_iter() {
            match event {
                DeviceEvent::Lost(reason) => {
                    println!("audio device lost ({reason}): paused, retrying")
                }
                DeviceEvent::Restored => println!("audio device back"),
                DeviceEvent::Underrun => {}
            }
        }
        match news.events.recv_timeout(Duration::from_millis(100)) {
            Ok((_, Event::StepStarted { step, .. })) => {
                let s = &plan.steps[step];
                println!(
                    "step {} of {}: {}, {} at {:.1} {}, incline {}%, for {}",
                    step + 1,
                    plan.steps.len(),
                    s.name,
                    s.direction.as_str(),
                    s.speed,
                    plan.units.label(),
                    s.incline,
                    time(plan, s.length)
                );
            }
            Ok((_, Event::Finished { .. })) => {
                // Let the device play out its buffer before the stream closes.
                std::thread::sleep(Duration::from_millis(200));
                println!("finished");
                return true;
            }
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return true,
        }
    }
}
