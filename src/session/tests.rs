use super::*;
use crate::phrasebook::Phrasebook;
use crate::plan::{Estimates, compile};
use crate::program::catalog::built_in;
use crate::program::cue_settings::CueSettings;

fn plan() -> Arc<Plan> {
    let program = built_in("demo").unwrap().unwrap();
    Arc::new(compile(
        &program,
        &CueSettings::default(),
        &Phrasebook::default(),
        &Estimates,
        1000,
    ))
}

fn snapshot(state: PlayState, step: usize, position: u64, step_starts: u64) -> Snapshot {
    Snapshot {
        state,
        step,
        position,
        lead_in: 0,
        step_starts,
        device_lost: false,
        held_at_gate: false,
        walked: [0, 0],
        fastest_backward: None,
    }
}

#[test]
fn a_session_follows_its_player_and_counts_down_on_the_wall_clock() {
    let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
    let mut session = Session::default();
    assert_eq!(session.status().state, State::Idle);
    let plan = plan();
    session.started(plan.clone(), &snapshot(PlayState::Playing, 0, 0, 0), t0);
    let status = session.status();
    assert_eq!(
        (status.state, status.step_index, status.step_count),
        (State::Running, 0, 3)
    );
    assert_eq!(status.step_ends_at, micros(t0) + 24_000_000);

    let t1 = t0 + Duration::from_secs(24);
    let start1 = plan.steps[1].start;
    let applied = session.apply(&snapshot(PlayState::Playing, 1, start1, 2), t1);
    assert_eq!(applied.step_started, Some(1));
    let status = session.status();
    assert_eq!(
        (status.step_index, status.direction_name()),
        (1, "backward")
    );
    assert_eq!(status.step_ends_at, micros(t1) + 31_000_000);

    let t2 = t1 + Duration::from_secs(3);
    let paused = snapshot(PlayState::Paused, 1, start1 + 3000, 2);
    assert!(session.apply(&paused, t2).changed);
    let status = session.status();
    assert_eq!(
        (status.state, status.step_ends_at, status.step_remaining),
        (State::Paused, 0, 28.0)
    );
    assert_eq!(status.pause_reason.as_str(), "requested");
    // The same snapshot again changes nothing.
    assert_eq!(session.apply(&paused, t2), Applied::default());

    let t3 = t2 + Duration::from_secs(60);
    session.apply(&snapshot(PlayState::Playing, 1, start1 + 3000, 2), t3);
    assert_eq!(session.status().step_ends_at, micros(t3) + 28_000_000);

    let ended = session.apply(&snapshot(PlayState::Finished, 2, plan.end, 3), t3);
    assert_eq!(ended.ended, Some(State::Finished));
    assert_eq!(session.status().state, State::Finished);
    assert!(!session.is_active());
    // Ended once: nothing after that changes it or ends it again.
    let late = session.apply(&snapshot(PlayState::Playing, 0, 0, 9), t3);
    assert_eq!(late, Applied::default());
    assert_eq!(session.status().state, State::Finished);
}

#[test]
fn a_lost_device_is_the_reason_for_a_pause_and_a_step_is_never_past_the_plan() {
    let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
    let mut session = Session::default();
    let plan = plan();
    session.started(plan.clone(), &snapshot(PlayState::Playing, 0, 0, 0), t0);
    let mut lost = snapshot(PlayState::Paused, 0, 10, 0);
    lost.device_lost = true;
    session.apply(&lost, t0);
    assert_eq!(session.status().pause_reason.as_str(), "device");
    session.apply(&snapshot(PlayState::Playing, 7, 10, 0), t0);
    assert_eq!(session.status().pause_reason.as_str(), "");
    assert_eq!(session.status().step_index, 2);
}
