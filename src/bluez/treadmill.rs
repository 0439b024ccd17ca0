//! The treadmill (Fitness Machine Service): its Treadmill Data to the
//! controller, its speed range read once, and, when the walker turned
//! control on, the Control Point: the step's speed and incline at each
//! change, the belt paused, resumed and stopped with the session. Every
//! command's answer is checked; a refusal or silence drops control for
//! the session, never retried blindly.

use std::sync::Arc;
use std::time::Duration;

use super::sensors::{Link, hand_over};
use crate::bluetooth::gatt::{Peripheral, Values};
use crate::bluetooth::{CONTROL_POINT, SPEED_RANGE, TREADMILL_DATA};
use crate::controller::{BeltTarget, Controller};
use crate::fitness::ftms::{self, Outcome, Request};
use zbus::OwnedObjectPath;

/// How long the treadmill has to answer a command.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

pub(super) struct TreadmillLink {
    controller: Arc<Controller>,
    data: Values,
    control: Option<Control>,
}

/// The Control Point, once the treadmill gave treadcue control.
struct Control {
    device: Peripheral,
    point: OwnedObjectPath,
    answers: Values,
    /// What the belt was last told.
    sent: Option<BeltTarget>,
    /// The belt's speed range, to keep requests inside it.
    range: Option<ftms::SpeedRange>,
}

impl TreadmillLink {
    pub(super) async fn open(
        controller: Arc<Controller>,
        device: &Peripheral,
    ) -> Result<TreadmillLink, String> {
        let data = device.characteristic(TREADMILL_DATA).await?;
        let data = device.subscribe(&data).await?;
        let range = read_range(device).await;
        if let Some(range) = range {
            controller.speed_range(range);
        }
        let mut link = TreadmillLink {
            controller,
            data,
            control: None,
        };
        if link.controller.control_allowed() {
            link.control = link.take_control(device, range).await;
            link.on_change().await;
        }
        Ok(link)
    }

    /// Asks the treadmill for control; `None` (and said) when refused.
    async fn take_control(
        &self,
        device: &Peripheral,
        range: Option<ftms::SpeedRange>,
    ) -> Option<Control> {
        let point = match device.characteristic(CONTROL_POINT).await {
            Ok(point) => point,
            Err(e) => return self.refused(&format!("no control point: {e}")),
        };
        let answers = match device.subscribe(&point).await {
            Ok(answers) => answers,
            Err(e) => return self.refused(&e),
        };
        let mut control = Control {
            device: device.clone(),
            point,
            answers,
            sent: None,
            range,
        };
        match control.send(Request::RequestControl).await {
            Ok(()) => {
                tracing::info!("treadmill: treadcue has control of the belt");
                Some(control)
            }
            Err(e) => self.refused(&e),
        }
    }

    fn refused(&self, why: &str) -> Option<Control> {
        let controller = self.controller.clone();
        let why = why.to_string();
        // Said off the async threads, as the voice may take a moment.
        tokio::task::spawn_blocking(move || controller.control_refused(&why));
        None
    }
}

async fn read_range(device: &Peripheral) -> Option<ftms::SpeedRange> {
    let characteristic = device.characteristic(SPEED_RANGE).await.ok()?;
    let bytes = device.read(&characteristic).await.ok()?;
    match ftms::speed_range(&bytes) {
        Ok(range) => Some(range),
        Err(e) => {
            tracing::warn!("treadmill: {e}; its speed range is not used");
            None
        }
    }
}

impl Link for TreadmillLink {
    fn values(&mut self) -> &mut Values {
        &mut self.data
    }

    async fn on_value(&mut self, bytes: Vec<u8>) {
        let data = ftms::treadmill_data(&bytes);
        hand_over(
            &self.controller,
            "treadmill",
            &bytes,
            data,
            Controller::treadmill_reading,
        )
        .await;
        // A reading may release or arm the gate: the belt follows.
        self.on_change().await;
    }

    async fn on_change(&mut self) {
        let Some(control) = self.control.as_mut() else {
            return;
        };
        if !self.controller.control_allowed() {
            self.control = None;
            return;
        }
        let target = self.controller.belt_target();
        if let Err(e) = control.follow(target).await {
            self.control = None;
            self.refused(&e);
        }
    }
}

impl Control {
    /// Brings the belt to `target`, with as few commands as it takes.
    async fn follow(&mut self, target: BeltTarget) -> Result<(), String> {
        let before = self.sent;
        if before == Some(target) {
            return Ok(());
        }
        match target {
            BeltTarget::Stop => self.send(Request::Stop).await?,
            BeltTarget::Pause => self.send(Request::Pause).await?,
            BeltTarget::Run { kmh, incline } => {
                if !matches!(before, Some(BeltTarget::Run { .. })) {
                    self.send(Request::StartOrResume).await?;
                }
                let (old_kmh, old_incline) = match before {
                    Some(BeltTarget::Run { kmh, incline }) => (Some(kmh), Some(incline)),
                    _ => (None, None),
                };
                if old_kmh != Some(kmh) {
                    self.send(Request::SetSpeed(self.within_range(kmh))).await?;
                }
                if old_incline != Some(incline) {
                    self.send(Request::SetIncline(incline)).await?;
                }
            }
        }
        self.sent = Some(target);
        Ok(())
    }

    /// A speed the belt can run, never above the one asked for.
    fn within_range(&self, kmh: f64) -> f64 {
        let Some(range) = self.range else { return kmh };
        // Down to the belt's own steps (a hair of slack, so 2.4 stays 2.4
        // in floating point); never below its slowest (the decoder made
        // sure the slowest is not above the fastest).
        let stepped = if range.step_kmh > 0.0 {
            let steps = ((kmh - range.min_kmh) / range.step_kmh + 1e-9).floor();
            range.min_kmh + steps * range.step_kmh
        } else {
            kmh
        };
        stepped.clamp(range.min_kmh, range.max_kmh)
    }

    /// Writes one request and waits for its answer: an error says what
    /// went wrong (refused, not answered, the write failed).
    async fn send(&mut self, request: Request) -> Result<(), String> {
        let what = format!("{request:?}");
        tracing::debug!("treadmill control: {what}");
        self.device.write(&self.point, &request.encode()).await?;
        let answer = tokio::time::timeout(ANSWER_WITHIN, async {
            loop {
                let bytes = self.answers.next().await?;
                match ftms::response(&bytes) {
                    Ok((opcode, outcome)) if opcode == request.opcode() => return Some(outcome),
                    Ok(_) => continue,
                    Err(e) => tracing::warn!("treadmill control: {e}; ignored"),
                }
            }
        })
        .await;
        match answer {
            Ok(Some(Outcome::Success)) => Ok(()),
            Ok(Some(outcome)) => Err(format!("{what} refused: {outcome:?}")),
            Ok(None) => Err(format!("{what}: the control point went away")),
            Err(_) => Err(format!(
                "{what}: no answer within {} s",
                ANSWER_WITHIN.as_secs()
            )),
        }
    }
}
