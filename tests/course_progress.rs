//! The course's progress rules as pure functions with an injected clock:
//! every row of the README's table, the long break, and the due time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use treadcue::course::{Because, Course, CourseWalk, Next, Rating, WalkRecord, next_walk, parse};

const DAY: Duration = Duration::from_secs(86_400);

/// Three sessions: A walked 3 times, B twice, C once (walks 0-2, 3-4, 5).
fn course() -> Course {
    let text = "name = \"Test\"\nsessions_per_week = 3\nmin_rest = \"20h\"\n\
        [[sessions]]\nprogram = \"demo\"\ntimes = 3\n\
        [[sessions]]\nprogram = \"demo\"\ntimes = 2\n\
        [[sessions]]\nprogram = \"demo\"\n";
    parse("test", "test.toml", text.as_bytes()).unwrap()
}

fn at(days: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000) + DAY.mul_f64(days)
}

fn walk(walk: u32) -> CourseWalk {
    CourseWalk {
        walk,
        eased_from: None,
    }
}

fn record(walk_index: u32, done: bool, rating: Rating, day: f64) -> WalkRecord {
    WalkRecord {
        walk: walk(walk_index),
        done,
        rating: Some(rating),
        ended_at: at(day),
    }
}

fn unrated(walk_index: u32, day: f64) -> WalkRecord {
    WalkRecord {
        rating: None,
        ..record(walk_index, true, Rating::Right, day)
    }
}

fn next(records: &[WalkRecord], day: f64) -> Next {
    next_walk(&course(), records, at(day))
}

#[test]
fn a_new_course_starts_at_its_first_walk_due_now() {
    let n = next(&[], 0.0);
    assert_eq!(n.walk, walk(0));
    assert_eq!(n.due_at, None);
    assert!(!n.complete);
}

#[test]
fn done_and_right_goes_to_the_next_walk_then_the_next_session() {
    let mut records = vec![record(0, true, Rating::Right, 0.0)];
    assert_eq!(next(&records, 1.0).walk, walk(1));
    records.push(record(1, true, Rating::Right, 2.0));
    records.push(record(2, true, Rating::Right, 4.0));
    assert_eq!(
        next(&records, 5.0).walk,
        walk(3),
        "session B after A's three"
    );
}

#[test]
fn too_easy_skips_the_sessions_remaining_times() {
    let records = [record(0, true, Rating::TooEasy, 0.0)];
    assert_eq!(next(&records, 1.0).walk, walk(3));
}

#[test]
fn too_hard_repeats_the_walk() {
    let records = [
        record(0, true, Rating::Right, 0.0),
        record(1, true, Rating::TooHard, 2.0),
    ];
    assert_eq!(next(&records, 3.0).walk, walk(1));
}

#[test]
fn too_hard_twice_in_a_row_goes_one_session_back() {
    let records = [
        record(0, true, Rating::TooEasy, 0.0),
        record(3, true, Rating::TooHard, 2.0),
        record(3, true, Rating::TooHard, 4.0),
    ];
    assert_eq!(next(&records, 5.0).walk, walk(0), "back to A's first walk");
    // The count starts again after a step back: one more too-hard stays.
    let mut more = records.to_vec();
    more.push(record(0, true, Rating::TooHard, 6.0));
    assert_eq!(next(&more, 7.0).walk, walk(0));
}

#[test]
fn too_hard_twice_in_the_first_session_stays_there() {
    let records = [
        record(1, true, Rating::TooHard, 0.0),
        record(1, true, Rating::TooHard, 2.0),
    ];
    assert_eq!(next(&records, 3.0).walk, walk(0));
}

#[test]
fn a_walk_not_done_is_walked_again_whatever_its_rating() {
    for rating in [Rating::Right, Rating::TooEasy, Rating::TooHard] {
        let records = [
            record(0, true, Rating::Right, 0.0),
            record(1, false, rating, 2.0),
        ];
        assert_eq!(next(&records, 3.0).walk, walk(1), "{rating:?}");
    }
}

#[test]
fn a_walk_not_done_does_not_make_the_next_one_wait() {
    let records = [
        record(0, true, Rating::Right, 0.0),
        record(1, false, Rating::Right, 0.5),
    ];
    let n = next(&records, 0.6);
    assert_eq!(n.due_at, Some(at(0.0) + Duration::from_secs(20 * 3600)));
}

#[test]
fn the_next_walk_is_due_min_rest_after_the_last_done_one() {
    let records = [record(0, true, Rating::Right, 0.0)];
    let due = at(0.0) + Duration::from_secs(20 * 3600);
    assert_eq!(next(&records, 0.5).due_at, Some(due));
    assert_eq!(next(&records, 0.9).due_at, None, "21.6 h later it is due");
}

#[test]
fn a_long_break_eases_back_with_the_previous_session_first() {
    let records = [
        record(0, true, Rating::TooEasy, 0.0),
        record(3, true, Rating::Right, 2.0),
    ];
    assert_eq!(
        next(&records, 15.0).walk,
        walk(4),
        "14 days is no long break"
    );
    let n = next(&records, 16.5);
    assert_eq!(
        n.walk,
        CourseWalk {
            walk: 0,
            eased_from: Some(4)
        },
        "A first, remembering B's second walk"
    );
    assert!(n.is_easing_back());
    // Done, the easier walk hands back to where the walker was.
    let mut after = records.to_vec();
    after.push(WalkRecord {
        walk: n.walk,
        done: true,
        rating: Some(Rating::Right),
        ended_at: at(16.6),
    });
    assert_eq!(next(&after, 18.0).walk, walk(4));
}

#[test]
fn a_long_break_in_the_first_session_has_nothing_easier() {
    let records = [record(0, true, Rating::Right, 0.0)];
    assert_eq!(next(&records, 30.0).walk, walk(1));
}

#[test]
fn an_easier_walk_not_done_is_walked_again_before_going_on() {
    let eased = CourseWalk {
        walk: 0,
        eased_from: Some(4),
    };
    let records = [
        record(0, true, Rating::TooEasy, 0.0),
        record(3, true, Rating::Right, 2.0),
        WalkRecord {
            walk: eased,
            done: false,
            rating: Some(Rating::Right),
            ended_at: at(20.0),
        },
    ];
    assert_eq!(next(&records, 21.0).walk, eased);
}

#[test]
fn the_last_walk_done_completes_the_course() {
    let records = [
        record(0, true, Rating::TooEasy, 0.0),
        record(3, true, Rating::TooEasy, 2.0),
        record(5, true, Rating::Right, 4.0),
    ];
    let n = next(&records, 5.0);
    assert!(n.complete);
    assert_eq!(n.walk, walk(6));
    // A long break after the end changes nothing.
    assert!(next(&records, 40.0).complete);
}

#[test]
fn a_rating_changes_what_comes_next() {
    // Rating the same walk again is a different record rating: the last
    // one given is the one that counts.
    let right = [record(0, true, Rating::Right, 0.0)];
    let easy = [record(0, true, Rating::TooEasy, 0.0)];
    assert_eq!(next(&right, 1.0).walk, walk(1));
    assert_eq!(next(&easy, 1.0).walk, walk(3));
}

#[test]
fn an_unrated_walk_counts_as_right_and_breaks_a_run_of_too_hard() {
    assert_eq!(next(&[unrated(0, 0.0)], 1.0).walk, walk(1));
    let records = [
        record(0, true, Rating::TooEasy, 0.0),
        record(3, true, Rating::TooHard, 2.0),
        unrated(3, 4.0),
        record(4, true, Rating::TooHard, 6.0),
    ];
    assert_eq!(next(&records, 7.0).walk, walk(4), "not twice in a row");
}

#[test]
fn the_walker_is_told_why_a_walk_comes_again() {
    let because = |records: &[WalkRecord]| next(records, 30.0).because;
    assert_eq!(because(&[]), Because::Onward);
    assert_eq!(
        because(&[record(0, true, Rating::Right, 29.0)]),
        Because::Onward
    );
    assert_eq!(
        because(&[record(0, false, Rating::Right, 29.0)]),
        Because::NotDone
    );
    assert_eq!(
        because(&[record(0, true, Rating::TooHard, 29.0)]),
        Because::TooHard
    );
    let twice = [
        record(0, true, Rating::TooEasy, 27.0),
        record(3, true, Rating::TooHard, 28.0),
        record(3, true, Rating::TooHard, 29.0),
    ];
    assert_eq!(because(&twice), Because::SteppedBack);
}
