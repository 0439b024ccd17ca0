//! Reading a `.zwo` file into blocks: every element and attribute that
//! run workouts use, both spellings seen in the wild (`textevent` and
//! `TextEvent`, `timeoffset` and `TimeOffset`), and a clear error with
//! line and column for anything else.

use std::ops::Range;

use roxmltree::{Document, Node, ParsingOptions};

use super::workout::{Block, Kind, Part, Text, Workout};
use crate::program::{Diagnostic, SourceFile};

/// Most XML nodes read: a 1 MiB file of workouts has far fewer; a
/// hostile one is refused rather than filling memory.
const MAX_NODES: u32 = 200_000;
/// Longest block: a walking program lasts at most 4 hours in all.
const MAX_BLOCK_SECONDS: f64 = 4.0 * 3600.0;
/// Most repeats of an interval block.
const MAX_REPEATS: u32 = 500;
/// Most faults told about one file: a file of thousands of broken blocks
/// is refused as quickly as one with a few.
pub const MAX_ERRORS: usize = 20;

struct Reader<'a> {
    source: &'a SourceFile,
    errors: Vec<Diagnostic>,
}

/// Reads the workout of `source`, or says every fault with its line and
/// column.
pub fn read(source: &SourceFile) -> Result<Workout, Vec<Diagnostic>> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(&source.text, options).map_err(|e| {
        let pos = e.pos();
        let offset = byte_offset(&source.text, pos.row as usize, pos.col as usize);
        vec![source.error(offset..offset, format!("not a well-formed XML file: {e}"))]
    })?;
    let mut reader = Reader {
        source,
        errors: Vec::new(),
    };
    let workout = reader.workout(document.root_element());
    match workout {
        Some(workout) if reader.errors.is_empty() => Ok(workout),
        _ => Err(reader.errors),
    }
}

/// The byte offset of a 1-based row and column (in characters).
fn byte_offset(text: &str, row: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(row.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = &text[line_start.min(text.len())..];
    line_start
        + line
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
}

/// An attribute by name, in any case: files spell them both ways.
fn attribute<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name().eq_ignore_ascii_case(name))
        .map(|a| a.value())
}

fn is(node: Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name().eq_ignore_ascii_case(name)
}

fn text_of(node: Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| is(*c, name))
        .map(|c| c.text().unwrap_or("").trim().to_string())
}

impl Reader<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(self.source.error(span, message));
        }
    }

    fn workout(&mut self, root: Node) -> Option<Workout> {
        if !is(root, "workout_file") {
            let found = root.tag_name().name().to_string();
            self.error(
                root.range(),
                format!("a Zwift workout file starts with <workout_file>, not <{found}>"),
            );
            return None;
        }
        let sport = text_of(root, "sportType").unwrap_or_default();
        if !sport.eq_ignore_ascii_case("run") {
            let what = if sport.is_empty() {
                "no sport".into()
            } else {
                format!("sportType {sport:?}")
            };
            self.error(
                root.range(),
                format!(
                    "this is not a run workout ({what}): only <sportType>run</sportType> \
                     workouts give paces a treadmill can walk"
                ),
            );
            return None;
        }
        let threshold = root
            .children()
            .find(|c| is(*c, "thresholdSecPerKm"))
            .and_then(|c| self.number(c, c.text(), "thresholdSecPerKm", 120.0..=1800.0));
        let Some(workout) = root.children().find(|c| is(*c, "workout")) else {
            self.error(root.range(), "the file has no <workout> element");
            return None;
        };
        let (mut blocks, mut texts) = (Vec::new(), Vec::new());
        for node in workout.children().filter(Node::is_element) {
            if is(node, "textevent") || is(node, "TextNotification") || is(node, "gameplayevent") {
                // Placed from the workout's start.
                texts.extend(self.texts_at(node));
            } else if let Some(block) = self.block(node) {
                blocks.push(block);
            }
        }
        if blocks.is_empty() && self.errors.is_empty() {
            self.error(workout.range(), "the workout has no blocks");
        }
        Some(Workout {
            name: text_of(root, "name").unwrap_or_default(),
            description: text_of(root, "description").unwrap_or_default(),
            threshold,
            blocks,
            texts,
        })
    }

    /// A number in `range`, or an error naming the attribute.
    fn number(
        &mut self,
        node: Node,
        value: Option<&str>,
        name: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Option<f64> {
        let element = node.tag_name().name().to_string();
        let Some(value) = value else {
            self.error(node.range(), format!("<{element}> has no {name}"));
            return None;
        };
        match value.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && range.contains(&n) => Some(n),
            _ => {
                self.error(
                    node.range(),
                    format!(
                        "<{element}> {name}={value:?} is not a number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }

    fn seconds(&mut self, node: Node, name: &str) -> Option<f64> {
        self.number(node, attribute(node, name), name, 1.0..=MAX_BLOCK_SECONDS)
    }

    fn power(&mut self, node: Node, name: &str) -> Option<f64> {
        self.number(node, attribute(node, name), name, 0.0..=3.0)
    }

    /// `name`, or the middle of `low` and `high` when the block gives a
    /// range instead (Zwift's own files do both).
    fn power_or_range(&mut self, node: Node, name: &str, low: &str, high: &str) -> Option<f64> {
        if attribute(node, name).is_none() && attribute(node, low).is_some() {
            let (low, high) = (self.power(node, low)?, self.power(node, high)?);
            return Some((low + high) / 2.0);
        }
        self.power(node, name)
    }

    fn block(&mut self, node: Node) -> Option<Block> {
        let element = node.tag_name().name().to_string();
        if attribute(node, "durationType").is_some_and(|t| t.eq_ignore_ascii_case("distance")) {
            self.error(
                node.range(),
                format!(
                    "<{element}> gives its length as a distance: treadcue imports blocks \
                     timed in seconds only, since a distance at a walker's capped speed \
                     would not last what the workout meant"
                ),
            );
            return None;
        }
        let kind = match element.to_ascii_lowercase().as_str() {
            "steadystate" => Kind::Steady {
                seconds: self.seconds(node, "Duration")?,
                power: self.power_or_range(node, "Power", "PowerLow", "PowerHigh")?,
            },
            "warmup" | "cooldown" | "ramp" => Kind::Ramp {
                seconds: self.seconds(node, "Duration")?,
                low: self.power(node, "PowerLow")?,
                high: self.power(node, "PowerHigh")?,
            },
            "intervalst" => self.intervals(node)?,
            "freeride" => Kind::Free {
                seconds: self.seconds(node, "Duration")?,
            },
            "maxeffort" => {
                self.error(
                    node.range(),
                    "<MaxEffort> asks for an all-out sprint, which has no place on a \
                     walking treadmill: remove it, or replace it with a SteadyState",
                );
                return None;
            }
            _ => {
                self.error(
                    node.range(),
                    format!(
                        "unknown block <{element}>: the blocks known are Warmup, Cooldown, \
                         Ramp, SteadyState, IntervalsT, FreeRide and MaxEffort"
                    ),
                );
                return None;
            }
        };
        let pace = self.pace(node);
        let texts = self.texts(node, kind.seconds());
        Some(Block {
            kind,
            element,
            span: node.range(),
            pace,
            texts,
        })
    }

    fn intervals(&mut self, node: Node) -> Option<Kind> {
        let repeat = self.number(
            node,
            attribute(node, "Repeat"),
            "Repeat",
            1.0..=f64::from(MAX_REPEATS),
        )?;
        let on = self.part(node, "On")?;
        let off = self.part(node, "Off")?;
        if on.seconds == 0.0 {
            self.error(
                node.range(),
                "<IntervalsT> OnDuration is 0: the block has no time",
            );
            return None;
        }
        Some(Kind::Intervals {
            repeat: repeat.round() as u32,
            on,
            off,
        })
    }

    /// `OnDuration`, `OnPower` (or `PowerOnLow`/`PowerOnHigh`) and
    /// `OnSlope`, or the same with `Off`. An off half may last 0 s (a
    /// single step written as an interval), and a half with a slope but
    /// no power walks at the walker's own pace.
    fn part(&mut self, node: Node, half: &str) -> Option<Part> {
        let seconds = self.number(
            node,
            attribute(node, &format!("{half}Duration")),
            &format!("{half}Duration"),
            0.0..=MAX_BLOCK_SECONDS,
        )?;
        let slope_name = format!("{half}Slope");
        let slope = match attribute(node, &slope_name) {
            Some(value) => Some(self.number(node, Some(value), &slope_name, -3.0..=15.0)?),
            None => None,
        };
        let power_name = format!("{half}Power");
        let (low, high) = (format!("Power{half}Low"), format!("Power{half}High"));
        let has_power = attribute(node, &power_name).is_some() || attribute(node, &low).is_some();
        let power = if has_power || slope.is_none() && seconds > 0.0 {
            Some(self.power_or_range(node, &power_name, &low, &high)?)
        } else {
            None
        };
        Some(Part {
            seconds,
            power,
            slope,
        })
    }

    /// The reference pace: `pace` 0 to 4. Real files carry junk here
    /// (32766, negative numbers): that is an error, not a guess.
    fn pace(&mut self, node: Node) -> Option<u8> {
        let value = attribute(node, "pace")?;
        match value.trim().parse::<u8>() {
            Ok(pace) if pace <= 4 => Some(pace),
            _ => {
                let element = node.tag_name().name().to_string();
                self.error(
                    node.range(),
                    format!(
                        "<{element}> pace={value:?} is not one of 0 (1 mile), 1 (5 km), \
                         2 (10 km), 3 (half marathon) or 4 (marathon)"
                    ),
                );
                None
            }
        }
    }

    fn texts(&mut self, block: Node, length: f64) -> Vec<Text> {
        let mut texts = Vec::new();
        for node in block.children().filter(Node::is_element) {
            // Camera moves in Zwift's world: nothing to say or walk.
            if is(node, "gameplayevent") {
                continue;
            }
            // Zwift's files name the text two ways.
            let (message, offset) = if is(node, "textevent") {
                ("message", "timeoffset")
            } else if is(node, "TextNotification") {
                ("text", "timeOffset")
            } else {
                let name = node.tag_name().name().to_string();
                self.error(
                    node.range(),
                    format!(
                        "unknown element <{name}> in a block: <textevent> and \
                         <TextNotification> are said, <gameplayevent> is left out"
                    ),
                );
                continue;
            };
            if let Some(text) = self.text(node, message, offset, length) {
                texts.push(text);
            }
        }
        texts
    }

    /// A text of `<workout>` itself (its offset checked against the whole
    /// workout later); nothing for a `<gameplayevent>`.
    fn texts_at(&mut self, node: Node) -> Option<Text> {
        if is(node, "gameplayevent") {
            return None;
        }
        let (message, offset) = if is(node, "textevent") {
            ("message", "timeoffset")
        } else {
            ("text", "timeOffset")
        };
        self.text(node, message, offset, MAX_BLOCK_SECONDS)
    }

    fn text(&mut self, node: Node, message: &str, offset: &str, length: f64) -> Option<Text> {
        if attribute(node, "distoffset").is_some() {
            self.error(
                node.range(),
                "<textevent> placed by distance (distoffset): treadcue places texts by \
                 time (timeoffset) only",
            );
            return None;
        }
        let at = self.number(node, attribute(node, offset), offset, 0.0..=length.max(0.0));
        let words = attribute(node, message).map(str::trim).unwrap_or("");
        if words.is_empty() {
            let name = node.tag_name().name().to_string();
            self.error(node.range(), format!("<{name}> has no {message}"));
            return None;
        }
        Some(Text {
            offset: at?,
            message: words.to_string(),
            span: node.range(),
        })
    }
}
