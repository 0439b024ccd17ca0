//! The physiotherapist's report: for a period, how the walker kept to
//! the course (sessions prescribed per week against walked, the rest
//! between walks), minutes backward and forward per week, backward
//! speed, incline and heart rate per session, the ratings and the
//! plan's notes; as charts with their numbers and as tables. Made here,
//! with no browser: a PDF (`pdf`), and the same figures as a printable
//! page (`html`).

mod charts;
mod embed;
mod fonts;
mod html;
mod model;
mod pdf;
mod pdf_canvas;
mod table;
mod text;

#[cfg(test)]
mod tests;

pub use model::{
    Inputs, Note, RATING_NAMES, RecordSummary, Report, SessionRow, Totals, Walk, Week, rests,
};

use table::figure;

impl Report {
    /// The report as a PDF file.
    pub fn pdf(&self) -> Result<Vec<u8>, String> {
        pdf::render(self)
    }

    /// The report as a page to read and print.
    pub fn html(&self) -> Result<String, String> {
        html::render(self)
    }

    /// The file name a saved report gets: the walker's name in it as
    /// letters and digits of any script, anything else a dash.
    pub fn file_name(&self) -> String {
        let walker: String = self
            .walker
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        format!(
            "treadcue-report-{walker}-{}-to-{}.pdf",
            self.since, self.until
        )
    }
}

/// "Anna, from 2026-01-05 to 2026-03-29; made 2026-03-30 08:00."
fn period_line(report: &Report) -> String {
    format!(
        "{}, from {} to {}; made {}. Speeds in {}.",
        report.walker, report.since, report.until, report.made, report.units
    )
}

/// The summary's lines, the same on paper and on the page.
fn summary(report: &Report) -> Vec<String> {
    let t = &report.totals;
    let mut lines = vec![
        format!(
            "Sessions: {} ({} walked to the end)",
            t.sessions, t.finished
        ),
        format!(
            "Minutes walked: {:.1} (backward {:.1}, forward {:.1})",
            t.minutes,
            t.backward_minutes,
            t.minutes - t.backward_minutes
        ),
    ];
    lines.push(match t.adherence() {
        Some(percent) => format!(
            "Course walks as prescribed: {} of {} ({percent:.0}%)",
            t.walked_as_prescribed, t.prescribed
        ),
        None => "Course walks as prescribed: no course was followed in this period".into(),
    });
    if t.rest_kept + t.rest_broken > 0 {
        lines.push(format!(
            "Rest before course walks: kept {}, too short {}",
            t.rest_kept, t.rest_broken
        ));
    }
    let ratings: Vec<String> = RATING_NAMES
        .iter()
        .zip(t.ratings)
        .map(|(name, count)| format!("{name} {count}"))
        .collect();
    lines.push(format!("Ratings of course walks: {}", ratings.join(", ")));
    lines.push(heart_line(report));
    lines
}

fn heart_line(report: &Report) -> String {
    let rates = report.sessions.iter();
    let maximum = rates.clone().filter_map(|s| s.heart_rate_max).max();
    let averages: Vec<f64> = rates
        .filter_map(|s| s.heart_rate_average.map(f64::from))
        .collect();
    let average =
        (!averages.is_empty()).then(|| averages.iter().sum::<f64>() / averages.len() as f64);
    let limit = match report.heart_limit {
        Some(limit) => format!(
            "; {:.1} minutes above the limit of {limit} bpm",
            report.totals.minutes_above_limit
        ),
        None => "; no limit set".into(),
    };
    format!(
        "Heart rate: sessions' average {} bpm, highest {} bpm{limit}",
        figure(average, 0),
        figure(maximum.map(f64::from), 0)
    )
}
