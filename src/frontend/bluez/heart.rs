//! The heart-rate strap: its Heart Rate Measurements to the controller.

use super::link::{Incoming, Link, OpenError, hand_over};
use crate::bluetooth::HEART_RATE_MEASUREMENT;
use crate::bluetooth::gatt::{Peripheral, Values};
use crate::controller::{Controller, Handle};
use crate::fitness::heart_rate;

pub(super) struct HeartLink {
    controller: Handle,
    values: Values,
}

impl HeartLink {
    pub(super) async fn open(
        controller: Handle,
        device: &Peripheral,
    ) -> Result<HeartLink, OpenError> {
        let measurement = device.characteristic(HEART_RATE_MEASUREMENT).await?;
        let values = device.subscribe(&measurement).await?;
        Ok(HeartLink { controller, values })
    }
}

impl Link for HeartLink {
    async fn next(&mut self) -> Option<Incoming> {
        let bytes = self.values.next().await?;
        Some(Incoming {
            from: HEART_RATE_MEASUREMENT,
            bytes,
        })
    }

    async fn on_value(&mut self, value: Incoming) {
        let measurement = heart_rate::measurement(&value.bytes);
        hand_over(
            &self.controller,
            "heart rate strap",
            &value.bytes,
            measurement,
            Controller::heart_reading,
        )
        .await;
    }
}
