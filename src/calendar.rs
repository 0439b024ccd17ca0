//! Dates on the local clock (the TZ variable, else /etc/localtime), for
//! showing the history and counting it by week.

use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    /// `2026-11-21`.
    fn from_str(text: &str) -> Result<Date, String> {
        let bad = || format!("{text:?} is not a date like 2026-11-21");
        let numbers: Vec<i64> = text
            .split('-')
            .map(|p| p.parse::<i64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [year, month, day] = numbers[..] else {
            return Err(bad());
        };
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Date {
            year: year as i32,
            month: month as u32,
            day: day as u32,
        })
    }
}

/// A moment on the local clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub date: Date,
    pub hour: u32,
    pub minute: u32,
    /// Days since Monday, 0 to 6.
    pub weekday: u32,
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:02}:{:02}", self.date, self.hour, self.minute)
    }
}

/// `at` on the local clock.
pub fn local(at: SystemTime) -> Option<LocalTime> {
    let secs = match at.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as libc::time_t,
        Err(_) => return None,
    };
    // SAFETY: localtime_r fills the struct it is given and keeps no
    // pointer to it (glibc reads TZ, or /etc/localtime, on first use).
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some(LocalTime {
        date: Date {
            year: tm.tm_year + 1900,
            month: (tm.tm_mon + 1) as u32,
            day: tm.tm_mday as u32,
        },
        hour: tm.tm_hour as u32,
        minute: tm.tm_min as u32,
        weekday: ((tm.tm_wday + 6) % 7) as u32,
    })
}

/// The Monday that starts the local week of `at`.
pub fn week_of(at: SystemTime) -> Option<Date> {
    let day = local(at)?;
    let monday = at.checked_sub(std::time::Duration::from_secs(
        u64::from(day.weekday) * 86_400,
    ))?;
    // Around a clock change the Monday is still the same calendar day.
    Some(local(monday)?.date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_and_print_alike() {
        let date: Date = "2026-11-21".parse().unwrap();
        assert_eq!(date.to_string(), "2026-11-21");
        assert!("2026-13-01".parse::<Date>().is_err());
        assert!("yesterday".parse::<Date>().is_err());
        assert!("2026-11".parse::<Date>().is_err());
    }
}
