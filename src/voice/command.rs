//! Voices that run a synthesizer as a separate program: espeak-ng (GPL,
//! so run, never linked), piper, or any command that writes WAV. The text
//! is one argument or standard input, never a shell command line.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Voice, VoiceError};
use crate::audio::pcm::Clip;

/// Longest a synthesizer may take over one phrase before it is stopped.
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct CommandVoice {
    id: String,
    argv: Vec<String>,
    text_on_stdin: bool,
    install_hint: String,
}

pub fn espeak_ng(voice: &str, words_per_minute: u32) -> CommandVoice {
    CommandVoice {
        id: format!("espeak-ng:{voice}:{words_per_minute}"),
        // `-w` writes a WAV with a correct header; `--stdout` does not.
        argv: [
            "espeak-ng",
            "-v",
            voice,
            "-s",
            &words_per_minute.to_string(),
            "-w",
            "{output}",
            "--",
            "{text}",
        ]
        .map(String::from)
        .to_vec(),
        text_on_stdin: false,
        install_hint: "install it with `sudo apt install espeak-ng`".into(),
    }
}

pub fn piper(model: &Path) -> CommandVoice {
    let name = model.file_stem().map_or_else(
        || model.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    CommandVoice {
        id: format!("piper:{name}"),
        argv: vec![
            "piper".into(),
            "-m".into(),
            model.display().to_string(),
            "-f".into(),
            "{output}".into(),
        ],
        text_on_stdin: true,
        install_hint: "install it with `pip install piper-tts`".into(),
    }
}

impl CommandVoice {
    /// A user's command: `{text}` is replaced by the phrase (or, if absent,
    /// the phrase goes to standard input); `{output}` by the WAV file to
    /// write (or, if absent, WAV is read from standard output).
    pub fn custom(argv: Vec<String>) -> CommandVoice {
        let program = argv.first().cloned().unwrap_or_default();
        CommandVoice {
            id: format!("command:{}", argv.join(" ")),
            text_on_stdin: !argv.iter().any(|a| a.contains("{text}")),
            argv,
            install_hint: format!(
                "check the voice command in the config; `{program}` was not found"
            ),
        }
    }

    fn failed(&self, text: &str, reason: impl Into<String>) -> VoiceError {
        VoiceError::Failed {
            voice: self.id.clone(),
            text: text.into(),
            reason: reason.into(),
        }
    }

    fn spawn(&self, text: &str, output: &Path, to_file: bool) -> Result<Child, VoiceError> {
        let output = output.display().to_string();
        let args: Vec<String> = self
            .argv
            .iter()
            .map(|a| fill_argument(a, text, &output))
            .collect();
        let (program, rest) = args
            .split_first()
            .ok_or_else(|| self.failed(text, "the voice command is empty"))?;
        let mut child = Command::new(program)
            .args(rest)
            .stdin(if self.text_on_stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(if to_file {
                Stdio::null()
            } else {
                Stdio::piped()
            })
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => VoiceError::NotInstalled {
                    program: program.clone(),
                    hint: self.install_hint.clone(),
                },
                _ => self.failed(text, format!("cannot start {program}: {e}")),
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(text.as_bytes())
                .map_err(|e| self.failed(text, format!("cannot send the text: {e}")))?;
        }
        Ok(child)
    }
}

impl Voice for CommandVoice {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn render(&self, text: &str) -> Result<Clip, VoiceError> {
        let dir = tempfile::tempdir()
            .map_err(|e| self.failed(text, format!("no temporary folder: {e}")))?;
        let output = dir.path().join("phrase.wav");
        let to_file = self.argv.iter().any(|a| a.contains("{output}"));
        let mut child = self.spawn(text, &output, to_file)?;
        let stdout = child
            .stdout
            .take()
            .map(|out| std::thread::spawn(move || read_all(out)));
        let stderr = child
            .stderr
            .take()
            .map(|err| std::thread::spawn(move || read_all(err)));
        let status = wait(&mut child).map_err(|reason| self.failed(text, reason))?;
        let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        if !status.success() {
            let said = String::from_utf8_lossy(&stderr);
            let how = match std::os::unix::process::ExitStatusExt::signal(&status) {
                Some(signal) => format!("it crashed (signal {signal})"),
                None => format!("it exited with {status}"),
            };
            return Err(self.failed(text, format!("{how}: {}", said.trim())));
        }
        let clip = match stdout {
            Some(reader) => Clip::from_wav_bytes(&reader.join().unwrap_or_default()),
            None => Clip::read_wav(&output),
        };
        clip.map_err(|reason| self.failed(text, reason))
    }
}

/// One argument of the command: `{text}` and `{output}` replaced in the
/// template, in one pass, so a placeholder inside the text stays text.
/// Text at the start of an argument never reads as an option: a leading
/// `-` gets a space before it, which a synthesizer does not say.
fn fill_argument(template: &str, text: &str, output: &str) -> String {
    let mut out = String::with_capacity(template.len() + text.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        if let Some(tail) = after.strip_prefix("{text}") {
            if out.is_empty() && text.starts_with('-') {
                out.push(' ');
            }
            out.push_str(text);
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("{output}") {
            out.push_str(output);
            rest = tail;
        } else {
            out.push('{');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

fn read_all(mut from: impl Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = from.read_to_end(&mut bytes);
    bytes
}

fn wait(child: &mut Child) -> Result<std::process::ExitStatus, String> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it took longer than {} s and was stopped",
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

pub fn is_installed(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The English voices espeak-ng speaks with, by name, or nothing if it is
/// not installed.
pub fn espeak_voices() -> Vec<String> {
    espeak_voice_names(false)
}

/// The same, with the MBROLA voices (they speak when MBROLA's data is
/// installed): the names espeak-ng accepts.
pub fn espeak_voice_names(with_mbrola: bool) -> Vec<String> {
    let Ok(output) = Command::new("espeak-ng").arg("--voices=en").output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            let (name, file) = (*columns.get(1)?, *columns.get(4)?);
            // "variant" entries change a voice but are none (naming one
            // crashes espeak-ng), and MBROLA voices need data of their own.
            let speaks = name != "variant"
                && !file.starts_with("!v/")
                && (with_mbrola || !file.starts_with("mb/"));
            speaks.then(|| name.to_string())
        })
        .fold(Vec::new(), |mut names, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            names
        })
}

#[cfg(test)]
mod tests {
    use super::fill_argument;

    #[test]
    fn placeholders_are_filled_once_and_text_is_never_an_option() {
        assert_eq!(fill_argument("{text}", "Hello", "/o.wav"), "Hello");
        assert_eq!(
            fill_argument("{text}", "-f/etc/shadow", "/o.wav"),
            " -f/etc/shadow"
        );
        assert_eq!(
            fill_argument("{text}", "say {output}", "/o.wav"),
            "say {output}"
        );
        assert_eq!(fill_argument("--text={text}", "-x", "/o"), "--text=-x");
        assert_eq!(fill_argument("{output}", "{text}", "/o.wav"), "/o.wav");
        assert_eq!(fill_argument("a{b}c", "t", "o"), "a{b}c");
    }
}
