//! `treadcued` with no command: the daemon, built and run by
//! [`crate::daemon`].

use clap::Args;
use std::process::ExitCode;

use super::fail;
use super::sound_args::SoundArgs;
use crate::config::settings::DaemonSettings;
use crate::config::{Config, Loader};

#[derive(Debug, Clone, Args)]
pub struct DaemonArgs {
    #[command(flatten)]
    pub settings: DaemonSettings,
    #[command(flatten)]
    pub web: crate::config::settings::WebSettings,
    #[command(flatten)]
    pub bluetooth: crate::config::settings::BluetoothSettings,
    #[command(flatten)]
    pub treadmill: crate::config::devices::TreadmillSettings,
    #[command(flatten)]
    pub heart: crate::config::devices::HeartSettings,
    #[command(flatten)]
    pub mqtt: crate::config::mqtt::MqttSettings,
    #[command(flatten)]
    pub sound: SoundArgs,
}

pub fn run(loader: Loader, config: Config) -> ExitCode {
    match crate::daemon::run(loader, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e.exit_code(), e),
    }
}
