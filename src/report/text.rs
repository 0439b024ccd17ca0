//! Helvetica, one of the fonts every PDF reader has (nothing to embed):
//! its widths, for laying text out, and its WinAnsi encoding, for
//! writing it.

/// Helvetica's advance widths for ' ' to '~', in thousandths of the
/// font size (Adobe's Helvetica.afm).
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // :;<=>?@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A-M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
    278, 278, 278, 469, 556, 333, // [\]^_`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a-m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n-z
    334, 260, 334, 584, // {|}~
];

/// Bold runs about this much wider than regular.
const BOLD_WIDER: f32 = 1.06;

/// The width of `text` at `size` points.
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    let thousandths: f32 = text.chars().map(|c| thousandths(c, bold)).sum();
    thousandths * size / 1000.0
}

/// The advance of `c` in thousandths of the font size.
pub fn thousandths(c: char, bold: bool) -> f32 {
    let code = c as u32;
    let width = if (32..127).contains(&code) {
        f32::from(WIDTHS[(code - 32) as usize])
    } else {
        556.0
    };
    if bold { width * BOLD_WIDER } else { width }
}

/// The WinAnsi code of `c`, if it has one (control characters have none).
pub fn win_ansi_code(c: char) -> Option<u8> {
    let code = c as u32;
    let byte = match code {
        0x20..=0x7e | 0xa0..=0xff => code as u8,
        _ => match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            'Š' => 0x8a,
            'š' => 0x9a,
            'Œ' => 0x8c,
            'œ' => 0x9c,
            'Ž' => 0x8e,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => return None,
        },
    };
    Some(byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_helvetica() {
        assert_eq!(width("0", 10.0, false), 5.56);
        assert!(width("WWW", 10.0, false) > width("iii", 10.0, false) * 3.0);
    }

    #[test]
    fn text_is_encoded_in_win_ansi() {
        let codes: Vec<Option<u8>> = "K – é €Š\u{1}✓".chars().map(win_ansi_code).collect();
        let expected = [b'K', b' ', 0x96, b' ', 0xe9, b' ', 0x80, 0x8a];
        let mut expected: Vec<Option<u8>> = expected.into_iter().map(Some).collect();
        expected.extend([None, None]);
        assert_eq!(codes, expected);
    }
}
