//! `treadcued devices` and `treadcued voices`: what treadcue can play on
//! and speak with, on this machine.

use std::process::ExitCode;

use clap::Args;

use super::fail;
use crate::audio::alsa::list_alsa_devices;
use crate::audio::device::list_devices;
use crate::phrasebook::Phrasebook;
use crate::voice::{Pack, espeak_voices, pack};

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// List ALSA's devices even where a sound server answers.
    #[arg(long)]
    pub alsa: bool,
}

pub fn devices(args: &DevicesArgs) -> ExitCode {
    let devices = if args.alsa {
        list_alsa_devices()
    } else {
        list_devices()
    };
    match devices {
        Ok(devices) if devices.is_empty() => fail(3, "no audio output devices found"),
        Ok(devices) => {
            for d in devices {
                let default = if d.is_default { "  (default)" } else { "" };
                println!("{:<24} {}{default}", d.id, d.description);
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(3, e),
    }
}

#[derive(Debug, Args)]
pub struct VoicesArgs {
    /// Print every phrase part a voice pack must record, one per line.
    #[arg(long, hide = true)]
    pub pack_fragments: bool,
}

pub fn voices(args: &VoicesArgs) -> ExitCode {
    if args.pack_fragments {
        for fragment in pack::fragments(&Phrasebook::default()) {
            println!("{fragment}");
        }
        return ExitCode::SUCCESS;
    }
    let bundled = Pack::bundled();
    println!(
        "pack          {} (bundled, {} recorded parts; --voice pack)",
        bundled.name(),
        bundled.len()
    );
    let espeak = espeak_voices();
    if espeak.is_empty() {
        println!("espeak-ng     not installed (sudo apt install espeak-ng)");
    } else {
        println!(
            "espeak-ng     {} (--voice espeak-ng --espeak-voice NAME)",
            espeak.join(", ")
        );
    }
    if crate::voice::is_installed("piper") {
        println!("piper         installed (--voice piper --piper-model FILE.onnx)");
    } else {
        println!("piper         not installed (pip install piper-tts)");
    }
    println!("command       any program that writes WAV (--voice command --voice-command '...')");
    ExitCode::SUCCESS
}
