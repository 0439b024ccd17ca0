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
        ($old:expr, $new:expr; $($field:ident => $name:literal),* $(,)?) => {
            $(if $old.$field != $new.$field {
                changed.insert($name, Variant::from($new.$field.clone()));
            })*
        };
    }
    compare!(old, new;
        program => "Program", program_name => "ProgramName", step_index => "StepIndex",
        step_count => "StepCount", step_name => "StepName", direction => "Direction", speed => "Speed",
        incline => "Incline", units => "Units", step_length => "StepLength", step_remaining => "StepRemaining",
        step_ends_at => "StepEndsAt", session_ends_at => "SessionEndsAt", elapsed => "Elapsed",
        session_length => "SessionLength", pause_reason => "PauseReason", volume => "Volume", next_step => "NextStep",
    );
    if old.state != new.state {
        changed.insert("State", Variant::from(new.state.as_str()));
    }
    compare!(old.course, new.course;
        id => "Course", name => "CourseName", session => "CourseSession",
        sessions => "CourseSessions", next_due => "NextDue", last_rating => "LastRating",
    );
    compare!(old.fitness, new.fitness;
        treadmill_connected => "TreadmillConnected", belt_speed => "BeltSpeed",
        belt_incline => "BeltIncline", belt_distance => "BeltDistance", heart_rate => "HeartRate",
    );
    if changed.is_empty() {
        return Ok(());
    }
    let interface = InterfaceName::from_static_str_unchecked(super::INTERFACE);
    zbus::fdo::Properties::properties_changed(emitter, interface, changed, Cow::Borrowed(&[])).await
}
