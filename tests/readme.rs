//! The README's example program is a real one: it parses and passes the
//! safety checks, so a newcomer who copies it starts from something valid.

use treadcue::program::{SafetyOptions, parse, safety_warnings};

#[test]
fn the_readme_example_program_is_valid_and_safe() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").expect("an example program") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let program =
        parse("readme", "README.md", &readme.as_bytes()[start..end]).unwrap_or_else(|e| {
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
