//! The native interface's PropertiesChanged: every property that differs
//! between two statuses, in one signal.

use std::borrow::Cow;
use std::collections::HashMap;

use zbus::Variant;
use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;

use crate::session::Status;

/// Sends the properties that differ between two statuses in one
/// PropertiesChanged signal.
pub async fn announce_changes(
    emitter: &SignalEmitter<'_>,
    old: &Status,
    new: &Status,
) -> zbus::Result<()> {
    let mut changed: HashMap<&str, Variant<'_>> = HashMap::new();
    macro_rules! compare {
        ($($field:ident => $name:literal),* $(,)?) => {
            $(if old.$field != new.$field {
                changed.insert($name, Variant::from(new.$field.clone()));
            })*
        };
    }
    compare!(
        program => "Program", program_name => "ProgramName", step_index => "StepIndex",
        step_count => "StepCount", step_name => "StepName", direction => "Direction", speed => "Speed",
        incline => "Incline", units => "Units", step_length => "StepLength", step_remaining => "StepRemaining",
        step_ends_at => "StepEndsAt", session_ends_at => "SessionEndsAt", elapsed => "Elapsed",
        session_length => "SessionLength", pause_reason => "PauseReason", volume => "Volume", next_step => "NextStep",
    );
    if old.state != new.state {
        changed.insert("State", Variant::from(new.state.as_str()));
    }
    let (was, now) = (&old.course, &new.course);
    if was.id != now.id {
        changed.insert("Course", Variant::from(now.id.clone()));
    }
    if was.name != now.name {
        changed.insert("CourseName", Variant::from(now.name.clone()));
    }
    if was.session != now.session {
        changed.insert("CourseSession", Variant::from(now.session));
    }
    if was.sessions != now.sessions {
        changed.insert("CourseSessions", Variant::from(now.sessions));
    }
    if was.next_due != now.next_due {
        changed.insert("NextDue", Variant::from(now.next_due));
    }
    let (was, now) = (&old.fitness, &new.fitness);
    if was.treadmill_connected != now.treadmill_connected {
        changed.insert("TreadmillConnected", Variant::from(now.treadmill_connected));
    }
    if was.belt_speed != now.belt_speed {
        changed.insert("BeltSpeed", Variant::from(now.belt_speed));
    }
    if was.belt_incline != now.belt_incline {
        changed.insert("BeltIncline", Variant::from(now.belt_incline));
    }
    if was.belt_distance != now.belt_distance {
        changed.insert("BeltDistance", Variant::from(now.belt_distance));
    }
    if was.heart_rate != now.heart_rate {
        changed.insert("HeartRate", Variant::from(now.heart_rate));
    }
    if changed.is_empty() {
        return Ok(());
    }
    let interface = InterfaceName::from_static_str_unchecked(super::INTERFACE);
    zbus::fdo::Properties::properties_changed(emitter, interface, changed, Cow::Borrowed(&[])).await
}
