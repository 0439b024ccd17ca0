//! The belt under treadcue's control, through the Fitness Machine Control
//! Point: the step's speed and incline at each change, the belt paused,
//! resumed and stopped with the session. Every request's answer is
//! checked. What a machine cannot do is not asked of it: a walking pad
//! without incline is never sent Set Target Inclination, and one that
//! answers it "not supported" keeps its speed control.

use std::time::Duration;

use tokio::time::Instant;
use zbus::OwnedObjectPath;

use crate::bluetooth::CONTROL_POINT;
use crate::bluetooth::gatt::{GattError, Peripheral, Values};
use crate::controller::BeltTarget;
use crate::fitness::ftms::{self, InclineRange, Outcome, Request, SpeedRange};

/// How long the treadmill has to answer a request.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// How soon a write is tried again while another client's is under way.
const BUSY_RETRY: Duration = Duration::from_millis(100);
/// A target speed this close to the one sent is the treadmill telling
/// back treadcue's own request (its steps are 0.01 km/h at the finest).
const SAME_SPEED_KMH: f64 = 0.011;

/// Whether the machine sets its own incline, as far as treadcue knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Inclines {
    /// Within this range, when it gave one.
    Settable(Option<InclineRange>),
    /// A walking pad: the walker sets it, if it tilts at all.
    ByHand,
    /// The machine did not say: asked, and a "not supported" believed.
    Unknown,
}

/// The Control Point, once the treadmill gave treadcue control.
pub(super) struct Belt {
    device: Peripheral,
    point: OwnedObjectPath,
    answers: Values,
    /// What the belt was last told.
    sent: Option<BeltTarget>,
    speeds: Option<SpeedRange>,
    inclines: Inclines,
}

/// What following a target left to the walker.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Followed {
    /// The step has an incline the machine cannot set.
    pub incline_by_hand: bool,
}

impl Belt {
    /// Asks the treadmill for control.
    pub(super) async fn take(
        device: &Peripheral,
        speeds: Option<SpeedRange>,
        inclines: Inclines,
    ) -> Result<Belt, String> {
        let point = device
            .characteristic(CONTROL_POINT)
            .await
            .map_err(|e| format!("no control point: {e}"))?;
        let answers = device.subscribe(&point).await?;
        let mut belt = Belt {
            device: device.clone(),
            point,
            answers,
            sent: None,
            speeds,
            inclines,
        };
        belt.send(Request::RequestControl).await?;
        tracing::info!("treadmill: treadcue has control of the belt");
        Ok(belt)
    }

    /// Whether a target speed the treadmill reports is the one treadcue
    /// sent, rather than the walker's (or another app's).
    pub(super) fn is_own_speed(&self, kmh: f64) -> bool {
        match self.sent {
            Some(BeltTarget::Run { kmh: sent, .. }) => {
                (self.within_range(sent) - kmh).abs() < SAME_SPEED_KMH
            }
            _ => false,
        }
    }

    /// The walker chose this speed at the console: the belt runs at it
    /// already, and nothing is sent to get it there.
    pub(super) fn walker_chose(&mut self, kmh: f64) {
        if let Some(BeltTarget::Run { kmh: sent, .. }) = self.sent.as_mut() {
            *sent = kmh;
        }
    }

    /// Brings the belt to `target`, with as few requests as it takes.
    pub(super) async fn follow(&mut self, target: BeltTarget) -> Result<Followed, String> {
        let before = self.sent;
        let mut followed = Followed::default();
        if before == Some(target) {
            return Ok(followed);
        }
        match target {
            BeltTarget::Stop => self.send(Request::Stop).await?,
            BeltTarget::Pause => self.send(Request::Pause).await?,
            BeltTarget::Run { kmh, incline } => {
                let (old_kmh, old_incline) = match before {
                    Some(BeltTarget::Run { kmh, incline }) => (Some(kmh), Some(incline)),
                    _ => {
                        self.send(Request::StartOrResume).await?;
                        (None, None)
                    }
                };
                if old_kmh != Some(kmh) {
                    self.send(Request::SetSpeed(self.within_range(kmh))).await?;
                }
                if old_incline != Some(incline) {
                    followed.incline_by_hand = self.set_incline(incline).await?;
                }
            }
        }
        self.sent = Some(target);
        Ok(followed)
    }

    /// Sets the incline where the machine can; true when the walker has
    /// to, since it cannot.
    async fn set_incline(&mut self, percent: f64) -> Result<bool, String> {
        let range = match self.inclines {
            Inclines::ByHand => return Ok(percent != 0.0),
            Inclines::Settable(range) => range,
            Inclines::Unknown => None,
        };
        let fitted = range.map_or(percent, |r| r.fit(percent));
        match self.request(Request::SetIncline(fitted)).await {
            Ok(Outcome::Success) => Ok(false),
            Ok(Outcome::NotSupported) => {
                tracing::info!("treadmill: it cannot set the incline; the walker does");
                self.inclines = Inclines::ByHand;
                Ok(percent != 0.0)
            }
            Ok(outcome) => Err(format!("SetIncline refused: {outcome:?}")),
            Err(e) => Err(e),
        }
    }

    /// A speed the belt can run, never above the one asked for.
    fn within_range(&self, kmh: f64) -> f64 {
        let Some(range) = self.speeds else { return kmh };
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

    /// Sends one request; an error says what went wrong (refused, not
    /// answered, the write failed).
    async fn send(&mut self, request: Request) -> Result<(), String> {
        match self.request(request).await? {
            Outcome::Success => Ok(()),
            Outcome::Failed if request.failed_means_done() => {
                tracing::debug!("treadmill control: {request:?}: already so");
                Ok(())
            }
            outcome => Err(format!("{request:?} refused: {outcome:?}")),
        }
    }

    /// Writes one request and waits for its answer. A write that another
    /// client's is holding up is tried again until the answer is due.
    async fn request(&mut self, request: Request) -> Result<Outcome, String> {
        let what = format!("{request:?}");
        tracing::debug!("treadmill control: {what}");
        let due = Instant::now() + ANSWER_WITHIN;
        loop {
            match self.device.write(&self.point, &request.encode()).await {
                Ok(()) => break,
                Err(GattError::Busy(why)) if Instant::now() + BUSY_RETRY < due => {
                    tracing::debug!("treadmill control: {why}; trying again");
                    tokio::time::sleep(BUSY_RETRY).await;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        let answer = tokio::time::timeout_at(due, async {
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
            Ok(Some(outcome)) => Ok(outcome),
            Ok(None) => Err(format!("{what}: the control point went away")),
            Err(_) => Err(format!(
                "{what}: no answer within {} s",
                ANSWER_WITHIN.as_secs()
            )),
        }
    }
}
