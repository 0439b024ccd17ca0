//! Dates on the local clock (the TZ variable, else /etc/localtime), for
//! showing the history and counting it by week.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

impl Date {
    /// Days since 1970-01-01 (the proleptic Gregorian calendar).
    fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    fn from_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let days = days + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }

    /// The date `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days(self.days() + days)
    }

    /// Days from `earlier` to this date (negative when it is later).
    pub fn days_after(self, earlier: Date) -> i64 {
        self.days() - earlier.days()
    }

    /// The Monday of this date's week.
    pub fn monday(self) -> Date {
        // 1970-01-01 was a Thursday, day 3 of a week from Monday.
        self.plus_days(-(self.days() + 3).rem_euclid(7))
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

/// Seconds the local clock is ahead of UTC at `at` (0 when unknown).
pub fn utc_offset(at: SystemTime) -> i64 {
    let Ok(since) = at.duration_since(UNIX_EPOCH) else {
        return 0;
    };
    let secs = since.as_secs() as libc::time_t;
    // SAFETY: as in `local`.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return 0;
        }
        // A c_long: 32 bits on a 32-bit Pi, where this is no no-op.
        #[allow(clippy::useless_conversion)]
        i64::from(tm.tm_gmtoff)
    }
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

/// Microseconds since the Unix epoch: how clients and the checkpoint are
/// given times.
pub fn micros(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

pub fn from_micros(micros: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(micros.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mondays_and_day_counts() {
        let thursday: Date = "2026-12-03".parse().unwrap();
        assert_eq!(thursday.monday().to_string(), "2026-11-30");
        let monday: Date = "2026-11-30".parse().unwrap();
        assert_eq!(monday.monday(), monday);
        assert_eq!(thursday.days_after(monday), 3);
        let sunday: Date = "2026-12-06".parse().unwrap();
        assert_eq!(sunday.monday(), monday);
    }

    #[test]
    fn dates_read_and_print_alike() {
        let date: Date = "2026-11-21".parse().unwrap();
        assert_eq!(date.to_string(), "2026-11-21");
        assert!("2026-13-01".parse::<Date>().is_err());
        assert!("yesterday".parse::<Date>().is_err());
        assert!("2026-11".parse::<Date>().is_err());
    }

    #[test]
    fn days_are_counted_across_months_years_and_leap_days() {
        let date = |text: &str| text.parse::<Date>().unwrap();
        assert_eq!(date("1970-01-01").days(), 0);
        assert_eq!(date("2026-12-28").plus_days(7), date("2027-01-04"));
        assert_eq!(date("2028-02-26").plus_days(7), date("2028-03-04"));
        assert_eq!(date("2027-02-26").plus_days(7), date("2027-03-05"));
        assert_eq!(date("2000-03-01").plus_days(-1), date("2000-02-29"));
        assert_eq!(date("1900-03-01").plus_days(-1), date("1900-02-28"));
        for days in -800_000..800_000i64 {
            assert_eq!(Date::from_days(days).days(), days);
        }
    }
}
