//! Hostile and broken input never panics, never runs away with memory, and
//! always gets an error that says what is wrong.

use std::io::Write;

use proptest::prelude::*;
use treadcue::phrasebook::Phrasebook;
use treadcue::plan::{Estimates, compile};
use treadcue::program::catalog::{BUILT_IN, load_file};
use treadcue::program::cue_settings::CueSettings;
use treadcue::program::{Diagnostic, SafetyOptions, parse, safety_warnings};

fn parse_bytes(bytes: &[u8]) -> Result<treadcue::program::Program, Vec<Diagnostic>> {
    parse("fuzz", "fuzz.toml", bytes)
}

fn first_error(bytes: &[u8]) -> String {
    let errors = parse_bytes(bytes).expect_err("input should be refused");
    assert!(!errors.is_empty());
    // Rendering must not panic either, whatever the span.
    errors.iter().for_each(|e| drop(e.to_string()));
    errors[0].message.clone()
}

/// Parses, and if the program is valid, plans and checks it: the whole
/// path a file takes through `check` and `plan`.
fn run_the_pipeline(bytes: &[u8]) {
    match parse_bytes(bytes) {
        Ok(program) => {
            let _ = safety_warnings(&program, &SafetyOptions::default());
            let plan = compile(
                &program,
                &CueSettings::default(),
                &Phrasebook::default(),
                &Estimates,
                16_000,
            );
            for pair in plan.cues.windows(2) {
                assert!(pair[0].end() <= pair[1].start);
            }
        }
        Err(errors) => errors.iter().for_each(|e| drop(e.to_string())),
    }
}

#[test]
fn an_empty_file_says_it_is_empty() {
    assert!(first_error(b"").contains("the file is empty"));
    assert!(first_error(b"  \n\t\n").contains("the file is empty"));
}

#[test]
fn binary_garbage_is_not_text() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(first_error(&garbage).contains("not UTF-8 text"));
}

#[test]
fn a_ten_megabyte_file_is_refused_without_being_read_whole() {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    let line = "# ".to_string() + &"x".repeat(1022) + "\n";
    for _ in 0..10 * 1024 {
        file.write_all(line.as_bytes()).unwrap();
    }
    let errors = load_file(file.path(), &Default::default()).expect_err("too large");
    assert!(
        errors[0].message.contains("may be at most 1048576 bytes"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_missing_file_is_named() {
    let errors = load_file(
        std::path::Path::new("/nonexistent/program.toml"),
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        errors[0]
            .to_string()
            .starts_with("/nonexistent/program.toml: error: cannot read the file"),
        "{}",
        errors[0]
    );
}

#[test]
fn deeply_nested_tables_are_refused_without_overflowing_the_stack() {
    let header = "[[".to_string() + &"steps.".repeat(170_000) + "steps]]\n";
    let text = format!("name = \"x\"\n{header}");
    assert!(text.len() < 1024 * 1024);
    run_the_pipeline(text.as_bytes());
    assert!(parse_bytes(text.as_bytes()).is_err());
}

#[test]
fn deeply_nested_arrays_are_refused_without_overflowing_the_stack() {
    let text = format!(
        "name = \"x\"\nsteps = {}{}\n",
        "[".repeat(400_000),
        "]".repeat(400_000)
    );
    assert!(parse_bytes(text.as_bytes()).is_err());
    let inline = format!("name = \"x\"\nsteps = {}\n", "[{steps=".repeat(100_000));
    assert!(parse_bytes(inline.as_bytes()).is_err());
}

#[test]
fn huge_numbers_are_errors() {
    let step = |key: &str, value: &str| {
        let mut fields = vec![
            ("direction", "\"forward\""),
            ("duration", "\"2m\""),
            ("speed", "2"),
        ];
        fields.retain(|(k, _)| *k != key);
        fields.push((key, value));
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("name = \"x\"\n[[steps]]\n{}\n", body.join("\n"))
    };
    first_error(step("speed", "1e308").as_bytes());
    first_error(step("speed", "-inf").as_bytes());
    first_error(step("incline", "nan").as_bytes());
    first_error(step("duration", "\"99999999999999999999h\"").as_bytes());
    first_error(step("duration", "18446744073709551615").as_bytes());
    let repeat = "name = \"x\"\n[[steps]]\nrepeat = 9223372036854775807\n[[steps.steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 2\n";
    assert!(first_error(repeat.as_bytes()).contains("out of range"));
}

#[test]
fn a_million_nested_repeats_are_refused_before_unrolling() {
    let text = "name = \"x\"\n[[steps]]\nrepeat = 100\n[[steps.steps]]\nrepeat = 100\n[[steps.steps.steps]]\nrepeat = 100\n[[steps.steps.steps.steps]]\ndirection = \"forward\"\nduration = \"5s\"\nspeed = 2\n";
    assert!(first_error(text.as_bytes()).contains("the program lasts 1388:53:20"));
}

/// Characters that matter to TOML and to the program format.
const SPICE: &[u8] = b"[]{}=\"'.,#\n -0123456789eE+_:smh";

fn mutate(text: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for &(at, what, op) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        let byte = SPICE[what as usize % SPICE.len()];
        match op % 3 {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => {
                bytes.remove(at);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        run_the_pipeline(&bytes);
    }

    #[test]
    fn mutated_built_in_programs_never_panic(
        which in 0..BUILT_IN.len(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12),
    ) {
        run_the_pipeline(&mutate(BUILT_IN[which].text.as_bytes(), &edits));
    }
}

/// A megabyte of empty steps: the first 50 errors, then one line that
/// counts the rest, and nothing built for the rest.
#[test]
fn a_flood_of_errors_is_cut_at_fifty_with_a_count_of_the_rest() {
    let text = "name = \"x\"\n".to_string() + &"[[steps]]\n".repeat(100_000);
    let errors = parse_bytes(text.as_bytes()).expect_err("empty steps are errors");
    assert_eq!(errors.len(), 51, "{}", errors.len());
    let last = errors.last().unwrap().to_string();
    assert!(
        last.contains("and 299950 more error(s) not shown"),
        "{last}"
    );
}

/// A program folder's file that links outside the folder is refused, and
/// nothing of the file it points to is shown.
#[test]
fn a_program_linked_outside_its_folder_is_refused_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("secret.txt");
    std::fs::write(&outside, "root-password = hunter2\n").unwrap();
    let folder = dir.path().join("programs");
    std::fs::create_dir(&folder).unwrap();
    std::os::unix::fs::symlink(&outside, folder.join("knee.toml")).unwrap();
    let catalog = treadcue::program::catalog::Catalog::new(vec![folder]);
    let error = match catalog.load("knee") {
        Err(treadcue::program::catalog::LoadError::Invalid(errors)) => errors[0].to_string(),
        other => panic!("{other:?}"),
    };
    assert!(
        error.contains("a link to a place outside its program folder"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
}

/// A program file changed on disk is read again; unchanged, it is parsed
/// once and kept.
#[test]
fn a_changed_program_file_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("knee.toml");
    let program = |name: &str| {
        format!(
            "name = \"{name}\"\n[[steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 1.5\n"
        )
    };
    std::fs::write(&file, program("First")).unwrap();
    let catalog = treadcue::program::catalog::Catalog::new(vec![dir.path().to_path_buf()]);
    assert_eq!(catalog.load("knee").unwrap().name, "First");
    assert_eq!(catalog.load("knee").unwrap().name, "First");
    std::fs::write(&file, program("Second, longer")).unwrap();
    assert_eq!(catalog.load("knee").unwrap().name, "Second, longer");
}
