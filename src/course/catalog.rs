//! Where courses come from: the built-in ones compiled into the binary and
//! course folders, by id (a file's stem), as programs are found.

use std::path::{Path, PathBuf};

use super::{COURSE_KEYS, Course, parse};
use crate::program::catalog::{find_in_folders, ids_with, outside_folder};
use crate::program::{Diagnostic, Severity, limits::MAX_FILE_BYTES};

pub struct BuiltInCourse {
    pub id: &'static str,
    pub text: &'static str,
}

macro_rules! built_in_courses {
    ($($id:literal),* $(,)?) => {
        &[$(BuiltInCourse { id: $id, text: include_str!(concat!("../../config/courses/", $id, ".toml")) }),*]
    };
}

/// The courses treadcue ships.
pub const BUILT_IN_COURSES: &[BuiltInCourse] =
    built_in_courses!["from-zero", "knee-oa", "balance-60-plus", "stroke-rehab",];

#[derive(Debug)]
pub enum CourseLoadError {
    NotFound { id: String, known: Vec<String> },
    Invalid(Vec<Diagnostic>),
}

impl std::fmt::Display for CourseLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CourseLoadError::NotFound { id, known } => write!(
                f,
                "there is no course `{id}`; the courses are: {}",
                known.join(", ")
            ),
            CourseLoadError::Invalid(diagnostics) => {
                let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
                f.write_str(&shown.join("\n"))
            }
        }
    }
}

/// Course folders, searched before the built-in courses; a later folder's
/// file wins over an earlier one's.
#[derive(Debug, Clone, Default)]
pub struct CourseCatalog {
    pub folders: Vec<PathBuf>,
}

impl CourseCatalog {
    pub fn new(folders: Vec<PathBuf>) -> Self {
        CourseCatalog { folders }
    }

    /// Every course id, sorted, without duplicates.
    pub fn ids(&self) -> Vec<String> {
        let built_in = BUILT_IN_COURSES.iter().map(|b| b.id.to_string());
        ids_with(built_in, &self.folders, &["toml"])
    }

    pub fn load(&self, id: &str) -> Result<Course, CourseLoadError> {
        if let Some((folder, path)) = find_in_folders(&self.folders, id, &["toml"]) {
            return load_in_folder(&folder, &path).map_err(CourseLoadError::Invalid);
        }
        if let Some(built_in) = BUILT_IN_COURSES.iter().find(|b| b.id == id) {
            let name = format!("{id} (built-in course)");
            return parse(id, &name, built_in.text.as_bytes()).map_err(CourseLoadError::Invalid);
        }
        Err(CourseLoadError::NotFound {
            id: id.to_string(),
            known: self.ids(),
        })
    }
}

/// A course file of a folder; a link that leaves the folder is refused.
fn load_in_folder(folder: &Path, path: &Path) -> Result<Course, Vec<Diagnostic>> {
    if let Some(outside) = outside_folder(folder, path, "course") {
        return Err(vec![outside]);
    }
    load_file(path)
}

/// Reads and parses a course file; its id is the file's stem.
pub fn load_file(path: &Path) -> Result<Course, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = crate::files::read_regular(path, MAX_FILE_BYTES as u64).map_err(|e| {
        vec![Diagnostic::whole_file(
            Severity::Error,
            &name,
            format!("cannot read the file: {e}"),
        )]
    })?;
    let id = path
        .file_stem()
        .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
    parse(&id, &name, &bytes)
}

/// Whether a file is a course rather than a program: it is in a folder
/// named `courses`, or its top-level keys are a course's.
pub fn is_course_file(path: &Path) -> bool {
    if path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "courses")
    {
        return true;
    }
    let Ok(bytes) = crate::files::read_regular(path, MAX_FILE_BYTES as u64) else {
        return false;
    };
    let Ok(table) = std::str::from_utf8(&bytes).map(|t| t.parse::<toml::Table>()) else {
        return false;
    };
    table.is_ok_and(|t| looks_like_course(&t))
}

/// A course key makes a course, a program key a program; else a key
/// misspelt from a course's (`session_per_week`) does.
fn looks_like_course(table: &toml::Table) -> bool {
    if COURSE_KEYS.iter().any(|k| table.contains_key(*k)) {
        return true;
    }
    if PROGRAM_KEYS.iter().any(|k| table.contains_key(*k)) {
        return false;
    }
    table
        .keys()
        .any(|key| crate::program::suggest::nearest(key, COURSE_KEYS).is_some())
}

/// Keys only a program has.
const PROGRAM_KEYS: &[&str] = &["steps", "units", "experienced", "cues"];
