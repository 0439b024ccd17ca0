//! What treadmills and heart-rate straps send over Bluetooth, decoded:
//! the Fitness Machine Service's Treadmill Data, Supported Speed Range
//! and Control Point ([`ftms`]), and the Heart Rate Measurement
//! ([`heart_rate`]). Pure functions of bytes, with no Bluetooth in them:
//! the BlueZ side hands them a characteristic's value and acts on what
//! comes back. Malformed or absurd values are errors, never numbers that
//! could drive a cue.

pub mod coach;
pub mod ftms;
pub mod heart_rate;

use serde::Serialize;

/// What the treadmill and the heart-rate strap report now, as clients
/// see it: zeros when nothing is connected.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FitnessStatus {
    pub treadmill_connected: bool,
    /// The belt's speed, in the session's units (mph with no session).
    pub belt_speed: f64,
    /// Percent.
    pub belt_incline: f64,
    /// Metres the belt ran this session.
    pub belt_distance: f64,
    /// Beats per minute; 0 with no strap or no reading to trust.
    pub heart_rate: u32,
}

/// Why a value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The flags announce more fields than the value holds.
    #[error("{what}: {needed} bytes needed, {got} sent")]
    Short {
        what: &'static str,
        needed: usize,
        got: usize,
    },
    /// Bytes left over after every field the flags announce.
    #[error("{what}: {extra} bytes more than its flags announce")]
    Long { what: &'static str, extra: usize },
    /// A reading no treadmill or heart can give.
    #[error("{what}: {value} is not a believable reading")]
    Absurd { what: &'static str, value: String },
    /// Not a value this characteristic sends.
    #[error("{0}")]
    Unexpected(String),
}

/// Reads little-endian fields off a value, front to back.
pub(crate) struct Reader<'a> {
    what: &'static str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Reader { what, bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.at + n;
        let part = self.bytes.get(self.at..end).ok_or(DecodeError::Short {
            what: self.what,
            needed: end,
            got: self.bytes.len(),
        })?;
        self.at = end;
        Ok(part)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub fn i16(&mut self) -> Result<i16, DecodeError> {
        let b = self.take(2)?;
        Ok(i16::from_le_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(3)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], 0]))
    }

    pub fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// Every byte was a field the flags announced.
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.bytes.len() - self.at.min(self.bytes.len()) {
            0 => Ok(()),
            extra => Err(DecodeError::Long {
                what: self.what,
                extra,
            }),
        }
    }
}
