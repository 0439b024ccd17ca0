use super::*;

/// A page with `words` on it, its fonts written: the file's bytes.
fn page_with(fonts: &Fonts, words: &str) -> Vec<u8> {
    let mut content = Content::new();
    content.begin_text();
    fonts.show(&mut content, 10.0, false, words);
    content.end_text();
    let mut pdf = Pdf::new();
    let mut next = 10;
    let resources = fonts.write(&mut pdf, &mut next);
    let names: Vec<&[u8]> = resources.iter().map(|(name, _)| name.0).collect();
    assert!(names.contains(&REGULAR.0) && names.contains(&BOLD.0));
    pdf.stream(Ref::new(1), &content.finish());
    pdf.finish()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn winansi_text_is_helvetica_and_embeds_nothing() {
    let fonts = Fonts::in_folder(Path::new(MACHINE_FONTS));
    let file = page_with(&fonts, "Zoë walked 0:20 back – Šárka too");
    assert!(!contains(&file, "FontFile2"), "nothing embedded");
    assert_eq!(
        fonts.width("0", 10.0, false),
        5.56,
        "Helvetica's own widths"
    );
}

#[test]
fn other_scripts_come_from_an_embedded_subset_that_maps_back_to_unicode() {
    let folder = Path::new(MACHINE_FONTS);
    assert!(
        folder.join(FAMILIES[1].0).exists(),
        "scripts/setup installs fonts-dejavu-core"
    );
    let fonts = Fonts::in_folder(folder);
    let file = page_with(&fonts, "Łukasz Ωμέγα Дмитрий");
    assert!(contains(&file, "FontFile2") && contains(&file, "Identity-H"));
    assert!(contains(&file, "/ToUnicode"));
    // Ł is 0x0141 in the map back to Unicode.
    assert!(contains(&file, "<0141>"), "Ł maps back");
    assert!(
        file.len() < 200_000,
        "a subset, not the font: {}",
        file.len()
    );
}

#[test]
fn a_machine_without_fonts_writes_question_marks_in_helvetica() {
    let empty = tempfile::tempdir().unwrap();
    let fonts = Fonts::in_folder(empty.path());
    let file = page_with(&fonts, "Łukasz");
    assert!(!contains(&file, "FontFile2"));
    assert!(
        contains(&file, "(?ukasz) Tj"),
        "{}",
        String::from_utf8_lossy(&file)
    );
    assert_eq!(fonts.width("Ł", 10.0, false), fonts.width("?", 10.0, false));
}

#[test]
fn a_damaged_font_file_is_passed_over() {
    let folder = tempfile::tempdir().unwrap();
    let dejavu = folder.path().join("dejavu");
    std::fs::create_dir_all(&dejavu).unwrap();
    std::fs::write(dejavu.join("DejaVuSans.ttf"), b"not a font at all").unwrap();
    let fonts = Fonts::in_folder(folder.path());
    let file = page_with(&fonts, "Ωμέγα");
    assert!(!contains(&file, "FontFile2"));
    assert!(contains(&file, "(?????) Tj"));
}

#[test]
fn long_text_is_cut_and_wrapped_to_its_room() {
    let fonts = Fonts::in_folder(Path::new(MACHINE_FONTS));
    for words in ["walk ".repeat(50), "Łukasz Żółć ".repeat(30)] {
        let cut = fonts.fit(&words, 10.0, false, 100.0);
        assert!(cut.ends_with("..."), "{cut}");
        assert!(fonts.width(&cut, 10.0, false) <= 100.0, "{cut}");
        let lines = fonts.wrap(&words, 10.0, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| fonts.width(l, 10.0, false) <= 60.0));
    }
}
