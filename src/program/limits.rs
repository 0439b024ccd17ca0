//! The bounds every program is held to. They keep a program within what a
//! treadmill and a walker can do, and keep a hostile file from running away
//! with memory or time.

use std::time::Duration;

/// Largest program file read; real programs are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
pub const MAX_TOTAL: Duration = Duration::from_secs(4 * 60 * 60);
/// A step must be long enough to hear its announcement.
pub const MIN_STEP: Duration = Duration::from_secs(5);
pub const MAX_REPEAT: i64 = 100;
pub const MAX_NESTING: usize = 3;
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
pub const MAX_TEXT_CUES_PER_STEP: usize = 20;
pub const INCLINE_PERCENT: (f64, f64) = (-3.0, 15.0);
/// What treadmills sold for walking and jogging cover, per unit.
pub const SPEED_MPH: (f64, f64) = (0.1, 12.5);
pub const SPEED_KMH: (f64, f64) = (0.2, 20.0);
pub const MAX_COUNTDOWN: i64 = 10;
pub const MAX_HEADS_UP: Duration = Duration::from_secs(60);
pub const MIN_POSTURE_EVERY: Duration = Duration::from_secs(10);
pub const MAX_REMAINING_MARKS: usize = 5;
