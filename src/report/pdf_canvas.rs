//! plotters drawing into a PDF page: a chart's lines, bars and labels
//! become the page's own vector paths and text, so the charts
//! print sharp and their numbers can be read back as text.

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle};
use plotters_backend::{DrawingBackend, DrawingErrorKind, FontTransform};

use pdf_writer::Content;

use super::fonts::Fonts;

/// A chart's box on the page: plotters' pixels are `scale` points, from
/// the box's top left corner down (the page's y runs up).
pub struct PdfCanvas<'a> {
    content: &'a mut Content,
    fonts: &'a Fonts,
    left: f32,
    top: f32,
    size: (u32, u32),
    scale: f32,
}

impl<'a> PdfCanvas<'a> {
    /// A canvas of `width` by `height` points whose top left corner is at
    /// (`left`, `top`) on the page.
    pub fn new(
        content: &'a mut Content,
        fonts: &'a Fonts,
        (left, top, width, height): (f32, f32, f32, f32),
    ) -> Self {
        let scale = 0.5;
        PdfCanvas {
            content,
            fonts,
            left,
            top,
            size: ((width / scale) as u32, (height / scale) as u32),
            scale,
        }
    }

    fn point(&self, (x, y): BackendCoord) -> (f32, f32) {
        (
            self.left + x as f32 * self.scale,
            self.top - y as f32 * self.scale,
        )
    }

    /// A colour with its transparency laid over white paper.
    fn rgb(color: BackendColor) -> (f32, f32, f32) {
        let alpha = color.alpha.clamp(0.0, 1.0) as f32;
        let over_white = |c: u8| f32::from(c) / 255.0 * alpha + (1.0 - alpha);
        (
            over_white(color.rgb.0),
            over_white(color.rgb.1),
            over_white(color.rgb.2),
        )
    }

    fn stroke_style<S: BackendStyle>(&mut self, style: &S) {
        let (r, g, b) = Self::rgb(style.color());
        let width = style.stroke_width().max(1) as f32 * self.scale;
        self.content.set_stroke_rgb(r, g, b).set_line_width(width);
    }

    fn fill_style(&mut self, color: BackendColor) {
        let (r, g, b) = Self::rgb(color);
        self.content.set_fill_rgb(r, g, b);
    }

    fn trace(&mut self, points: &[BackendCoord]) {
        for (index, point) in points.iter().enumerate() {
            let (x, y) = self.point(*point);
            if index == 0 {
                self.content.move_to(x, y);
            } else {
                self.content.line_to(x, y);
            }
        }
    }
}

type Drawn = Result<(), DrawingErrorKind<std::convert::Infallible>>;

impl DrawingBackend for PdfCanvas<'_> {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        if color.alpha > 0.0 {
            self.fill_style(color);
            let (x, y) = self.point(point);
            self.content
                .rect(x, y - self.scale, self.scale, self.scale)
                .fill_nonzero();
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x0, y0) = self.point(upper_left);
        let (x1, y1) = self.point(bottom_right);
        self.content.rect(x0, y1, x1 - x0, y0 - y1);
        if fill {
            self.fill_style(style.color());
            self.content.fill_nonzero();
        } else {
            self.stroke_style(style);
            self.content.stroke();
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        let points: Vec<BackendCoord> = path.into_iter().collect();
        if style.color().alpha == 0.0 || points.len() < 2 {
            return Ok(());
        }
        self.stroke_style(style);
        self.trace(&points);
        self.content.stroke();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        // Sixteen sides: a dot on a chart, not a drawing.
        let points: Vec<BackendCoord> = (0..=16)
            .map(|i| {
                let angle = f64::from(i) * std::f64::consts::TAU / 16.0;
                (
                    center.0 + (f64::from(radius) * angle.cos()).round() as i32,
                    center.1 + (f64::from(radius) * angle.sin()).round() as i32,
                )
            })
            .collect();
        if fill {
            return self.fill_polygon(points, style);
        }
        self.draw_path(points, style)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vertices: I,
        style: &S,
    ) -> Drawn {
        let points: Vec<BackendCoord> = vertices.into_iter().collect();
        if style.color().alpha == 0.0 || points.len() < 3 {
            return Ok(());
        }
        self.fill_style(style.color());
        self.trace(&points);
        self.content.close_path().fill_nonzero();
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        words: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Drawn {
        let size = style.size() as f32 * self.scale;
        let width = self.fonts.width(words, size, false);
        let anchor = style.anchor();
        // Along the text, then across it, before any turn.
        let along = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let across = match anchor.v_pos {
            VPos::Top => -size * 0.75,
            VPos::Center => -size * 0.35,
            VPos::Bottom => 0.0,
        };
        let (x, y) = self.point(pos);
        let (cos, sin) = match style.transform() {
            FontTransform::Rotate90 => (0.0, -1.0),
            FontTransform::Rotate180 => (-1.0, 0.0),
            FontTransform::Rotate270 => (0.0, 1.0),
            _ => (1.0, 0.0),
        };
        let start = (
            x + along * cos - across * sin,
            y + along * sin + across * cos,
        );
        self.fill_style(style.color());
        self.content
            .begin_text()
            .set_text_matrix([cos, sin, -sin, cos, start.0, start.1]);
        self.fonts.show(self.content, size, false, words);
        self.content.end_text();
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        words: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // In pixels, as plotters lays out in them.
        let size = style.size() as f32;
        Ok((
            self.fonts.width(words, size, false).ceil() as u32,
            size as u32,
        ))
    }
}
