//! The report as a PDF, written by pdf-writer in the two Helvetica
//! fonts every reader has, with the machine's fonts embedded for what
//! they lack (see `fonts`): a summary, the charts (drawn by plotters
//! straight into the page), the weeks and the sessions as tables, and
//! the plan's notes. A4, flowing onto as many pages as it needs.

use pdf_writer::{Content, Finish, Pdf, Rect, Ref, TextStr};
use plotters::prelude::IntoDrawingArea;

use super::charts::{self, Chart};
use super::fonts::Fonts;
use super::model::Report;
use super::pdf_canvas::PdfCanvas;
use super::table::{self, Table};
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 40.0;
const WIDTH: f32 = PAGE.0 - 2.0 * MARGIN;
const CHART_HEIGHT: f32 = WIDTH * charts::SIZE.1 as f32 / charts::SIZE.0 as f32;

/// Pages being filled, top to bottom.
struct Pages<'f> {
    fonts: &'f Fonts,
    done: Vec<Content>,
    page: Content,
    /// Where the next line's top is.
    y: f32,
}

impl<'f> Pages<'f> {
    fn new(fonts: &'f Fonts) -> Pages<'f> {
        Pages {
            fonts,
            done: Vec::new(),
            page: Content::new(),
            y: PAGE.1 - MARGIN,
        }
    }

    /// Room for `height` points, on a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            self.done
                .push(std::mem::replace(&mut self.page, Content::new()));
            self.y = PAGE.1 - MARGIN;
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, words: &str) {
        let baseline = self.y - size;
        show(
            self.fonts,
            &mut self.page,
            (x, baseline),
            (size, bold),
            words,
        );
    }

    fn line(&mut self, size: f32, bold: bool, words: &str) {
        self.room(size * 1.4);
        self.text(MARGIN, size, bold, words);
        self.y -= size * 1.4;
    }

    /// A heading, on the page of what follows it.
    fn heading(&mut self, words: &str) {
        self.room(70.0);
        self.y -= 8.0;
        self.line(12.0, true, words);
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn finish(mut self) -> Vec<Content> {
        self.done.push(self.page);
        self.done
    }
}

fn show(
    fonts: &Fonts,
    content: &mut Content,
    (x, baseline): (f32, f32),
    (size, bold): (f32, bool),
    words: &str,
) {
    content
        .set_fill_gray(0.0)
        .begin_text()
        .next_line(x, baseline);
    fonts.show(content, size, bold, words);
    content.end_text();
}

/// The report as a PDF file's bytes, with this machine's fonts.
pub fn render(report: &Report) -> Result<Vec<u8>, String> {
    render_with(report, &Fonts::of_machine())
}

/// The report as a PDF file's bytes, with `fonts`.
pub fn render_with(report: &Report, fonts: &Fonts) -> Result<Vec<u8>, String> {
    let mut pages = Pages::new(fonts);
    pages.line(18.0, true, "Backward walking report");
    pages.line(10.0, false, &super::period_line(report));
    pages.gap(6.0);
    for line in super::summary(report) {
        pages.line(10.0, false, &line);
    }
    for chart in Chart::for_report(report) {
        draw_chart(&mut pages, chart, report)?;
    }
    pages.heading("Week by week");
    draw_table(&mut pages, &table::weeks(report));
    pages.heading("Session by session");
    for line in fonts.wrap(&table::sessions_key(report), 8.0, WIDTH) {
        pages.line(8.0, false, &line);
    }
    pages.gap(4.0);
    draw_table(&mut pages, &table::sessions(report));
    if !report.notes.is_empty() {
        pages.heading("The plan's notes");
        for note in &report.notes {
            pages.line(9.0, true, &note.title);
            for line in fonts.wrap(&note.text, 9.0, WIDTH) {
                pages.line(9.0, false, &line);
            }
            pages.gap(4.0);
        }
    }
    Ok(document(fonts, pages.finish()))
}

fn draw_chart(pages: &mut Pages, chart: Chart, report: &Report) -> Result<(), String> {
    pages.room(CHART_HEIGHT + 30.0);
    pages.gap(6.0);
    pages.line(11.0, true, &chart.title(report));
    let place = (MARGIN, pages.y, WIDTH, CHART_HEIGHT);
    let canvas = PdfCanvas::new(&mut pages.page, pages.fonts, place);
    chart.draw(&canvas.into_drawing_area(), report)?;
    pages.y -= CHART_HEIGHT + 4.0;
    Ok(())
}

const TABLE_SIZE: f32 = 7.0;

fn draw_table(pages: &mut Pages, table: &Table) {
    let row_height = TABLE_SIZE * 1.45;
    let widths = table.widths(WIDTH);
    let header = |pages: &mut Pages| {
        pages.room(row_height * 2.0);
        draw_row(pages, &widths, &table.header, true);
        let rule = pages.y + 1.5;
        pages
            .page
            .set_stroke_gray(0.4)
            .set_line_width(0.5)
            .move_to(MARGIN, rule)
            .line_to(MARGIN + WIDTH, rule)
            .stroke();
    };
    header(pages);
    for row in &table.rows {
        let pages_before = pages.done.len();
        pages.room(row_height);
        if pages.done.len() != pages_before {
            header(pages);
        }
        draw_row(pages, &widths, row, false);
    }
}

fn draw_row(pages: &mut Pages, widths: &[f32], cells: &[String], bold: bool) {
    let mut x = MARGIN;
    for (cell, width) in cells.iter().zip(widths) {
        let cell = pages.fonts.fit(cell, TABLE_SIZE, bold, width - 3.0);
        pages.text(x, TABLE_SIZE, bold, &cell);
        x += width;
    }
    pages.y -= TABLE_SIZE * 1.45;
}

/// The file: a catalog, the pages with their numbers at the foot, the
/// fonts, and the document's title.
fn document(fonts: &Fonts, mut contents: Vec<Content>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, info) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let count = contents.len();
    for (index, content) in contents.iter_mut().enumerate() {
        let foot = format!("treadcue report, page {} of {count}", index + 1);
        let x = PAGE.0 - MARGIN - fonts.width(&foot, 8.0, false);
        show(fonts, content, (x, MARGIN - 10.0), (8.0, false), &foot);
    }
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(4 + 2 * i as i32)).collect();
    let mut next = 4 + 2 * count as i32;
    // Every glyph is on a page by now, so the subsets are whole.
    let resources = fonts.write(&mut pdf, &mut next);
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(count as i32);
    for (index, content) in contents.into_iter().enumerate() {
        let (page_id, content_id) = (page_ids[index], Ref::new(5 + 2 * index as i32));
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .parent(tree)
            .contents(content_id);
        page.resources().fonts().pairs(resources.iter().copied());
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.document_info(info)
        .title(TextStr("Backward walking report"))
        .producer(TextStr("treadcue"));
    pdf.finish()
}
