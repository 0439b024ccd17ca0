//! The faces a report's text is set in. Helvetica, which every PDF
//! reader has, for everything WinAnsi can say; for any other character
//! (a Polish, Greek, Russian or Chinese name, or a course's notes in
//! them), the glyph of the first of the machine's TrueType fonts that has
//! it, embedded as a subset of only the glyphs used, with a map back to
//! Unicode so the text can still be searched and copied. A character no
//! font has is a '?', as in Helvetica alone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pdf_writer::{Content, Name, Pdf, Ref, Str};
use subsetter::GlyphRemapper;

use super::text;

pub const REGULAR: Name<'static> = Name(b"F1");
pub const BOLD: Name<'static> = Name(b"F2");

/// Where Debian and Raspberry Pi OS keep TrueType fonts.
pub const MACHINE_FONTS: &str = "/usr/share/fonts/truetype";

/// The families looked in, in order, as (regular, bold) under the font
/// folder: Liberation Sans first, drawn to Helvetica's measures so a
/// name reads as one; DejaVu Sans for more scripts; Droid's fallback for
/// Chinese, Japanese and Korean, which has no bold.
const FAMILIES: [(&str, &str); 3] = [
    (
        "liberation/LiberationSans-Regular.ttf",
        "liberation/LiberationSans-Bold.ttf",
    ),
    ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    (
        "droid/DroidSansFallbackFull.ttf",
        "droid/DroidSansFallbackFull.ttf",
    ),
];

/// The page resource names of the embedded faces, two per family.
const FACE_NAMES: [Name<'static>; 6] = [
    Name(b"F3"),
    Name(b"F4"),
    Name(b"F5"),
    Name(b"F6"),
    Name(b"F7"),
    Name(b"F8"),
];

/// A font file in use, and the glyphs of it the report shows.
pub(super) struct Face {
    pub(super) data: Vec<u8>,
    pub(super) postscript: String,
    pub(super) units_per_em: f32,
    /// The glyphs used, numbered from 1 in the order first shown: the
    /// subset's glyph ids and the page's character ids both.
    pub(super) used: GlyphRemapper,
    /// What each used glyph says, for the map back to Unicode.
    pub(super) shown: Vec<(u16, char)>,
    /// Each used glyph's advance, in thousandths of the font size, by
    /// its new id.
    pub(super) widths: Vec<f32>,
}

impl Face {
    /// A TrueType font (glyf outlines: what a CIDFontType2 embeds) at
    /// `path`, or why not.
    fn load(path: &Path) -> Result<Face, String> {
        let data = std::fs::read(path).map_err(|e| e.to_string())?;
        let parsed = ttf_parser::Face::parse(&data, 0).map_err(|e| e.to_string())?;
        if parsed.tables().glyf.is_none() {
            return Err("not TrueType outlines".into());
        }
        let postscript = parsed
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| "Embedded".into())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "");
        let units_per_em = f32::from(parsed.units_per_em().max(1));
        Ok(Face {
            data,
            postscript,
            units_per_em,
            used: GlyphRemapper::new(),
            shown: Vec::new(),
            widths: vec![0.0],
        })
    }

    pub(super) fn parsed(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, 0).ok()
    }

    /// The glyph for `c` and its advance in thousandths, if it has one.
    fn glyph(&self, c: char) -> Option<(u16, f32)> {
        let face = self.parsed()?;
        let id = face.glyph_index(c).filter(|id| id.0 != 0)?;
        let advance = f32::from(face.glyph_hor_advance(id).unwrap_or(0));
        Some((id.0, advance * 1000.0 / self.units_per_em))
    }

    /// The id the page shows the glyph by, taking it into the subset.
    fn take(&mut self, old: u16, c: char, width: f32) -> u16 {
        let new = self.used.remap(old);
        if usize::from(new) == self.widths.len() {
            self.widths.push(width);
            self.shown.push((new, c));
        }
        new
    }
}

/// A character set in an embedded face.
#[derive(Clone, Copy)]
struct Glyph {
    face: usize,
    old_id: u16,
    width: f32,
}

/// A family looked for once: its faces' places in `faces`, if found.
#[derive(Clone, Copy)]
enum Family {
    Unread,
    Missing,
    Found { regular: usize, bold: usize },
}

struct Loaded {
    families: [Family; FAMILIES.len()],
    faces: Vec<Face>,
    paths: Vec<PathBuf>,
    glyphs: HashMap<(char, bool), Option<Glyph>>,
}

/// The report's fonts. Nothing is read from disk until a character
/// Helvetica lacks is met, so a report in WinAnsi alone embeds nothing.
pub struct Fonts {
    folder: PathBuf,
    loaded: RefCell<Loaded>,
}

/// A stretch of text in one font, as the page's bytes.
struct Run {
    font: Name<'static>,
    bytes: Vec<u8>,
}

impl Fonts {
    /// The fonts of this machine's font folder.
    pub fn of_machine() -> Fonts {
        Fonts::in_folder(Path::new(MACHINE_FONTS))
    }

    /// The fonts under `folder`, laid out as [`MACHINE_FONTS`] is.
    pub fn in_folder(folder: &Path) -> Fonts {
        Fonts {
            folder: folder.to_path_buf(),
            loaded: RefCell::new(Loaded {
                families: [Family::Unread; FAMILIES.len()],
                faces: Vec::new(),
                paths: Vec::new(),
                glyphs: HashMap::new(),
            }),
        }
    }

    /// Sets `words` at `size` inside a text object, font by font.
    pub fn show(&self, content: &mut Content, size: f32, bold: bool, words: &str) {
        for run in self.runs(words, bold) {
            content.set_font(run.font, size).show(Str(&run.bytes));
        }
    }

    /// The width of `words` at `size` points, as [`Fonts::show`] sets it.
    pub fn width(&self, words: &str, size: f32, bold: bool) -> f32 {
        let thousandths: f32 = words.chars().map(|c| self.char_width(c, bold)).sum();
        thousandths * size / 1000.0
    }

    fn char_width(&self, c: char, bold: bool) -> f32 {
        if text::win_ansi_code(c).is_some() || c.is_control() {
            return text::thousandths(c, bold);
        }
        match self.glyph(c, bold) {
            Some(glyph) => glyph.width,
            None => text::thousandths('?', bold),
        }
    }

    /// `words` cut to fit `room` points at `size`, with "..." where it
    /// was cut.
    pub fn fit(&self, words: &str, size: f32, bold: bool, room: f32) -> String {
        if self.width(words, size, bold) <= room {
            return words.to_string();
        }
        let room = room - self.width("...", size, bold);
        let mut used = 0.0;
        let mut cut = String::new();
        for c in words.chars() {
            used += self.char_width(c, bold) * size / 1000.0;
            if used > room {
                break;
            }
            cut.push(c);
        }
        cut.push_str("...");
        cut
    }

    /// `words` broken into lines of at most `room` points at `size`, at
    /// spaces where it can be.
    pub fn wrap(&self, words: &str, size: f32, room: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in words.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, false) <= room || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::replace(&mut line, word.to_string()));
                }
            }
            lines.push(self.fit(&line, size, false, room));
        }
        lines
    }

    fn runs(&self, words: &str, bold: bool) -> Vec<Run> {
        let helvetica = if bold { BOLD } else { REGULAR };
        let mut runs: Vec<Run> = Vec::new();
        for c in words.chars() {
            let (font, bytes) = match text::win_ansi_code(c) {
                Some(code) => (helvetica, vec![code]),
                None if c.is_control() => (helvetica, vec![b' ']),
                None => match self.glyph(c, bold) {
                    Some(glyph) => {
                        let mut loaded = self.loaded.borrow_mut();
                        let new = loaded.faces[glyph.face].take(glyph.old_id, c, glyph.width);
                        (FACE_NAMES[glyph.face], new.to_be_bytes().to_vec())
                    }
                    None => (helvetica, vec![b'?']),
                },
            };
            match runs.last_mut() {
                Some(run) if run.font == font => run.bytes.extend(bytes),
                _ => runs.push(Run { font, bytes }),
            }
        }
        runs
    }

    /// The first family's glyph for `c`, reading families as needed.
    fn glyph(&self, c: char, bold: bool) -> Option<Glyph> {
        if let Some(known) = self.loaded.borrow().glyphs.get(&(c, bold)) {
            return *known;
        }
        let mut loaded = self.loaded.borrow_mut();
        let mut found = None;
        for family in 0..FAMILIES.len() {
            let Family::Found {
                regular,
                bold: heavy,
            } = loaded.family(&self.folder, family)
            else {
                continue;
            };
            let face = if bold { heavy } else { regular };
            if let Some((old_id, width)) = loaded.faces[face].glyph(c) {
                found = Some(Glyph {
                    face,
                    old_id,
                    width,
                });
                break;
            }
        }
        loaded.glyphs.insert((c, bold), found);
        found
    }

    /// Writes the fonts the pages use into `pdf` with ids from `next`
    /// on; the pages' font resources.
    pub fn write(&self, pdf: &mut Pdf, next: &mut i32) -> Vec<(Name<'static>, Ref)> {
        let mut take = || {
            *next += 1;
            Ref::new(*next - 1)
        };
        let mut resources = Vec::new();
        for (name, base) in [(REGULAR, "Helvetica"), (BOLD, "Helvetica-Bold")] {
            let id = take();
            pdf.type1_font(id)
                .base_font(Name(base.as_bytes()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
            resources.push((name, id));
        }
        let loaded = self.loaded.borrow();
        for (index, face) in loaded.faces.iter().enumerate() {
            if face.shown.is_empty() {
                continue;
            }
            let id = take();
            let refs = [take(), take(), take(), take(), take()];
            super::embed::embed(pdf, face, index, (id, refs), &loaded.paths[index]);
            resources.push((FACE_NAMES[index], id));
        }
        resources
    }
}

impl Loaded {
    /// Family `index`, read from `folder` the first time it is asked for.
    fn family(&mut self, folder: &Path, index: usize) -> Family {
        if let Family::Unread = self.families[index] {
            let (regular, bold) = FAMILIES[index];
            self.families[index] = match self.face(&folder.join(regular)) {
                Some(regular) => {
                    let bold = self.face(&folder.join(bold)).unwrap_or(regular);
                    Family::Found { regular, bold }
                }
                None => Family::Missing,
            };
        }
        self.families[index]
    }

    /// The face of the file at `path`, read once.
    fn face(&mut self, path: &Path) -> Option<usize> {
        if let Some(known) = self.paths.iter().position(|p| p == path) {
            return Some(known);
        }
        match Face::load(path) {
            Ok(face) => {
                self.faces.push(face);
                self.paths.push(path.to_path_buf());
                Some(self.faces.len() - 1)
            }
            Err(e) => {
                if path.exists() {
                    tracing::warn!("report: cannot use the font {}: {e}", path.display());
                }
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "fonts_tests.rs"]
mod tests;
