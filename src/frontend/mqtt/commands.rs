//! Commands from the broker: `<topic>/cmd/<verb>` and its payload become
//! a controller [`Command`], or an error that says what was wrong. Only
//! session commands exist here: nothing on the broker can name a file,
//! run a program of the machine's or change the configuration.

use serde::Deserialize;

use crate::controller::{Command, IfRunning};

/// The longest payload read: a program id, or a line of JSON.
const MAX_PAYLOAD: usize = 1024;
/// The verbs, as the error for an unknown one lists them.
pub const VERBS: [&str; 8] = [
    "pause",
    "resume",
    "next",
    "previous",
    "stop",
    "start",
    "start_today",
    "walker",
];

/// `start`'s JSON form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Start {
    program: String,
    #[serde(default)]
    replace: bool,
}

/// The command `verb` with `payload` asks for. An empty payload is never
/// a command. A button's payload (Home Assistant sends `PRESS`) is not
/// read further; `start` takes a program id, or `{"program": ID,
/// "replace": true}` to end a session under way; `start_today` takes
/// `PRESS`, or `replace`; `walker` takes a walker's name.
pub fn parse(verb: &str, payload: &[u8]) -> Result<Command, String> {
    if payload.len() > MAX_PAYLOAD {
        return Err(format!(
            "a payload of {} bytes is longer than the {MAX_PAYLOAD} a command takes",
            payload.len()
        ));
    }
    let text = std::str::from_utf8(payload)
        .map_err(|_| "the payload is not UTF-8 text".to_string())?
        .trim();
    if text.is_empty() {
        // Clearing a retained message publishes an empty one, which the
        // broker hands on: someone tidying the broker must not stop a
        // walker's session.
        return Err(format!(
            "an empty message is how a retained message is cleared, not a command; send {verb} a payload (Home Assistant sends PRESS)"
        ));
    }
    match verb {
        "pause" => Ok(Command::Pause),
        "resume" => Ok(Command::Resume),
        "next" => Ok(Command::Next),
        "previous" => Ok(Command::Previous),
        "stop" => Ok(Command::Stop),
        "start" => start(text),
        "start_today" => match text {
            "PRESS" => Ok(Command::StartToday(IfRunning::Refuse)),
            "replace" => Ok(Command::StartToday(IfRunning::Replace)),
            other => Err(format!(
                "start_today takes PRESS, or \"replace\"; not {other:?}"
            )),
        },
        "walker" => Ok(Command::UseWalker(text.to_string())),
        other => Err(format!(
            "there is no command {other:?}; the commands are {}",
            VERBS.join(", ")
        )),
    }
}

fn start(text: &str) -> Result<Command, String> {
    let (program, replace) = if text.starts_with('{') {
        let start: Start = serde_json::from_str(text).map_err(|e| {
            format!("start: {e}; send a program id, or {{\"program\": \"ID\", \"replace\": true}}")
        })?;
        (start.program, start.replace)
    } else {
        (text.to_string(), false)
    };
    if !is_program_id(&program) {
        return Err(format!(
            "start: {program:?} is not a program id (letters, digits, '-', '_' and '.')"
        ));
    }
    let if_running = if replace {
        IfRunning::Replace
    } else {
        IfRunning::Refuse
    };
    Ok(Command::Start {
        program,
        if_running,
    })
}

/// A program's id as the catalog names them; never a path.
fn is_program_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_ignore_their_payload() {
        assert_eq!(parse("pause", b"PRESS"), Ok(Command::Pause));
        assert_eq!(parse("stop", b"now"), Ok(Command::Stop));
        for verb in VERBS {
            assert!(parse(verb, b" \n").unwrap_err().contains("empty message"));
        }
        assert_eq!(
            parse("start_today", b"PRESS"),
            Ok(Command::StartToday(IfRunning::Refuse))
        );
    }

    #[test]
    fn walker_takes_a_name_as_the_select_sends_it() {
        assert_eq!(
            parse("walker", "Anna Bé\n".as_bytes()),
            Ok(Command::UseWalker("Anna Bé".into()))
        );
    }

    #[test]
    fn a_start_replaces_only_when_it_says_so() {
        let refuse = Command::Start {
            program: "demo".into(),
            if_running: IfRunning::Refuse,
        };
        assert_eq!(parse("start", b"demo\n"), Ok(refuse.clone()));
        assert_eq!(parse("start", br#"{"program":"demo"}"#), Ok(refuse));
        assert_eq!(
            parse("start", br#"{"program":"demo","replace":true}"#),
            Ok(Command::Start {
                program: "demo".into(),
                if_running: IfRunning::Replace
            })
        );
    }

    #[test]
    fn bad_commands_say_what_was_wrong() {
        for (verb, payload, why) in [
            ("launch", &b"now"[..], "no command \"launch\""),
            ("start", b"../../etc/passwd", "not a program id"),
            ("start", b"", "empty message"),
            (
                "start",
                br#"{"program":"demo","run":"rm -rf /"}"#,
                "unknown field",
            ),
            ("start", b"{\"program\":", "start:"),
            ("start_today", b"now", "not \"now\""),
            ("pause", &[0xff, 0xfe], "not UTF-8"),
            ("pause", &[b'a'; 2000], "2000 bytes"),
        ] {
            let e = parse(verb, payload).unwrap_err();
            assert!(e.contains(why), "{verb}: {e}");
        }
    }
}
