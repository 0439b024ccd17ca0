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
    pub cues: FileCues,
}

crate::program::raw::cue_keys!(lenient
    /// `[cues]`: the keys of a program's `[cues]`, read leniently so an
    /// unknown one is warned about, as everywhere else in this file.
    #[derive(Debug, Clone, Default, Deserialize)]
    FileCues
);

/// A config file read and parsed, with what was odd about it.
#[derive(Debug)]
pub struct ReadFile {
    pub path: PathBuf,
    pub source: std::sync::Arc<SourceFile>,
    pub file: ConfigFile,
    /// One line per unknown key, naming it.
    pub warnings: Vec<String>,
}

/// The longest config file read: a typo'd path to a huge file must not
/// eat the Pi's memory.
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// Where the config file is: `explicit` (from `--config`), else the first
/// of `$XDG_CONFIG_HOME/treadcue/config.toml` and
/// `/etc/treadcue/config.toml` that exists. None: no file, defaults only.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let user = super::xdg_dir("XDG_CONFIG_HOME", ".config")
        .map(|base| base.join("treadcue").join("config.toml"));
    let system = PathBuf::from("/etc/treadcue/config.toml");
    user.into_iter().chain([system]).find(|p| p.is_file())
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
        path: path.to_path_buf(),
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
