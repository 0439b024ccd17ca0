//! The report's tables as text, cell by cell: the PDF and the page lay
//! out the same cells, so both say the same figures.

use super::model::Report;

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Each column's share of the width.
    weights: Vec<f32>,
}

impl Table {
    /// The columns' widths in points, over `width`.
    pub fn widths(&self, width: f32) -> Vec<f32> {
        let sum: f32 = self.weights.iter().sum();
        self.weights.iter().map(|w| w / sum * width).collect()
    }
}

/// A figure with `decimals` places, or "-" when there is none.
pub fn figure(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
}

/// "avg/max", either "-" when missing.
fn pair(first: Option<f64>, second: Option<f64>, decimals: usize) -> String {
    if first.is_none() && second.is_none() {
        return "-".to_string();
    }
    format!("{}/{}", figure(first, decimals), figure(second, decimals))
}

fn columns(names: &[(&str, f32)]) -> (Vec<String>, Vec<f32>) {
    names.iter().map(|(n, w)| (n.to_string(), *w)).unzip()
}

pub fn weeks(report: &Report) -> Table {
    let (header, weights) = columns(&[
        ("Week of", 1.3),
        ("Prescribed", 1.0),
        ("Sessions", 1.0),
        ("Course walks", 1.1),
        ("Rest too short", 1.2),
        ("Backward min", 1.2),
        ("Forward min", 1.1),
        ("Total min", 1.0),
    ]);
    let rows = report
        .weeks
        .iter()
        .map(|w| {
            vec![
                w.monday.to_string(),
                w.prescribed.map_or("-".into(), |p| p.to_string()),
                w.sessions.to_string(),
                w.course_walks.to_string(),
                w.rest_broken.to_string(),
                format!("{:.1}", w.backward_minutes),
                format!("{:.1}", w.forward_minutes),
                format!("{:.1}", w.backward_minutes + w.forward_minutes),
            ]
        })
        .collect();
    Table {
        header,
        rows,
        weights,
    }
}

/// What the sessions table's short column names mean.
pub fn sessions_key(report: &Report) -> String {
    format!(
        "Min: minutes walked. Back: minutes backward. Top, Avg: the fastest backward step and the \
         average backward speed, {}. Incline: average/maximum %. HR: average/maximum heart rate, \
         bpm. Above: minutes above the heart-rate limit. Walk: the course walk, from 1. Rest: \
         whether the rest since the course walk before was as long as the course asks.",
        report.units
    )
}

pub fn sessions(report: &Report) -> Table {
    let (header, weights) = columns(&[
        ("Date", 1.45),
        ("Time", 0.8),
        ("Program", 3.0),
        ("Outcome", 1.45),
        ("Min", 0.8),
        ("Back", 0.8),
        ("Top", 0.8),
        ("Avg", 0.8),
        ("Incline", 1.1),
        ("HR", 1.1),
        ("Above", 0.9),
        ("Walk", 0.7),
        ("Rating", 1.25),
        ("Rest", 0.7),
    ]);
    let rows = report
        .sessions
        .iter()
        .map(|s| {
            vec![
                s.date.to_string(),
                s.time.clone(),
                s.program.clone(),
                s.outcome.to_string(),
                format!("{:.1}", s.minutes),
                format!("{:.1}", s.backward_minutes),
                figure(s.top_backward_speed, 1),
                figure(s.average_backward_speed, 2),
                pair(s.incline_average, s.incline_max, 1),
                pair(
                    s.heart_rate_average.map(f64::from),
                    s.heart_rate_max.map(f64::from),
                    0,
                ),
                figure(s.minutes_above_limit, 1),
                s.course_walk
                    .map_or("-".into(), |(walk, _)| walk.to_string()),
                s.course_walk.map_or("-".into(), |(_, r)| r.to_string()),
                match s.rest_kept {
                    Some(true) => "kept".into(),
                    Some(false) => "short".into(),
                    None => "-".into(),
                },
            ]
        })
        .collect();
    Table {
        header,
        rows,
        weights,
    }
}
