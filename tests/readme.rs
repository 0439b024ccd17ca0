//! The example programs of the README and of docs/programs.md are real
//! ones: they parse and pass the safety checks, so a newcomer who copies
//! one starts from something valid.

use treadcue::program::{SafetyOptions, parse, safety_warnings};

#[test]
fn the_readme_example_program_is_valid_and_safe() {
    example_is_valid_and_safe("README.md", include_str!("../README.md"));
}

#[test]
fn the_programs_page_example_program_is_valid_and_safe() {
    example_is_valid_and_safe("docs/programs.md", include_str!("../docs/programs.md"));
}

/// The first TOML block of `text`, a program of ten steps once unrolled.
fn example_is_valid_and_safe(file: &str, text: &str) {
    let start = text.find("```toml\n").expect("an example program") + "```toml\n".len();
    let end = start + text[start..].find("```").unwrap();
    let program = parse("readme", file, &text.as_bytes()[start..end]).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(program.steps.len(), 10);
    let warnings = safety_warnings(&program, &SafetyOptions::default());
    assert!(warnings.is_empty(), "{warnings:#?}");
}
