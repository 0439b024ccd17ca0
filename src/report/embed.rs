//! A face of the report's fonts written into the PDF: a Type 0 font
//! over a CIDFontType2, as PDF 1.7 (9.7) gives for TrueType glyphs shown
//! by two-byte glyph ids.

use std::path::Path;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Finish, Name, Pdf, Rect, Ref, Str};

use super::fonts::Face;

const IDENTITY: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// One face as a Type 0 font with Identity-H encoding over a CIDFontType2,
/// its subset embedded (the whole file, with a map of its glyph ids, if
/// the subset cannot be made), and its map back to Unicode.
pub(super) fn embed(pdf: &mut Pdf, face: &Face, index: usize, ids: (Ref, [Ref; 5]), path: &Path) {
    let (id, [cid, descriptor, file, unicode, gid_map]) = ids;
    let base = format!(
        "TCUE{}{}+{}",
        tag_letter(index / 26),
        tag_letter(index),
        face.postscript
    );
    let base = Name(base.as_bytes());
    pdf.type0_font(id)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(unicode);
    let (bytes, whole) = match subsetter::subset(&face.data, 0, &face.used) {
        Ok(subset) => (subset, false),
        Err(e) => {
            tracing::warn!(
                "report: cannot subset {} ({e}); embedding all of it",
                path.display()
            );
            (face.data.clone(), true)
        }
    };
    let mut font = pdf.cid_font(cid);
    font.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(IDENTITY)
        .font_descriptor(descriptor)
        .default_width(0.0);
    font.widths().consecutive(0, face.widths.iter().copied());
    if whole {
        font.cid_to_gid_map_stream(gid_map);
    } else {
        font.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    font.finish();
    describe(pdf, face, base, descriptor, file);
    pdf.stream(file, &bytes)
        .pair(Name(b"Length1"), bytes.len() as i32);
    if whole {
        let map: Vec<u8> = face
            .used
            .remapped_gids()
            .flat_map(u16::to_be_bytes)
            .collect();
        pdf.stream(gid_map, &map);
    }
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), IDENTITY);
    for &(glyph, c) in &face.shown {
        cmap.pair(glyph, c);
    }
    pdf.cmap(unicode, &cmap.finish());
}

fn describe(pdf: &mut Pdf, face: &Face, base: Name, descriptor: Ref, file: Ref) {
    let scale = |v: i16| f32::from(v) * 1000.0 / face.units_per_em;
    let parsed = face.parsed();
    let (bbox, ascent, descent, cap) = match &parsed {
        Some(f) => {
            let b = f.global_bounding_box();
            let bbox = Rect::new(
                scale(b.x_min),
                scale(b.y_min),
                scale(b.x_max),
                scale(b.y_max),
            );
            let cap = f.capital_height().unwrap_or(f.ascender());
            (bbox, scale(f.ascender()), scale(f.descender()), scale(cap))
        }
        None => (Rect::new(0.0, -200.0, 1000.0, 900.0), 900.0, -200.0, 700.0),
    };
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(bbox)
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap)
        .stem_v(80.0)
        .font_file2(file);
}

/// A subset's tag is six capital letters; these differ by face.
fn tag_letter(n: usize) -> char {
    char::from(b'A' + (n % 26) as u8)
}
