//! The report's charts, drawn by plotters on any backend: the PDF's own
//! vector paths (`pdf_canvas`) and the page's SVG draw the same chart
//! from the same code.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::model::{Report, SessionRow, Week};

/// Backward minutes and speeds.
pub const BACKWARD: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// Forward minutes, average speeds, average heart rate.
pub const FORWARD: RGBColor = RGBColor(0xe8, 0x9a, 0x3c);
/// Sessions outside the course.
pub const OTHER: RGBColor = RGBColor(0xa8, 0xa8, 0xa8);
/// What the plan asked for, and limits.
pub const PLAN: RGBColor = RGBColor(0xb0, 0x20, 0x20);

/// A chart's size in plotters' pixels; the PDF draws a pixel as half a
/// point.
pub const SIZE: (u32, u32) = (1030, 380);

const LABEL_SIZE: u32 = 20;
/// The band above the plot that holds the legend.
const LEGEND_HEIGHT: u32 = 40;

type Area<DB> = DrawingArea<DB, Shift>;

/// The charts the report has, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Minutes,
    Sessions,
    Speed,
    HeartRate,
    Incline,
}

impl Chart {
    /// Those with something to show for `report`.
    pub fn for_report(report: &Report) -> Vec<Chart> {
        let any = |f: fn(&SessionRow) -> bool| report.sessions.iter().any(f);
        let mut charts = vec![Chart::Minutes, Chart::Sessions];
        if any(|s| s.top_backward_speed.is_some() || s.average_backward_speed.is_some()) {
            charts.push(Chart::Speed);
        }
        if any(|s| s.heart_rate_average.is_some() || s.heart_rate_max.is_some()) {
            charts.push(Chart::HeartRate);
        }
        if any(|s| s.incline_average.is_some()) {
            charts.push(Chart::Incline);
        }
        charts
    }

    pub fn title(self, report: &Report) -> String {
        match self {
            Chart::Minutes => "Minutes walked per week, backward and forward".into(),
            Chart::Sessions => "Course walks per week against the course's plan".into(),
            Chart::Speed => format!("Backward speed per session ({})", report.units),
            Chart::HeartRate => "Heart rate per session (bpm)".into(),
            Chart::Incline => "Incline per session (%)".into(),
        }
    }

    /// Draws the chart over all of `area`.
    pub fn draw<DB: DrawingBackend>(self, area: &Area<DB>, report: &Report) -> Result<(), String> {
        area.fill(&WHITE).map_err(|e| e.to_string())?;
        let drawn = match self {
            Chart::Minutes => minutes(area, &report.weeks),
            Chart::Sessions => sessions(area, &report.weeks),
            Chart::Speed => per_session(area, report, speeds(report)),
            Chart::HeartRate => per_session(area, report, heart_rates(report)),
            Chart::Incline => per_session(area, report, inclines(report)),
        };
        drawn.map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())
    }
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn font() -> TextStyle<'static> {
    TextStyle::from(("Helvetica, Arial, sans-serif", LABEL_SIZE).into_font()).color(&BLACK)
}

/// A week's Monday under its bar, "11-30".
fn week_label(weeks: &[Week], x: f64) -> String {
    let index = x.round();
    if (x - index).abs() > 0.01 || index < 0.0 {
        return String::new();
    }
    weeks
        .get(index as usize)
        .map(|w| format!("{:02}-{:02}", w.monday.month, w.monday.day))
        .unwrap_or_default()
}

fn minutes<DB: DrawingBackend>(area: &Area<DB>, weeks: &[Week]) -> Drawn<DB> {
    let count = weeks.len().max(1) as f64;
    let most = weeks
        .iter()
        .map(|w| w.backward_minutes + w.forward_minutes)
        .fold(10.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_top(LEGEND_HEIGHT)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..count - 0.5, 0.0..most * 1.2)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(weeks.len().clamp(1, 13))
        .x_label_formatter(&|x| week_label(weeks, *x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(TRANSPARENT)
        .y_desc("minutes")
        .label_style(font())
        .axis_desc_style(font())
        .draw()?;
    let bar = |i: usize, from: f64, to: f64| [(i as f64 - 0.35, from), (i as f64 + 0.35, to)];
    chart.draw_series(
        weeks
            .iter()
            .enumerate()
            .map(|(i, w)| Rectangle::new(bar(i, 0.0, w.backward_minutes), BACKWARD.filled())),
    )?;
    chart.draw_series(weeks.iter().enumerate().map(|(i, w)| {
        let top = w.backward_minutes + w.forward_minutes;
        Rectangle::new(bar(i, w.backward_minutes, top), FORWARD.filled())
    }))?;
    if weeks.len() <= 16 {
        chart.draw_series(weeks.iter().enumerate().map(|(i, w)| {
            let total = w.backward_minutes + w.forward_minutes;
            Text::new(
                format!("{total:.0}"),
                (i as f64 - 0.2, total + most * 0.1),
                font(),
            )
        }))?;
    }
    legend(
        area,
        &[
            ("backward", BACKWARD, Swatch::Bar),
            ("forward", FORWARD, Swatch::Bar),
        ],
    )
}

fn sessions<DB: DrawingBackend>(area: &Area<DB>, weeks: &[Week]) -> Drawn<DB> {
    let count = weeks.len().max(1) as f64;
    let most = weeks
        .iter()
        .map(|w| w.sessions.max(w.prescribed.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(3);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_top(LEGEND_HEIGHT)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..count - 0.5, 0.0..f64::from(most) + 1.5)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(weeks.len().clamp(1, 13))
        .x_label_formatter(&|x| week_label(weeks, *x))
        .y_labels(most as usize + 2)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(TRANSPARENT)
        .y_desc("sessions")
        .label_style(font())
        .axis_desc_style(font())
        .draw()?;
    // Course walks, with the other sessions above them: only the course
    // walks count against what the course prescribes.
    let bar = |i: usize, from: u32, to: u32| {
        let x = i as f64;
        [(x - 0.35, f64::from(from)), (x + 0.35, f64::from(to))]
    };
    chart.draw_series(
        weeks
            .iter()
            .enumerate()
            .map(|(i, w)| Rectangle::new(bar(i, 0, w.course_walks), BACKWARD.filled())),
    )?;
    chart.draw_series(
        weeks
            .iter()
            .enumerate()
            .map(|(i, w)| Rectangle::new(bar(i, w.course_walks, w.sessions), OTHER.filled())),
    )?;
    chart.draw_series(weeks.iter().enumerate().filter_map(|(i, w)| {
        let asked = f64::from(w.prescribed?);
        let x = i as f64;
        Some(PathElement::new(
            vec![(x - 0.45, asked), (x + 0.45, asked)],
            PLAN.stroke_width(4),
        ))
    }))?;
    legend(
        area,
        &[
            ("course walks", BACKWARD, Swatch::Bar),
            ("other sessions", OTHER, Swatch::Bar),
            ("prescribed", PLAN, Swatch::Line),
        ],
    )
}

/// A series of (day, figure) points, named, in its colour.
type Line = (&'static str, RGBColor, Vec<(f64, f64)>);

/// Lines of figures per session, against the days of the period.
struct Lines {
    unit: &'static str,
    /// Decimal places on the axis.
    decimals: usize,
    lines: Vec<Line>,
    /// A level to mark across the chart, such as the heart-rate limit.
    level: Option<(&'static str, f64)>,
}

fn speeds(report: &Report) -> Lines {
    Lines {
        unit: report.units,
        decimals: 1,
        lines: vec![
            ("top", BACKWARD, points(report, |s| s.top_backward_speed)),
            (
                "average",
                FORWARD,
                points(report, |s| s.average_backward_speed),
            ),
        ],
        level: None,
    }
}

fn heart_rates(report: &Report) -> Lines {
    Lines {
        unit: "bpm",
        decimals: 0,
        lines: vec![
            (
                "maximum",
                BACKWARD,
                points(report, |s| s.heart_rate_max.map(f64::from)),
            ),
            (
                "average",
                FORWARD,
                points(report, |s| s.heart_rate_average.map(f64::from)),
            ),
        ],
        level: report.heart_limit.map(|l| ("limit", f64::from(l))),
    }
}

fn inclines(report: &Report) -> Lines {
    Lines {
        unit: "%",
        decimals: 1,
        lines: vec![
            ("maximum", BACKWARD, points(report, |s| s.incline_max)),
            ("average", FORWARD, points(report, |s| s.incline_average)),
        ],
        level: None,
    }
}

fn points(report: &Report, value: fn(&SessionRow) -> Option<f64>) -> Vec<(f64, f64)> {
    report
        .sessions
        .iter()
        .filter_map(|s| value(s).filter(|v| v.is_finite()).map(|v| (s.day, v)))
        .collect()
}

fn per_session<DB: DrawingBackend>(area: &Area<DB>, report: &Report, lines: Lines) -> Drawn<DB> {
    let days = report.until.days_after(report.since) as f64 + 1.0;
    let values = lines
        .lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|p| p.1));
    let most = values.chain(lines.level.map(|l| l.1)).fold(1.0, f64::max);
    let least = lines
        .lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|p| p.1));
    let least = least.fold(most, f64::min).min(0.0);
    let since = report.since;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_top(LEGEND_HEIGHT)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..days, least..most * 1.15)?;
    chart
        .configure_mesh()
        .x_labels(12)
        .x_label_formatter(&|day| {
            let date = since.plus_days(day.floor() as i64);
            format!("{:02}-{:02}", date.month, date.day)
        })
        .y_label_formatter(&|y| format!("{y:.*}", lines.decimals))
        .light_line_style(TRANSPARENT)
        .y_desc(lines.unit)
        .label_style(font())
        .axis_desc_style(font())
        .draw()?;
    let mut keys = Vec::new();
    for (name, color, points) in lines.lines {
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
        keys.push((name, color, Swatch::Line));
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))?;
    }
    if let Some((name, level)) = lines.level {
        chart.draw_series(DashedLineSeries::new(
            vec![(0.0, level), (days, level)],
            10,
            6,
            PLAN.stroke_width(2),
        ))?;
        keys.push((name, PLAN, Swatch::Line));
    }
    legend(area, &keys)
}

/// How a legend shows a series.
#[derive(Clone, Copy)]
enum Swatch {
    Bar,
    Line,
}

/// The legend, in a row above the chart's top right corner, clear of
/// the data. plotters' own sizes its entries by a rough guess at the
/// text's width; this one by Helvetica's (Arial's are the same), which
/// both the PDF and the page use.
fn legend<DB: DrawingBackend>(area: &Area<DB>, keys: &[(&str, RGBColor, Swatch)]) -> Drawn<DB> {
    let text_width = |name: &str| super::text::width(name, LABEL_SIZE as f32, false).ceil() as i32;
    let entry_width = |name: &str| 34 + text_width(name) + 24;
    let total: i32 = keys.iter().map(|(name, _, _)| entry_width(name)).sum();
    let mut left = area.dim_in_pixel().0 as i32 - 20 - total;
    let middle = LEGEND_HEIGHT as i32 / 2;
    for (name, color, swatch) in keys {
        match swatch {
            Swatch::Bar => area.draw(&Rectangle::new(
                [(left + 6, middle - 8), (left + 24, middle + 8)],
                color.filled(),
            ))?,
            Swatch::Line => area.draw(&PathElement::new(
                vec![(left + 2, middle), (left + 26, middle)],
                color.stroke_width(3),
            ))?,
        }
        let style = font().pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(name.to_string(), (left + 34, middle), style))?;
        left += entry_width(name);
    }
    Ok(())
}
