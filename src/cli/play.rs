//! `treadcued run`: play one program in the foreground and exit, the
//! simplest way to use treadcue.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;

use clap::Args;

use super::sound_args::SoundArgs;
use super::{EXIT_INVALID, fail};
use crate::audio::output::{DeviceEvent, Output, lock};
use crate::audio::sequencer::{Event, Sequencer};
use crate::catalog::Catalog;
use crate::plan::Plan;
use crate::program::clock;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A program name (built-in or in --programs) or a program file.
    #[arg(value_name = "PROGRAM")]
    pub program: String,
    #[command(flatten)]
    pub sound: SoundArgs,
}

/// Exit status when the audio device cannot be opened.
const EXIT_NO_DEVICE: u8 = 3;

pub fn run(args: &RunArgs, catalog: &Catalog) -> ExitCode {
    let program = match catalog.load_arg(&args.program) {
        Ok(program) => program,
        Err(e) => return fail(EXIT_INVALID, e),
    };
    let voice = match args.sound.build_voice() {
        Ok(voice) => voice,
        Err(e) => return fail(EXIT_INVALID, e),
    };
    let (device_events, device_news) = mpsc::channel();
    let output = match Output::open(args.sound.output_options(), device_events) {
        Ok(output) => output,
        Err(e) => return fail(EXIT_NO_DEVICE, e),
    };
    let (plan, bank) = match args.sound.prepare(&program, voice.as_ref(), output.rate()) {
        Ok(prepared) => prepared,
        Err(e) => return fail(1, e),
    };
    let plan = Arc::new(plan);
    println!(
        "{}: {}, {} steps",
        plan.program_name,
        clock(std::time::Duration::from_secs_f64(
            plan.seconds(plan.length)
        )),
        plan.steps.len()
    );
    let (events, news) = mpsc::channel();
    let sequencer = Sequencer::new(plan.clone(), bank.sounds_for(&plan), args.sound.volume)
        .with_events(events)
        .with_pre_roll(args.sound.pre_roll_samples(output.rate()));
    *lock(output.slot()) = Some(sequencer);
    follow(&plan, &news, &device_news);
    ExitCode::SUCCESS
}

/// Prints the session as it goes, until it finishes.
fn follow(plan: &Plan, news: &mpsc::Receiver<Event>, device_news: &mpsc::Receiver<DeviceEvent>) {
    loop {
        for event in device_news.try_iter() {
            match event {
                DeviceEvent::Lost(reason) => {
                    println!("audio device lost ({reason}): paused, retrying")
                }
                DeviceEvent::Restored => println!("audio device back"),
            }
        }
        match news.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(Event::StepStarted { step, .. }) => {
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
                    clock(std::time::Duration::from_secs_f64(plan.seconds(s.length)))
                );
            }
            Ok(Event::Finished { .. }) => {
                println!("finished");
                return;
            }
            Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}
