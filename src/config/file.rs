//! The config file: where it is looked for, and how it is read, with a
//! warning for every key treadcue does not know.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::settings::{
    CourseSettings, DaemonSettings, ProgramSettings, SoundSettings, VoiceSettings, WebSettings,
};
use crate::program::SourceFile;

/// The file's sections.
#[derive(Debug, Default, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub sound: SoundSettings,
    #[serde(default)]
    pub voice: VoiceSettings,
    #[serde(default)]
    pub daemon: DaemonSettings,
    #[serde(default)]
    pub programs: ProgramSettings,
    #[serde(default)]
    pub courses: CourseSettings,
    #[serde(default)]
    pub web: WebSettings,
    #[serde(default)]
    pub ducking: super::ducking::DuckingSettings,
    #[serde(default)]
    pub bluetooth: super::settings::BluetoothSettings,
    #[serde(default)]
    pub treadmill: super::devices::TreadmillSettings,
    #[serde(default)]
    pub heart: super::devices::HeartSettings,
    #[serde(default)]
    pub zwo: super::zwo::ZwoSettings,
    #[serde(default)]
    pub mqtt: super::mqtt::MqttSettings,
    #[serde(default)]
    pub cues: FileCues,
}

crate::program::raw::cue_keys!(lenient
    /// `[cues]`: the keys of a program's `[cues]`, read leniently so an
    /// unknown one is warned about, as everywhere else in this file.
    #[derive(Debug, Clone, Default, Deserialize)]
    FileCues
);

/// A config file read and parsed, with what was odd about it; or
/// several layered into one.
#[derive(Debug)]
pub struct ReadFile {
    /// How messages name it: the file, or the files layered.
    pub name: String,
    /// The files read, the one that wins last.
    pub paths: Vec<PathBuf>,
    pub source: std::sync::Arc<SourceFile>,
    pub file: ConfigFile,
    /// One line per unknown key, naming it.
    pub warnings: Vec<String>,
}

/// The longest config file read: a typo'd path to a huge file must not
/// eat the Pi's memory.
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// The system's config file, read first when no file is named.
pub const SYSTEM_CONFIG: &str = "/etc/treadcue/config.toml";

/// The user's config file: `$XDG_CONFIG_HOME/treadcue/config.toml`.
pub fn user_config() -> Option<PathBuf> {
    super::xdg_dir("XDG_CONFIG_HOME", ".config").map(|base| base.join("treadcue/config.toml"))
}

/// The config files to read, the last winning: `explicit` (from
/// `--config`) alone, else those of `layers` (the system's, then the
/// user's) that exist, in that order. Empty: no file, defaults only.
pub fn locate(explicit: Option<&Path>, layers: &[PathBuf]) -> Vec<PathBuf> {
    match explicit {
        Some(path) => vec![path.to_path_buf()],
        None => layers.iter().filter(|p| p.is_file()).cloned().collect(),
    }
}

/// Files read one by one, layered key by key: a key of a later file wins
/// over the same key of an earlier one, and a key only the earlier file
/// sets stays. A list (such as `[programs] folders`) is one value,
/// replaced whole. Each file's unknown keys are warned about under its
/// own name.
pub fn layer(files: Vec<ReadFile>) -> Result<Option<ReadFile>, String> {
    if files.len() <= 1 {
        return Ok(files.into_iter().next());
    }
    let mut merged = toml::Table::new();
    for read in &files {
        let table: toml::Table = read
            .source
            .text
            .parse()
            .map_err(|e| format!("{}: {e}", read.name))?;
        merge_into(&mut merged, table);
    }
    let paths: Vec<PathBuf> = files.iter().flat_map(|f| f.paths.clone()).collect();
    let name = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" with ");
    let text = toml::to_string(&merged).map_err(|e| format!("{name}: {e}"))?;
    let (source, file, _) = parse(&name, &text)?;
    Ok(Some(ReadFile {
        name,
        paths,
        source,
        file,
        warnings: files.into_iter().flat_map(|f| f.warnings).collect(),
    }))
}

/// `upper`'s keys over `lower`'s: tables merged key by key, any other
/// value replaced.
fn merge_into(lower: &mut toml::Table, upper: toml::Table) {
    for (key, value) in upper {
        match (lower.get_mut(&key), value) {
            (Some(toml::Value::Table(below)), toml::Value::Table(above)) => {
                merge_into(below, above)
            }
            (_, value) => {
                lower.insert(key, value);
            }
        }
    }
}

/// Reads and parses a config file; the error names the file, and the line
/// and column where TOML allows.
pub fn read(path: &Path) -> Result<ReadFile, String> {
    let name = path.display().to_string();
    let bytes = crate::files::read_regular(path, MAX_CONFIG_BYTES)
        .map_err(|e| format!("cannot read the config file {name}: {e}"))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!(
            "{name}: the file is larger than {MAX_CONFIG_BYTES} bytes, the most a config file may be"
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("cannot read the config file {name}: it is not UTF-8 text"))?;
    parse(&name, &text).map(|(source, file, warnings)| ReadFile {
        name: name.clone(),
        paths: vec![path.to_path_buf()],
        source,
        file,
        warnings,
    })
}

type Parsed = (std::sync::Arc<SourceFile>, ConfigFile, Vec<String>);

/// Parses config text; `name` is how messages name the file.
pub fn parse(name: &str, text: &str) -> Result<Parsed, String> {
    let source = SourceFile::new(name, text);
    let toml_error = |e: toml::de::Error| source.toml_error(&e).to_string();
    let deserializer = toml::de::Deserializer::parse(text).map_err(toml_error)?;
    let mut unknown = Vec::new();
    let file: ConfigFile = serde_ignored::deserialize(deserializer, |path| {
        unknown.push(path.to_string());
    })
    .map_err(toml_error)?;
    let warnings = unknown
        .into_iter()
        .map(|key| match did_you_mean(&key) {
            Some(near) => format!("{name}: unknown key `{key}` ignored; did you mean `{near}`?"),
            None => format!("{name}: unknown key `{key}` ignored"),
        })
        .collect();
    Ok((source, file, warnings))
}

/// The known key an unknown one most likely meant: the same key in the
/// section it belongs to (`volume` at the top: `sound.volume`), or a near
/// spelling (`sound.volum`: `sound.volume`).
fn did_you_mean(key: &str) -> Option<String> {
    let known = super::known_keys();
    let last = key.rsplit('.').next()?;
    if let Some(found) = known
        .iter()
        .find(|k| k.as_str() != key && k.rsplit('.').next() == Some(last))
    {
        return Some(found.clone());
    }
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    crate::program::suggest::nearest(key, &known).map(str::to_string)
}
