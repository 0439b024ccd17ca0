//! The report as a page of its own (the web remote's `/report`): the
//! same summary, charts (as SVG, drawn by the same plotters code as the
//! PDF's) and tables, laid out to print on A4 from any browser.

use std::fmt::Write;

use plotters::prelude::{IntoDrawingArea, SVGBackend};

use super::charts::{self, Chart};
use super::model::Report;
use super::table::{self, Table};

const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:60em;\
padding:0 1em;color:#111}h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}\
svg{width:100%;height:auto}table{border-collapse:collapse;font-size:.8em;width:100%}\
th,td{text-align:left;padding:.15em .4em;border-bottom:1px solid #ddd}\
.chart{break-inside:avoid}.no-print{margin:1em 0}\
@media print{.no-print{display:none}body{margin:0;max-width:none}tr{break-inside:avoid}}";

pub fn render(report: &Report) -> Result<String, String> {
    let mut page = String::with_capacity(64 * 1024);
    let title = "Backward walking report";
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1><p>{}</p>",
        escape(&super::period_line(report))
    );
    let _ = write!(
        page,
        "<p class=\"no-print\"><a href=\"report.pdf?walker={}&amp;since={}&amp;until={}\">Download as PDF</a> \
         &middot; print this page from the browser's menu</p><ul>",
        escape(&url_encoded(&report.walker)),
        report.since,
        report.until
    );
    for line in super::summary(report) {
        let _ = write!(page, "<li>{}</li>", escape(&line));
    }
    page.push_str("</ul>");
    for chart in Chart::for_report(report) {
        let _ = write!(
            page,
            "<div class=\"chart\"><h2>{}</h2>",
            escape(&chart.title(report))
        );
        page.push_str(&svg(chart, report)?);
        page.push_str("</div>");
    }
    page.push_str("<h2>Week by week</h2>");
    push_table(&mut page, &table::weeks(report));
    let _ = write!(
        page,
        "<h2>Session by session</h2><p>{}</p>",
        escape(&table::sessions_key(report))
    );
    push_table(&mut page, &table::sessions(report));
    if !report.notes.is_empty() {
        page.push_str("<h2>The plan's notes</h2>");
        for note in &report.notes {
            let _ = write!(
                page,
                "<p><strong>{}</strong><br>{}</p>",
                escape(&note.title),
                escape(&note.text)
            );
        }
    }
    page.push_str("</body></html>\n");
    Ok(page)
}

fn svg(chart: Chart, report: &Report) -> Result<String, String> {
    let mut image = String::new();
    {
        let area = SVGBackend::with_string(&mut image, charts::SIZE).into_drawing_area();
        chart.draw(&area, report)?;
    }
    Ok(image)
}

fn push_table(page: &mut String, table: &Table) {
    page.push_str("<table><thead><tr>");
    for name in &table.header {
        let _ = write!(page, "<th>{}</th>", escape(name));
    }
    page.push_str("</tr></thead><tbody>");
    for row in &table.rows {
        page.push_str("<tr>");
        for cell in row {
            let _ = write!(page, "<td>{}</td>", escape(cell));
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table>");
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text as a URL's query value.
fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
