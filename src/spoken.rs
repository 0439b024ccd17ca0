//! Numbers, durations, speeds and inclines as people say them: "one and a
//! half minutes", "two point five miles per hour", "five percent incline".

use std::time::Duration;

use crate::phrasebook::Words;
use crate::program::Units;

impl Words {
    /// A whole number in words; past 999, which no cue needs, in digits.
    pub fn number(&self, n: u64) -> String {
        match n {
            0..=19 => self.ones[n as usize].clone(),
            20..=99 => {
                let tens = self.tens[(n / 10) as usize].clone();
                match n % 10 {
                    0 => tens,
                    ones => format!("{tens}{}{}", self.tens_join, self.ones[ones as usize]),
                }
            }
            100..=999 => {
                let head = format!("{} {}", self.number(n / 100), self.hundred);
                match n % 100 {
                    0 => head,
                    rest => format!("{head} {}", self.number(rest)),
                }
            }
            _ => n.to_string(),
        }
    }

    /// A decimal rounded to tenths: "two point five", "point eight", "two".
    pub fn decimal(&self, value: f64) -> String {
        let tenths = (value.abs() * 10.0).round() as u64;
        let (whole, tenth) = (tenths / 10, tenths % 10);
        match (whole, tenth) {
            (whole, 0) => self.number(whole),
            (0, tenth) => format!("{} {}", self.point, self.ones[tenth as usize]),
            (whole, tenth) => format!(
                "{} {} {}",
                self.number(whole),
                self.point,
                self.ones[tenth as usize]
            ),
        }
    }

    /// A signed decimal: "minus two point five".
    pub fn signed(&self, value: f64) -> String {
        if value <= -0.05 {
            format!("{} {}", self.minus, self.decimal(value))
        } else {
            self.decimal(value)
        }
    }

    pub fn speed(&self, value: f64, units: Units) -> String {
        let one = (value - 1.0).abs() < 0.05;
        let unit = match (units, one) {
            (Units::Mph, true) => &self.mph_one,
            (Units::Mph, false) => &self.mph_many,
            (Units::Kmh, true) => &self.kmh_one,
            (Units::Kmh, false) => &self.kmh_many,
        };
        format!("{} {unit}", self.decimal(value))
    }

    pub fn incline(&self, percent: f64) -> String {
        if percent.abs() < 0.05 {
            return self.flat.clone();
        }
        let amount = self.decimal(percent);
        let template = if percent > 0.0 {
            &self.incline
        } else {
            &self.decline
        };
        template.fill(&[("percent", &amount)])
    }

    /// A duration rounded to whole seconds, in its largest natural units.
    pub fn duration(&self, d: Duration) -> String {
        let secs = d.as_secs_f64().round() as u64;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        match (h, m, s) {
            (0, 0, s) => self.count(s, &self.second, &self.seconds),
            (0, m, 0) => self.count(m, &self.minute, &self.minutes),
            (0, m, 30) => self.half(m, &self.minutes),
            (0, m, s) => self.pair(
                self.count(m, &self.minute, &self.minutes),
                self.count(s, &self.second, &self.seconds),
            ),
            (h, 0, 0) => self.count(h, &self.hour, &self.hours),
            (h, 30, 0) => self.half(h, &self.hours),
            (h, m, _) => self.pair(
                self.count(h, &self.hour, &self.hours),
                self.count(m, &self.minute, &self.minutes),
            ),
        }
    }

    fn count(&self, n: u64, one: &str, many: &str) -> String {
        format!("{} {}", self.number(n), if n == 1 { one } else { many })
    }

    fn half(&self, whole: u64, unit: &str) -> String {
        self.and_a_half
            .fill(&[("whole", &self.number(whole)), ("unit", unit)])
    }

    fn pair(&self, big: String, small: String) -> String {
        self.and.fill(&[("big", &big), ("small", &small)])
    }
}

#[cfg(test)]
mod tests {
    use crate::phrasebook::Phrasebook;
    use crate::program::Units;
    use std::time::Duration;

    fn words() -> crate::phrasebook::Words {
        Phrasebook::default().words
    }

    #[test]
    fn numbers_read_as_words() {
        let w = words();
        assert_eq!(w.number(0), "zero");
        assert_eq!(w.number(15), "fifteen");
        assert_eq!(w.number(45), "forty-five");
        assert_eq!(w.number(60), "sixty");
        assert_eq!(w.number(100), "one hundred");
        assert_eq!(w.number(240), "two hundred forty");
    }

    #[test]
    fn speeds_read_like_a_coach_says_them() {
        let w = words();
        assert_eq!(w.speed(2.5, Units::Mph), "two point five miles per hour");
        assert_eq!(w.speed(2.0, Units::Mph), "two miles per hour");
        assert_eq!(w.speed(1.0, Units::Mph), "one mile per hour");
        assert_eq!(w.speed(0.8, Units::Mph), "point eight miles per hour");
        assert_eq!(
            w.speed(3.2, Units::Kmh),
            "three point two kilometres per hour"
        );
    }

    #[test]
    fn durations_read_in_natural_units() {
        let w = words();
        let say = |s: u64| w.duration(Duration::from_secs(s));
        assert_eq!(say(1), "one second");
        assert_eq!(say(30), "thirty seconds");
        assert_eq!(say(60), "one minute");
        assert_eq!(say(90), "one and a half minutes");
        assert_eq!(say(150), "two and a half minutes");
        assert_eq!(say(135), "two minutes and fifteen seconds");
        assert_eq!(say(3600), "one hour");
        assert_eq!(say(5400), "one and a half hours");
        assert_eq!(say(4500), "one hour and fifteen minutes");
    }

    #[test]
    fn inclines_read_as_slope() {
        let w = words();
        assert_eq!(w.incline(0.0), "flat");
        assert_eq!(w.incline(5.0), "incline five percent");
        assert_eq!(w.incline(-2.5), "decline two point five percent");
        assert_eq!(w.signed(-2.5), "minus two point five");
    }
}
