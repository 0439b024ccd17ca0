//! The allowed range of each numeric setting, checked the same way for a
//! flag and for a key of the config file.

use std::ops::RangeInclusive;

pub const VOLUME: RangeInclusive<f32> = 0.0..=1.0;
pub const PERIOD_MS: RangeInclusive<u64> = 2..=200;
pub const PRE_ROLL_MS: RangeInclusive<u64> = 0..=2000;
pub const WORDS_PER_MINUTE: RangeInclusive<u32> = 80..=450;

fn within<T>(value: T, range: &RangeInclusive<T>, what: &str) -> Result<T, String>
where
    T: PartialOrd + std::fmt::Display,
{
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{what} {value} is outside {} to {}",
            range.start(),
            range.end()
        ))
    }
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))
}

pub fn check_volume(volume: f32) -> Result<f32, String> {
    within(volume, &VOLUME, "volume")
}

pub fn check_period(ms: u64) -> Result<u64, String> {
    within(ms, &PERIOD_MS, "period_ms")
}

pub fn check_pre_roll(ms: u64) -> Result<u64, String> {
    within(ms, &PRE_ROLL_MS, "pre_roll_ms")
}

pub fn check_words_per_minute(wpm: u32) -> Result<u32, String> {
    within(wpm, &WORDS_PER_MINUTE, "words_per_minute")
}

pub fn parse_volume(text: &str) -> Result<f32, String> {
    check_volume(number(text)?)
}

pub fn parse_period(text: &str) -> Result<u64, String> {
    check_period(number(text)?)
}

pub fn parse_pre_roll(text: &str) -> Result<u64, String> {
    check_pre_roll(number(text)?)
}

pub fn parse_words_per_minute(text: &str) -> Result<u32, String> {
    check_words_per_minute(number(text)?)
}
