//! A session as a FIT activity file, laid out as Garmin's "Encoding
//! Activity Files" describes: File Id first, Device Info, a timer Event
//! at the start, at every pause and resume and at the end, a Record for
//! every sample, one Lap per program step walked, the Session and the
//! Activity (with `local_timestamp`) last.
//!
//! Sport walking (running for programs that jog), sub-sport treadmill:
//! never the virtual-activity sub-sport, which Strava turns into a
//! Virtual Run that cannot be changed back. Times are UTC: a GPS-less
//! file with local times lands in the wrong hour. Backward time, which
//! FIT has no field for, is a developer field on each lap and the
//! session, and the description (a developer field too) says it and
//! where the distance came from.

use embedded_io_adapters::std::FromStd;
use rustyfit::profile::{mesgdef, typedef};
use rustyfit::proto::{DeveloperField, FIT, Message, ProtocolVersion, Value};
use rustyfit::{Encoder, HeaderOption};

use super::{Activity, Lap};
use crate::store::records::Sample;

/// Seconds from the Unix epoch to FIT's (1989-12-31T00:00:00Z).
const FIT_EPOCH: i64 = 631_065_600;
/// treadcue's own application id for its developer fields.
const APPLICATION_ID: [u8; 16] = *b"treadcue-export1";
/// Developer field numbers.
const BACKWARD_TIME: u8 = 0;
const DESCRIPTION: u8 = 1;

/// The FIT file's bytes.
pub fn encode(activity: &Activity) -> Result<Vec<u8>, String> {
    let mut fit = FIT {
        messages: messages(activity),
        ..FIT::default()
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut encoder = Encoder::builder()
        .protocol_version(ProtocolVersion::V2)
        .header_option(HeaderOption::Normal(4))
        .build();
    encoder
        .encode(&mut FromStd::new(&mut cursor), &mut fit)
        .map_err(|e| format!("cannot make the FIT file: {e}"))?;
    Ok(cursor.into_inner())
}

fn messages(activity: &Activity) -> Vec<Message> {
    let start = fit_time(activity.start_unix(), 0);
    let laps = activity.laps();
    let mut out = vec![file_id(start), device_info(start)];
    out.extend(developer_fields());
    for (at_ms, starts) in activity.timer() {
        let kind = if starts {
            typedef::EventType::START
        } else {
            typedef::EventType::STOP_ALL
        };
        out.push(timer_event(fit_time(activity.start_unix(), at_ms), kind));
    }
    out.extend(
        activity
            .samples
            .iter()
            .map(|sample| record(activity, sample)),
    );
    let end = fit_time(activity.start_unix(), laps.last().map_or(0, |l| l.end_ms));
    // Garmin's "summary last": the records first, the events sorted in
    // among them by readers; the laps, session and activity at the end.
    sort_by_time(&mut out);
    for (index, lap) in laps.iter().enumerate() {
        out.push(lap_message(activity, lap, index));
    }
    out.push(session(activity, &laps, start, end));
    out.push(activity_message(activity, end));
    out
}

/// Records and events in the order of their times; a stable sort, so an
/// event and a record of the same second keep the order written.
fn sort_by_time(messages: &mut [Message]) {
    let time = |m: &Message| {
        m.fields
            .iter()
            .find(|f| f.num == 253)
            .map_or(0, |f| match f.value {
                Value::Uint32(t) => t,
                _ => 0,
            })
    };
    let first_timed = messages
        .iter()
        .position(|m| m.num == typedef::MesgNum::EVENT)
        .unwrap_or(messages.len());
    messages[first_timed..].sort_by_key(time);
}

fn fit_time(start_unix: i64, at_ms: u32) -> typedef::DateTime {
    let unix = start_unix + i64::from(at_ms / 1000);
    typedef::DateTime(u32::try_from(unix - FIT_EPOCH).unwrap_or(0))
}

fn file_id(start: typedef::DateTime) -> Message {
    let mut m = mesgdef::FileId::new();
    m.r#type = typedef::File::ACTIVITY;
    m.manufacturer = typedef::Manufacturer::DEVELOPMENT;
    m.product = 1;
    m.time_created = start;
    m.product_name = Box::from("treadcue");
    Message::from(m)
}

fn device_info(start: typedef::DateTime) -> Message {
    let mut m = mesgdef::DeviceInfo::new();
    m.timestamp = start;
    m.device_index = typedef::DeviceIndex::CREATOR;
    m.manufacturer = typedef::Manufacturer::DEVELOPMENT;
    m.product = 1;
    m.software_version = software_version();
    m.product_name = Box::from("treadcue");
    Message::from(m)
}

/// The version as FIT keeps it: 1.23 is 123.
fn software_version() -> u16 {
    let mut parts = env!("CARGO_PKG_VERSION")
        .split('.')
        .map(|p| p.parse::<u16>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    major * 100 + minor.min(99)
}

fn developer_fields() -> Vec<Message> {
    let mut id = mesgdef::DeveloperDataId::new();
    id.application_id = Box::from(APPLICATION_ID.as_slice());
    id.developer_data_index = 0;
    id.application_version = u32::from(software_version());
    let described = |num, base, name: &str, units: &str| {
        let mut d = mesgdef::FieldDescription::new();
        d.developer_data_index = 0;
        d.field_definition_number = num;
        d.fit_base_type_id = base;
        d.field_name = Box::from([Box::from(name)]);
        if !units.is_empty() {
            d.units = Box::from([Box::from(units)]);
        }
        Message::from(d)
    };
    vec![
        Message::from(id),
        described(
            BACKWARD_TIME,
            typedef::FitBaseType::FLOAT32,
            "backward_time",
            "s",
        ),
        described(DESCRIPTION, typedef::FitBaseType::STRING, "description", ""),
    ]
}

fn timer_event(at: typedef::DateTime, kind: typedef::EventType) -> Message {
    let mut m = mesgdef::Event::new();
    m.timestamp = at;
    m.event = typedef::Event::TIMER;
    m.event_type = kind;
    m.event_group = 0;
    Message::from(m)
}

fn record(activity: &Activity, sample: &Sample) -> Message {
    let mut m = mesgdef::Record::new();
    m.timestamp = fit_time(activity.start_unix(), sample.at_ms);
    m.distance = scaled(activity.metres_at(sample), 100.0);
    m.speed = u16::try_from(scaled(f64::from(sample.speed_kmh) / 3.6, 1000.0)).unwrap_or(0);
    if let Some(bpm) = sample.heart_rate {
        m.heart_rate = bpm;
    }
    if let Some(incline) = sample.incline {
        m.grade = (f64::from(incline) * 100.0).round() as i16;
    }
    Message::from(m)
}

/// `value` times `scale`, rounded, as FIT's unsigned fields take it.
fn scaled(value: f64, scale: f64) -> u32 {
    (value.max(0.0) * scale).round() as u32
}

fn sport(activity: &Activity) -> typedef::Sport {
    if activity.jogs {
        typedef::Sport::RUNNING
    } else {
        typedef::Sport::WALKING
    }
}

fn lap_message(activity: &Activity, lap: &Lap, index: usize) -> Message {
    let mut m = mesgdef::Lap::new();
    m.message_index = typedef::MessageIndex(index as u16);
    m.start_time = fit_time(activity.start_unix(), lap.start_ms);
    m.timestamp = fit_time(activity.start_unix(), lap.end_ms);
    m.event = typedef::Event::LAP;
    m.event_type = typedef::EventType::STOP;
    m.lap_trigger = typedef::LapTrigger::MANUAL;
    m.total_elapsed_time = scaled(f64::from(lap.end_ms - lap.start_ms) / 1000.0, 1000.0);
    m.total_timer_time = scaled(lap.walked, 1000.0);
    m.total_distance = scaled(lap.metres, 100.0);
    m.sport = sport(activity);
    m.sub_sport = typedef::SubSport::TREADMILL;
    m.wkt_step_index = typedef::MessageIndex(lap.step);
    m.intensity = typedef::Intensity::ACTIVE;
    if let (Some(average), Some(max)) = (lap.heart_rate_average, lap.heart_rate_max) {
        m.avg_heart_rate = average;
        m.max_heart_rate = max;
    }
    m.developer_fields.push(developer(
        BACKWARD_TIME,
        Value::Float32(lap.walked_backward as f32),
    ));
    Message::from(m)
}

fn developer(num: u8, value: Value) -> DeveloperField {
    DeveloperField {
        num,
        developer_data_index: 0,
        value,
    }
}

fn session(
    activity: &Activity,
    laps: &[Lap],
    start: typedef::DateTime,
    end: typedef::DateTime,
) -> Message {
    let e = &activity.entry;
    let mut m = mesgdef::Session::new();
    m.message_index = typedef::MessageIndex(0);
    m.start_time = start;
    m.timestamp = end;
    m.event = typedef::Event::SESSION;
    m.event_type = typedef::EventType::STOP;
    m.trigger = typedef::SessionTrigger::ACTIVITY_END;
    m.sport = sport(activity);
    m.sub_sport = typedef::SubSport::TREADMILL;
    m.sport_profile_name = Box::from(truncated(&e.program_name, 60));
    m.total_elapsed_time = scaled(activity.elapsed(), 1000.0);
    m.total_timer_time = scaled(e.walked, 1000.0);
    m.total_distance = scaled(activity.metres(), 100.0);
    m.first_lap_index = 0;
    m.num_laps = laps.len() as u16;
    if let (Some(average), Some(max)) = (e.measured.heart_rate_average, e.measured.heart_rate_max) {
        m.avg_heart_rate = average.min(254) as u8;
        m.max_heart_rate = max.min(254) as u8;
    }
    m.developer_fields.push(developer(
        BACKWARD_TIME,
        Value::Float32(e.walked_backward as f32),
    ));
    m.developer_fields.push(developer(
        DESCRIPTION,
        Value::String(Box::from(truncated(&activity.description(), 200))),
    ));
    Message::from(m)
}

/// At most `bytes` bytes of `text`, cut at a character: FIT strings are
/// at most 255 bytes.
fn truncated(text: &str, bytes: usize) -> &str {
    let mut end = text.len().min(bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn activity_message(activity: &Activity, end: typedef::DateTime) -> Message {
    let mut m = mesgdef::Activity::new();
    m.timestamp = end;
    m.total_timer_time = scaled(activity.entry.walked, 1000.0);
    m.num_sessions = 1;
    m.r#type = typedef::Activity::MANUAL;
    m.event = typedef::Event::ACTIVITY;
    m.event_type = typedef::EventType::STOP;
    let offset = crate::calendar::utc_offset(
        std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(u64::try_from(activity.start_unix()).unwrap_or(0)),
    );
    m.local_timestamp = typedef::LocalDateTime((i64::from(end.0) + offset).max(0) as u32);
    Message::from(m)
}
