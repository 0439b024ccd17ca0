//! Where programs come from: the built-in ones compiled into the binary,
//! folders of program files, and single files named on the command line.
//! Programs are asked for by id (a file's stem), never by path, except
//! where a command takes a file explicitly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::program::{self, Diagnostic, Program, Severity, Units, limits::MAX_FILE_BYTES};

pub struct BuiltIn {
    pub id: &'static str,
    pub text: &'static str,
}

macro_rules! built_in {
    ($($id:literal),* $(,)?) => {
        &[$(BuiltIn { id: $id, text: include_str!(concat!("../../config/programs/", $id, ".toml")) }),*]
    };
}

/// The programs treadcue ships, in the order a walker would progress.
pub const BUILT_IN: &[BuiltIn] = built_in![
    "demo",
    "retro-first-steps",
    "retro-builder",
    "retro-incline-ladder",
    "retro-five-at-five",
    "retro-jog-intervals",
    "retro-rehab-30",
    // The sessions of the built-in courses (config/courses/).
    "zero-w1",
    "zero-w2",
    "zero-w3",
    "zero-w4",
    "zero-w5",
    "zero-w6",
    "knee-oa-10",
    "balance-1",
    "balance-2",
    "balance-3",
];

#[derive(Debug)]
pub enum LoadError {
    /// No program has that id; lists the ids that exist.
    NotFound {
        id: String,
        known: Vec<String>,
    },
    Invalid(Vec<Diagnostic>),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound { id, known } => {
                write!(
                    f,
                    "there is no program `{id}`; the programs are: {}",
                    known.join(", ")
                )
            }
            LoadError::Invalid(diagnostics) => {
                let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
                f.write_str(&shown.join("\n"))
            }
        }
    }
}

impl std::error::Error for LoadError {}

pub fn built_in(id: &str) -> Option<Result<Program, Vec<Diagnostic>>> {
    BUILT_IN
        .iter()
        .find(|b| b.id == id)
        .map(|b| program::parse(b.id, &format!("{} (built in)", b.id), b.text.as_bytes()))
}

/// Reads and parses a program file; its id is the file's stem. A `.zwo`
/// file is a Zwift run workout, imported with `zwo`'s options.
pub fn load_file(
    path: &Path,
    zwo: &crate::program::zwo::ZwoOptions,
) -> Result<Program, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = read_capped(path).map_err(|e| {
        vec![Diagnostic::whole_file(
            Severity::Error,
            &name,
            format!("cannot read the file: {e}"),
        )]
    })?;
    let id = path
        .file_stem()
        .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
    if is_zwo(path) {
        let text = String::from_utf8(bytes).map_err(|_| {
            vec![Diagnostic::whole_file(
                Severity::Error,
                &name,
                "the file is not UTF-8 text",
            )]
        })?;
        let imported = crate::program::zwo::import(&text, &name, zwo)?;
        return program::parse(&id, &format!("{name} (imported)"), imported.toml.as_bytes());
    }
    program::parse(&id, &name, &bytes)
}

/// Whether `path` is a Zwift workout file.
pub fn is_zwo(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("zwo"))
}

/// The extensions of program files, in the order a folder is searched.
const PROGRAM_EXTENSIONS: [&str; 2] = ["toml", "zwo"];

/// Reads at most one byte past the limit, so a huge file is refused
/// without being read whole.
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::files::read_regular(path, MAX_FILE_BYTES as u64)
}

/// `built_in` and the id of every `.toml` file in `folders`, sorted,
/// without duplicates: the names a user can ask for.
pub fn ids_with(
    built_in: impl Iterator<Item = String>,
    folders: &[PathBuf],
    extensions: &[&str],
) -> Vec<String> {
    let mut ids: Vec<String> = built_in.collect();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        ids.extend(entries.flatten().filter_map(|entry| {
            let path = entry.path();
            let stem = path.file_stem()?.to_str()?.to_string();
            let extension = path.extension()?.to_str()?;
            (extensions.contains(&extension) && is_program_id(&stem)).then_some(stem)
        }));
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The file for `id` in `folders` with one of `extensions`, and the
/// folder it is in: a later folder's file wins over an earlier one's,
/// and an id that is not a plain name names no file.
pub fn find_in_folders(
    folders: &[PathBuf],
    id: &str,
    extensions: &[&str],
) -> Option<(PathBuf, PathBuf)> {
    if !is_program_id(id) {
        return None;
    }
    folders.iter().rev().find_map(|folder| {
        extensions
            .iter()
            .map(|extension| folder.join(format!("{id}.{extension}")))
            .find(|path| path.is_file())
            .map(|path| (folder.clone(), path))
    })
}

/// The error for a file of a `kind` ("program", "course") folder that is
/// a link to a place outside it, which treadcue does not follow.
pub fn outside_folder(folder: &Path, path: &Path, kind: &str) -> Option<Diagnostic> {
    (!is_inside(folder, path)).then(|| {
        Diagnostic::whole_file(
            Severity::Error,
            &path.display().to_string(),
            format!(
                "the file is a link to a place outside its {kind} folder; treadcue does not follow it"
            ),
        )
    })
}

/// Whether `path` (links followed) lies in `folder`: a link that leaves
/// the folder is not followed, so a client never reads other files
/// through a name it may ask for.
pub fn is_inside(folder: &Path, path: &Path) -> bool {
    match (folder.canonicalize(), path.canonicalize()) {
        (Ok(folder), Ok(target)) => target.starts_with(folder),
        _ => false,
    }
}

/// Whether a command-line argument names a file rather than a program id.
pub fn looks_like_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".toml") || arg.ends_with(".zwo")
}

/// A program id is a plain name: letters, digits, `-` and `_`.
pub fn is_program_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The programs a user can ask for by id: files in `folders` (a later
/// folder's file wins over an earlier one's), then the built-in ones. A
/// file overrides a built-in program of the same id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub folders: Vec<PathBuf>,
    /// Speeds are given in these units, whatever a program's file says.
    pub units: Option<Units>,
    /// How Zwift workouts are imported.
    pub zwo: crate::program::zwo::ZwoOptions,
    /// Programs already parsed, by file and its identity on disk: a
    /// program is parsed again only when its file changed, however often
    /// clients list the programs.
    parsed: Arc<Mutex<HashMap<PathBuf, (Stamp, Parsed)>>>,
}

type Parsed = Result<Program, Vec<Diagnostic>>;

/// What tells one version of a file from another without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    length: u64,
    modified_ns: i128,
    changed_ns: i128,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            device: metadata.dev(),
            inode: metadata.ino(),
            length: metadata.len(),
            modified_ns: i128::from(metadata.mtime()) * 1_000_000_000
                + i128::from(metadata.mtime_nsec()),
            changed_ns: i128::from(metadata.ctime()) * 1_000_000_000
                + i128::from(metadata.ctime_nsec()),
        }
    }
}

impl Catalog {
    pub fn new(folders: Vec<PathBuf>) -> Self {
        Catalog {
            folders,
            units: None,
            zwo: crate::program::zwo::ZwoOptions::default(),
            parsed: Arc::default(),
        }
    }

    pub fn with_units(self, units: Option<Units>) -> Self {
        Catalog { units, ..self }
    }

    pub fn with_zwo(self, zwo: crate::program::zwo::ZwoOptions) -> Self {
        Catalog { zwo, ..self }
    }

    fn converted(&self, program: Program) -> Program {
        match self.units {
            Some(units) => program.in_units(units),
            None => program,
        }
    }

    /// Every program id available, sorted, without duplicates.
    pub fn ids(&self) -> Vec<String> {
        let built_in = BUILT_IN.iter().map(|b| b.id.to_string());
        ids_with(built_in, &self.folders, &PROGRAM_EXTENSIONS)
    }

    /// Loads a program by id.
    pub fn load(&self, id: &str) -> Result<Program, LoadError> {
        if let Some((folder, path)) = find_in_folders(&self.folders, id, &PROGRAM_EXTENSIONS) {
            return self
                .load_in_folder(&folder, &path)
                .map(|p| self.converted(p))
                .map_err(LoadError::Invalid);
        }
        // Only a built-in program's own id matches one.
        if let Some(result) = built_in(id) {
            return result
                .map(|p| self.converted(p))
                .map_err(LoadError::Invalid);
        }
        Err(LoadError::NotFound {
            id: id.to_string(),
            known: self.ids(),
        })
    }

    /// A program file of a folder, parsed once per version of the file.
    /// A link that leaves the folder is not followed: a client may list
    /// and start programs, never read other files through them.
    fn load_in_folder(&self, folder: &Path, path: &Path) -> Parsed {
        let name = path.display().to_string();
        let refuse =
            |message: String| vec![Diagnostic::whole_file(Severity::Error, &name, message)];
        if let Some(outside) = outside_folder(folder, path, "program") {
            return Err(vec![outside]);
        }
        let stamp = std::fs::metadata(path)
            .map(|m| Stamp::of(&m))
            .map_err(|e| refuse(format!("cannot read the file: {e}")))?;
        let mut parsed = crate::sync::lock(&self.parsed);
        if let Some((seen, program)) = parsed.get(path)
            && *seen == stamp
        {
            return program.clone();
        }
        let program = load_file(path, &self.zwo);
        parsed.insert(path.to_path_buf(), (stamp, program.clone()));
        program
    }

    /// What importing the Zwift workout `arg` (a file or a program id)
    /// changed (speeds capped, the file's own threshold used), as
    /// warnings; none for a program of treadcue's own.
    pub fn import_notes(&self, arg: &str) -> Vec<Diagnostic> {
        let path = if looks_like_path(arg) {
            Some(PathBuf::from(arg))
        } else {
            self.folders.iter().rev().find_map(|folder| {
                PROGRAM_EXTENSIONS
                    .iter()
                    .map(|extension| folder.join(format!("{arg}.{extension}")))
                    .find(|path| path.is_file())
            })
        };
        let Some(path) = path.filter(|p| is_zwo(p)) else {
            return Vec::new();
        };
        let name = path.display().to_string();
        crate::files::read_regular_text(&path, MAX_FILE_BYTES as u64)
            .ok()
            .and_then(|text| crate::program::zwo::import(&text, &name, &self.zwo).ok())
            .map(|imported| imported.notes)
            .unwrap_or_default()
    }

    /// Loads a command-line argument: a file if it looks like a path, else
    /// a program id.
    pub fn load_arg(&self, arg: &str) -> Result<Program, LoadError> {
        if looks_like_path(arg) {
            load_file(Path::new(arg), &self.zwo)
                .map(|p| self.converted(p))
                .map_err(LoadError::Invalid)
        } else {
            self.load(arg)
        }
    }
}
