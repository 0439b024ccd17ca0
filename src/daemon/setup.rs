//! What the daemon is made of, read from the configuration: at the start,
//! and again at each reload, which refuses a broken configuration and
//! keeps the one in force.

use std::sync::{Arc, Mutex};

use crate::config::{Config, Loader};
use crate::controller::{Controller, Reload, Setup};

/// What a reload can change while the daemon runs.
pub fn setup(config: &Config) -> Result<Setup, String> {
    // Replacement tones are read now: a broken one is refused at the start
    // (or the reload), not when a session needs it.
    crate::prepare::Bank::new(config.output_options().rate, config.sound.tones.as_deref())?;
    Ok(Setup {
        catalog: config.catalog(),
        courses: config.course_catalog(),
        cues: config.cues.clone(),
        phrases: config.phrasebook()?,
        voice: config.build_voice()?,
        tones: config.sound.tones.clone(),
        tone_volume: config.sound.tone_volume,
        headphone_pause: config.headphone_pause(),
        fitness: config.fitness_settings(),
        ready_sounds: Default::default(),
    })
}

/// Reads the configuration again, as at the start; a broken one is
/// refused and the one in force stays. Settings that belong to the
/// device or the bus wait for a restart.
pub fn reload_config(
    loader: Loader,
    started_with: Config,
    controller: Arc<Controller>,
    mqtt: tokio::sync::watch::Sender<Option<crate::frontend::mqtt::MqttOptions>>,
) -> Reload {
    let lock = Arc::new(Mutex::new(()));
    Arc::new(move || {
        let _one_at_a_time = crate::sync::lock(&lock);
        let loaded = loader.load()?;
        let new = loaded.config;
        controller.reconfigure(setup(&new)?);
        // The MQTT front end reconnects if its options changed, and
        // announces the programs again either way.
        mqtt.send_replace(new.mqtt.options());
        crate::logging::set_level(&new.daemon.log_level);
        let mut warnings = loaded.warnings;
        warnings.extend(
            needs_restart(&started_with, &new)
                .into_iter()
                .map(|setting| {
                    format!("{setting} changed: it takes effect when treadcued restarts")
                }),
        );
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        Ok(warnings)
    })
}

/// The changed settings a running daemon cannot take up.
fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    let (a, b) = (&old.sound, &new.sound);
    let (c, d) = (&old.daemon, &new.daemon);
    [
        ("[sound] device", a.device != b.device),
        ("[sound] period_ms", a.period_ms != b.period_ms),
        ("[sound] pre_roll_ms", a.pre_roll_ms != b.pre_roll_ms),
        (
            "[sound] after_device_loss",
            a.after_device_loss != b.after_device_loss,
        ),
        ("[daemon] bus", c.bus != d.bus),
        ("[daemon] state_dir", c.state_dir != d.state_dir),
        ("[web] listen", old.web.listen != new.web.listen),
        ("[ducking]", old.ducking != new.ducking),
        ("[bluetooth] buttons", old.bluetooth != new.bluetooth),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}
