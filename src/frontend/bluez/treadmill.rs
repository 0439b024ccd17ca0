//! The treadmill (Fitness Machine Service): what it can do, read once at
//! connect (Fitness Machine Feature, its speed and incline ranges); its
//! Treadmill Data and Fitness Machine Status to the controller; and, when
//! the walker turned control on, the belt ([`super::belt`]).

use super::belt::{Belt, Inclines};
use super::link::{Incoming, Link, OpenError, hand_over};
use crate::bluetooth::gatt::{Peripheral, Values};
use crate::bluetooth::{FEATURE, INCLINE_RANGE, MACHINE_STATUS, SPEED_RANGE, TREADMILL_DATA};
use crate::controller::{Controller, Handle, TreadmillStop};
use crate::fitness::DecodeError;
use crate::fitness::ftms::{self, Features, MachineStatus, SpeedRange, StopOrPause};

pub(super) struct TreadmillLink {
    controller: Handle,
    data: Values,
    /// Fitness Machine Status, when the machine has it.
    status: Option<Values>,
    belt: Option<Belt>,
}

impl TreadmillLink {
    pub(super) async fn open(
        controller: Handle,
        device: &Peripheral,
    ) -> Result<TreadmillLink, OpenError> {
        let data = device.characteristic(TREADMILL_DATA).await?;
        let data = device.subscribe(&data).await?;
        let status = subscribe_status(device).await;
        let features = read(device, FEATURE, ftms::features).await;
        let speeds = read(device, SPEED_RANGE, ftms::speed_range).await;
        let inclines = match features {
            Some(f) if !f.sets_incline() => Inclines::ByHand,
            Some(_) => Inclines::Settable(read(device, INCLINE_RANGE, ftms::incline_range).await),
            None => Inclines::Unknown,
        };
        tracing::info!("treadmill: {}", describe(features, speeds, inclines));
        if let Some(range) = speeds {
            controller.controller().speed_range(range);
        }
        let mut link = TreadmillLink {
            controller,
            data,
            status,
            belt: None,
        };
        if link.controller.controller().control_allowed() {
            link.belt = link.take_control(device, features, speeds, inclines).await;
            link.on_change().await;
        }
        Ok(link)
    }

    /// Asks the treadmill for control; `None` (and said) when it cannot
    /// be had.
    async fn take_control(
        &self,
        device: &Peripheral,
        features: Option<Features>,
        speeds: Option<SpeedRange>,
        inclines: Inclines,
    ) -> Option<Belt> {
        if features.is_some_and(|f| !f.sets_speed()) {
            self.refused("it takes no target speed (Fitness Machine Feature)".into());
            return None;
        }
        match Belt::take(device, speeds, inclines).await {
            Ok(belt) => Some(belt),
            Err(e) => {
                self.refused(e);
                None
            }
        }
    }

    fn refused(&self, why: String) {
        // Said off the async threads, as the voice may take a moment; the
        // link goes on meanwhile.
        let controller = self.controller.clone();
        tokio::spawn(async move { controller.tell(move |c| c.control_refused(&why)).await });
    }

    async fn on_status(&mut self, status: MachineStatus) {
        tracing::info!("treadmill status: {status:?}");
        match status {
            MachineStatus::StoppedByUser(how) => {
                let stop = match how {
                    StopOrPause::Stop => TreadmillStop::Stopped,
                    StopOrPause::Pause => TreadmillStop::Paused,
                };
                self.controller
                    .tell(move |c| c.treadmill_stopped(stop))
                    .await;
            }
            MachineStatus::StoppedBySafetyKey => {
                self.controller
                    .tell(|c| c.treadmill_stopped(TreadmillStop::SafetyKey))
                    .await;
            }
            MachineStatus::StartedByUser => {
                self.controller.tell(Controller::treadmill_started).await;
            }
            MachineStatus::TargetSpeedChanged(kmh) => self.target_speed_changed(kmh).await,
            MachineStatus::ControlPermissionLost if self.belt.is_some() => {
                self.belt = None;
                self.controller.tell(Controller::control_lost).await;
            }
            _ => {}
        }
    }

    /// A new target speed that treadcue did not send is the walker's (or
    /// another app's): the coach does not fight it for the step.
    async fn target_speed_changed(&mut self, kmh: f64) {
        if self.belt.as_ref().is_some_and(|b| b.is_own_speed(kmh)) {
            return;
        }
        if let Some(belt) = self.belt.as_mut() {
            belt.walker_chose(kmh);
        }
        self.controller
            .tell(move |c| c.walker_chose_speed(kmh))
            .await;
    }
}

async fn subscribe_status(device: &Peripheral) -> Option<Values> {
    let path = device.characteristic(MACHINE_STATUS).await.ok()?;
    match device.subscribe(&path).await {
        Ok(values) => Some(values),
        Err(e) => {
            tracing::info!("treadmill: its status is not followed: {e}");
            None
        }
    }
}

/// A characteristic read and decoded once; `None` when the machine has
/// none or sent nonsense (logged).
async fn read<T>(
    device: &Peripheral,
    uuid: &str,
    decode: fn(&[u8]) -> Result<T, DecodeError>,
) -> Option<T> {
    let characteristic = device.characteristic(uuid).await.ok()?;
    let bytes = device.read(&characteristic).await.ok()?;
    match decode(&bytes) {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::warn!("treadmill: {e}; not used ({bytes:02x?})");
            None
        }
    }
}

/// What the log says the machine can do.
fn describe(features: Option<Features>, speeds: Option<SpeedRange>, inclines: Inclines) -> String {
    let speed = match (features, speeds) {
        (Some(f), _) if !f.sets_speed() => "takes no target speed".to_string(),
        (_, Some(r)) => format!(
            "belt runs {} to {} km/h in steps of {}",
            r.min_kmh, r.max_kmh, r.step_kmh
        ),
        _ => "speed range unknown".to_string(),
    };
    let incline = match inclines {
        Inclines::ByHand => "no incline target: the walker sets the incline".to_string(),
        Inclines::Settable(Some(r)) => format!(
            "inclines {} to {} % in steps of {}",
            r.min_percent, r.max_percent, r.step_percent
        ),
        Inclines::Settable(None) => "sets its incline".to_string(),
        Inclines::Unknown => "features unknown".to_string(),
    };
    format!("{speed}; {incline}")
}

impl Link for TreadmillLink {
    async fn next(&mut self) -> Option<Incoming> {
        let status = async {
            match self.status.as_mut() {
                Some(status) => status.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            bytes = self.data.next() => bytes.map(|bytes| Incoming { from: TREADMILL_DATA, bytes }),
            Some(bytes) = status => Some(Incoming { from: MACHINE_STATUS, bytes }),
        }
    }

    async fn on_value(&mut self, value: Incoming) {
        if value.from == MACHINE_STATUS {
            match ftms::machine_status(&value.bytes) {
                Ok(status) => self.on_status(status).await,
                Err(e) => tracing::warn!("treadmill: {e}; ignored ({:02x?})", value.bytes),
            }
        } else {
            let data = ftms::treadmill_data(&value.bytes);
            hand_over(
                &self.controller,
                "treadmill",
                &value.bytes,
                data,
                Controller::treadmill_reading,
            )
            .await;
        }
        // A reading may release or arm the gate, a status pause the
        // session: the belt follows.
        self.on_change().await;
    }

    async fn on_change(&mut self) {
        let Some(belt) = self.belt.as_mut() else {
            return;
        };
        if !self.controller.controller().control_allowed() {
            self.belt = None;
            return;
        }
        let target = self.controller.controller().belt_target();
        match belt.follow(target).await {
            Ok(followed) if followed.incline_by_hand => {
                self.controller.tell(Controller::incline_by_hand).await;
            }
            Ok(_) => {}
            Err(e) => {
                self.belt = None;
                self.refused(e);
            }
        }
    }
}
