//! Text on a PDF page in Helvetica, one of the fonts every PDF reader
//! has (nothing to embed): its widths, for laying text out, and its
//! WinAnsi encoding, for writing it.

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
    let thousandths: u32 = text
        .chars()
        .map(|c| {
            let code = c as u32;
            if (32..127).contains(&code) {
                u32::from(WIDTHS[(code - 32) as usize])
            } else {
                556
            }
        })
        .sum();
    let width = thousandths as f32 * size / 1000.0;
    if bold { width * BOLD_WIDER } else { width }
}

/// `text` in WinAnsi, the encoding the page's fonts are set to; a
/// character it has no code for becomes '?', a control character a space.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi_byte).collect()
}

fn win_ansi_byte(c: char) -> u8 {
    let code = c as u32;
    match code {
        0x20..=0x7e | 0xa0..=0xff => code as u8,
        _ if c.is_control() => b' ',
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
            _ => b'?',
        },
    }
}

/// `text` cut to fit `room` points at `size`, with "..." where it was cut.
pub fn fit(text: &str, size: f32, bold: bool, room: f32) -> String {
    if width(text, size, bold) <= room {
        return text.to_string();
    }
    let mut cut = String::new();
    for c in text.chars() {
        cut.push(c);
        if width(&cut, size, bold) + width("...", size, bold) > room {
            cut.pop();
            break;
        }
    }
    cut.push_str("...");
    cut
}

/// `text` broken into lines of at most `room` points at `size`, at
/// spaces where it can be.
pub fn wrap(text: &str, size: f32, room: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, false) <= room || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            }
        }
        lines.push(fit(&line, size, false, room));
    }
    lines
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
        assert_eq!(
            win_ansi("Knee – é €\u{1}✓"),
            b"Knee \x96 \xe9 \x80 ?".to_vec()
        );
    }

    #[test]
    fn long_text_is_cut_and_wrapped_to_its_room() {
        let cut = fit(&"walk ".repeat(50), 10.0, false, 100.0);
        assert!(cut.ends_with("...") && width(&cut, 10.0, false) <= 100.0);
        let lines = wrap("one two three four five six seven eight", 10.0, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 60.0));
    }
}
