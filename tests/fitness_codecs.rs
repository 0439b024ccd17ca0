//! The Bluetooth fitness codecs against byte examples worked out from the
//! Fitness Machine Service and Heart Rate Service specifications: every
//! optional field of Treadmill Data, one- and two-byte heart rates with
//! and without RR intervals, Control Point requests and responses; and
//! any bytes at all decode or are refused, never panic.

use proptest::prelude::*;
use treadcue::fitness::DecodeError;
use treadcue::fitness::ftms::{
    self, InclineRange, Outcome, Pace, Request, SpeedRange, StopOrPause,
};
use treadcue::fitness::heart_rate;

#[test]
fn every_field_of_treadmill_data_in_order() {
    // Flags 0x1FFE: every field but "more data" set, so the speed is in.
    let bytes = [
        0xfe, 0x1f, // flags
        0x28, 0x0a, // speed 26.00 km/h
        0xf4, 0x01, // average speed 5.00 km/h
        0x10, 0x27, 0x00, // distance 10000 m
        0x32, 0x00, // inclination 5.0 %
        0x1e, 0x00, // ramp angle 3.0 degrees
        0x64, 0x00, // elevation gain +10.0 m
        0x0a, 0x00, // elevation loss 1.0 m
        0x0c, // pace 1.2 km/min
        0x0b, // average pace 1.1 km/min
        0x96, 0x00, // 150 kcal
        0x2c, 0x01, // 300 kcal per hour
        0x05, // 5 kcal per minute
        0x8c, // heart rate 140
        0x32, // 5.0 MET
        0x58, 0x02, // elapsed 600 s
        0x2c, 0x01, // remaining 300 s
        0xf6, 0xff, // force -10 N
        0x64, 0x00, // power 100 W
    ];
    let data = ftms::treadmill_data(&bytes).unwrap();
    assert_eq!(data.speed_kmh, Some(26.0));
    assert_eq!(data.average_speed_kmh, Some(5.0));
    assert_eq!(data.distance_m, Some(10_000));
    assert_eq!(data.incline_percent, Some(5.0));
    assert_eq!(data.ramp_angle_degrees, Some(3.0));
    assert_eq!(data.elevation_gain_m, Some(10.0));
    assert_eq!(data.elevation_loss_m, Some(1.0));
    assert_eq!(data.pace, Some(Pace::KmPerMinute(1.2)));
    assert_eq!(data.average_pace, Some(Pace::KmPerMinute(1.1)));
    assert_eq!(data.energy_kcal, Some(150));
    assert_eq!(data.energy_per_hour_kcal, Some(300));
    assert_eq!(data.energy_per_minute_kcal, Some(5));
    assert_eq!(data.heart_rate_bpm, Some(140));
    assert_eq!(data.metabolic_equivalent, Some(5.0));
    assert_eq!(data.elapsed_s, Some(600));
    assert_eq!(data.remaining_s, Some(300));
    assert_eq!(data.force_n, Some(-10));
    assert_eq!(data.power_w, Some(100));
}

#[test]
fn more_data_leaves_the_speed_out_and_a_decline_is_negative() {
    // Flags: more data, inclination. Incline -2.5 %, ramp -1.4 degrees.
    let data = ftms::treadmill_data(&[0x09, 0x00, 0xe7, 0xff, 0xf2, 0xff]).unwrap();
    assert_eq!(data.speed_kmh, None);
    assert_eq!(data.incline_percent, Some(-2.5));
    assert_eq!(data.ramp_angle_degrees, Some(-1.4));
}

#[test]
fn treadmill_data_that_does_not_match_its_flags_is_refused() {
    // Distance announced, not sent.
    let short = ftms::treadmill_data(&[0x04, 0x00, 0xf4, 0x01, 0x10]).unwrap_err();
    assert_eq!(
        short,
        DecodeError::Short {
            what: "Treadmill Data",
            needed: 7,
            got: 5
        }
    );
    // A speed and two bytes nobody announced.
    let long = ftms::treadmill_data(&[0x00, 0x00, 0xf4, 0x01, 0x00, 0x00]).unwrap_err();
    assert!(matches!(long, DecodeError::Long { extra: 2, .. }), "{long}");
    assert!(ftms::treadmill_data(&[]).is_err());
    // An incline of 100 %.
    let steep = ftms::treadmill_data(&[0x09, 0x00, 0xe8, 0x03, 0x00, 0x00]).unwrap_err();
    assert!(matches!(steep, DecodeError::Absurd { .. }), "{steep}");
}

#[test]
fn fields_sent_as_not_available_are_absent_and_the_rest_still_count() {
    // Flags: distance, inclination, energy, heart rate. Speed 3.00 km/h,
    // distance 0xFFFFFF, inclination 0x7FFF, ramp 0x7FFF, energy
    // 0xFFFF/0xFFFF/0xFF, heart rate 0xFF (FTMS v1.0.1, 4.4.1.5-12).
    let bytes = [
        0x8c, 0x01, 0x2c, 0x01, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff,
    ];
    let data = ftms::treadmill_data(&bytes).unwrap();
    assert_eq!(data.speed_kmh, Some(3.0));
    assert_eq!(data.distance_m, None);
    assert_eq!(data.incline_percent, None);
    assert_eq!(data.ramp_angle_degrees, None);
    assert_eq!(data.energy_kcal, None);
    assert_eq!(data.energy_per_hour_kcal, None);
    assert_eq!(data.energy_per_minute_kcal, None);
    assert_eq!(data.heart_rate_bpm, None);
    assert_eq!(data.fields(), [("speed_kmh", 3.0)]);
}

/// A CITYSPORTS CS-WP8 walking pad, as nRF Connect logged it on
/// 2024-02-01 (github.com/hughesjs/FitnessMachine, protocol/CS-WP8/
/// 1_to_3_with_person_60s_49m_3cal.log at cb85a8eb): flags `84 24` are
/// distance, energy, elapsed time and bit 13, reserved in the 2017
/// layout, with three bytes (a step count, as pyftms reads it).
const CITYSPORTS: [(&str, f64, u32, u16, u16); 3] = [
    (
        "84-24-2C-01-06-00-00-00-00-00-00-00-09-00-06-00-00",
        3.0,
        6,
        0,
        9,
    ),
    (
        "84-24-FA-00-01-00-00-00-00-00-00-00-03-00-02-00-00",
        2.5,
        1,
        0,
        3,
    ),
    (
        "84-24-3C-00-31-00-00-03-00-00-00-00-45-00-64-00-00",
        0.6,
        49,
        3,
        69,
    ),
];

fn hex(text: &str) -> Vec<u8> {
    text.split('-')
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[test]
fn a_walking_pad_setting_a_reserved_flag_keeps_every_field_before_its_bytes() {
    for (capture, speed, metres, kcal, seconds) in CITYSPORTS {
        let data = ftms::treadmill_data(&hex(capture)).unwrap();
        assert_eq!(data.speed_kmh, Some(speed), "{capture}");
        assert_eq!(data.distance_m, Some(metres), "{capture}");
        assert_eq!(data.energy_kcal, Some(kcal), "{capture}");
        assert_eq!(data.elapsed_s, Some(seconds), "{capture}");
        assert_eq!(data.unknown_flags, 1 << 13);
    }
    // Without a reserved bit, bytes past the fields are still refused.
    let long = ftms::treadmill_data(&[0x04, 0x00, 0x2c, 0x01, 6, 0, 0, 1, 2]).unwrap_err();
    assert!(matches!(long, DecodeError::Long { extra: 2, .. }), "{long}");
}

#[test]
fn a_pace_is_one_byte_or_two_as_the_length_says() {
    // Speed, pace, average pace, elapsed: uint8 paces (FTMS 1.0)...
    let narrow = ftms::treadmill_data(&[0x60, 0x04, 0x2c, 0x01, 0x05, 0x04, 0x3c, 0x00]).unwrap();
    assert_eq!(narrow.pace, Some(Pace::KmPerMinute(0.5)));
    assert_eq!(narrow.average_pace, Some(Pace::KmPerMinute(0.4)));
    assert_eq!(narrow.elapsed_s, Some(60));
    // ... or uint16 ones (the current GATT Specification Supplement).
    let wide = ftms::treadmill_data(&[0x60, 0x04, 0x2c, 0x01, 0xc8, 0x00, 0xf0, 0x00, 0x3c, 0x00])
        .unwrap();
    assert_eq!(wide.pace, Some(Pace::Wide(200)));
    assert_eq!(wide.average_pace, Some(Pace::Wide(240)));
    assert_eq!(wide.elapsed_s, Some(60));
}

#[test]
fn the_machine_says_what_it_can_set() {
    // A FITSHOW FS-BT-T4 walking pad's features (github.com/justintout/
    // treadmill): a speed target, no incline target.
    let pad = ftms::features(&[0xc4, 0x56, 0, 0, 0x0d, 0, 0, 0]).unwrap();
    assert!(pad.sets_speed() && !pad.sets_incline());
    let full = ftms::features(&[0x0c, 0x14, 0, 0, 0x03, 0, 0, 0]).unwrap();
    assert!(full.sets_speed() && full.sets_incline());
    assert!(ftms::features(&[0x0c, 0x14, 0, 0]).is_err());
    let range = ftms::incline_range(&[0xec, 0xff, 0x96, 0x00, 0x05, 0x00]).unwrap();
    assert_eq!(
        range,
        InclineRange {
            min_percent: -2.0,
            max_percent: 15.0,
            step_percent: 0.5
        }
    );
    assert!(ftms::incline_range(&[0x96, 0x00, 0xec, 0xff, 0x05, 0x00]).is_err());
}

#[test]
fn the_machines_status_reads_as_table_4_26_says() {
    use ftms::MachineStatus as S;
    let cases: [(&[u8], S); 9] = [
        (&[0x02, 0x01], S::StoppedByUser(StopOrPause::Stop)),
        (&[0x02, 0x02], S::StoppedByUser(StopOrPause::Pause)),
        (&[0x02], S::StoppedByUser(StopOrPause::Stop)),
        (&[0x03], S::StoppedBySafetyKey),
        (&[0x04], S::StartedByUser),
        (&[0x05, 0xf0, 0x00], S::TargetSpeedChanged(2.4)),
        (&[0x06, 0xf6, 0xff], S::TargetInclineChanged(-1.0)),
        (&[0xff], S::ControlPermissionLost),
        (&[0x14, 0x02], S::Other(0x14)),
    ];
    for (bytes, status) in cases {
        assert_eq!(ftms::machine_status(bytes), Ok(status), "{bytes:02x?}");
    }
    assert!(
        ftms::machine_status(&[0x05, 0xf0]).is_err(),
        "speed cut short"
    );
    assert!(ftms::machine_status(&[]).is_err());
}

#[test]
fn the_supported_speed_range_reads_and_an_inverted_one_is_refused() {
    let range = ftms::speed_range(&[0x32, 0x00, 0xc4, 0x09, 0x0a, 0x00]).unwrap();
    assert_eq!(
        range,
        SpeedRange {
            min_kmh: 0.5,
            max_kmh: 25.0,
            step_kmh: 0.1
        }
    );
    assert!(ftms::speed_range(&[0xc4, 0x09, 0x32, 0x00, 0x0a, 0x00]).is_err());
    assert!(ftms::speed_range(&[0x32, 0x00]).is_err());
}

#[test]
fn control_point_requests_are_the_bytes_the_service_defines() {
    assert_eq!(Request::RequestControl.encode(), [0x00]);
    assert_eq!(Request::Reset.encode(), [0x01]);
    assert_eq!(Request::SetSpeed(1.29).encode(), [0x02, 0x81, 0x00]);
    assert_eq!(Request::SetIncline(-1.5).encode(), [0x03, 0xf1, 0xff]);
    assert_eq!(Request::StartOrResume.encode(), [0x07]);
    assert_eq!(Request::Stop.encode(), [0x08, 0x01]);
    assert_eq!(Request::Pause.encode(), [0x08, 0x02]);
    // Out of range is clamped to what the field carries, never wrapped.
    assert_eq!(Request::SetSpeed(-3.0).encode(), [0x02, 0x00, 0x00]);
    assert_eq!(Request::SetSpeed(999.0).encode(), [0x02, 0xa0, 0x0f]);
}

#[test]
fn control_point_responses_name_the_request_and_its_outcome() {
    assert_eq!(
        ftms::response(&[0x80, 0x02, 0x01]),
        Ok((0x02, Outcome::Success))
    );
    assert_eq!(
        ftms::response(&[0x80, 0x00, 0x05]),
        Ok((0x00, Outcome::ControlNotPermitted))
    );
    assert_eq!(
        ftms::response(&[0x80, 0x03, 0x03]),
        Ok((0x03, Outcome::InvalidParameter))
    );
    assert_eq!(
        ftms::response(&[0x80, 0x07, 0x09]),
        Ok((0x07, Outcome::Other(9)))
    );
    assert!(ftms::response(&[0x02, 0x01, 0x01]).is_err());
    assert!(ftms::response(&[0x80, 0x02]).is_err());
}

#[test]
fn heart_rates_in_one_byte_or_two_with_contact_energy_and_rr_intervals() {
    let plain = heart_rate::measurement(&[0x00, 0x48]).unwrap();
    assert_eq!((plain.bpm, plain.contact), (72, None));
    let wide = heart_rate::measurement(&[0x01, 0x96, 0x00]).unwrap();
    assert_eq!(wide.bpm, 150);
    // Contact supported but lost.
    let loose = heart_rate::measurement(&[0x04, 0x48]).unwrap();
    assert_eq!(loose.contact, Some(false));
    // Contact, energy 513 kJ, two RR intervals: 1024/1024 s and 512/1024 s.
    let full = heart_rate::measurement(&[0x1e, 0x50, 0x01, 0x02, 0x00, 0x04, 0x00, 0x02]).unwrap();
    assert_eq!(full.bpm, 80);
    assert_eq!(full.contact, Some(true));
    assert_eq!(full.energy_kj, Some(513));
    assert_eq!(full.rr_intervals_s, [1.0, 0.5]);
}

#[test]
fn heart_rates_no_heart_beats_at_and_cut_values_are_refused() {
    for bytes in [&[0x00, 0x00][..], &[0x00, 0xff], &[0x01, 0x2c, 0x01]] {
        let err = heart_rate::measurement(bytes).unwrap_err();
        assert!(
            matches!(err, DecodeError::Absurd { .. }),
            "{bytes:?}: {err}"
        );
    }
    assert!(
        heart_rate::measurement(&[0x01, 0x48]).is_err(),
        "two-byte rate cut short"
    );
    assert!(
        heart_rate::measurement(&[0x10, 0x48, 0x00]).is_err(),
        "half an RR interval"
    );
    assert!(heart_rate::measurement(&[]).is_err());
}

proptest! {
    /// Whatever arrives over the air, the decoders answer without a panic,
    /// and a speed they give is one a belt can run at.
    #[test]
    fn any_bytes_decode_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
        if let Ok(data) = ftms::treadmill_data(&bytes) {
            prop_assert!(data.speed_kmh.is_none_or(|s| (0.0..=ftms::MAX_BELT_KMH).contains(&s)));
        }
        let _ = ftms::speed_range(&bytes);
        let _ = ftms::response(&bytes);
        let _ = ftms::features(&bytes);
        if let Ok(range) = ftms::incline_range(&bytes) {
            prop_assert!(range.min_percent <= range.max_percent);
        }
        let _ = ftms::machine_status(&bytes);
        if let Ok(m) = heart_rate::measurement(&bytes) {
            prop_assert!(heart_rate::BELIEVABLE_BPM.contains(&m.bpm));
        }
    }
}
