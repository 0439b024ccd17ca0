//! The Heart Rate Measurement codec against a second implementation:
//! Wireshark's Bluetooth ATT dissector (tshark, from Debian). Hundreds of
//! generated measurements (every combination of flags: one- and two-byte
//! rates, sensor contact, energy expended, RR intervals) are written as
//! the notifications of a Bluetooth capture, and what tshark reads in
//! each must be what treadcue decodes. (Wireshark 4.0 does not decode
//! Treadmill Data or the Control Point; those are checked against worked
//! examples in fitness_codecs.rs.)

mod support;

use std::process::Command;

use treadcue::fitness::heart_rate;

/// Values a strap could send, from a small deterministic generator.
fn measurements(count: usize) -> Vec<Vec<u8>> {
    let mut seed: u32 = 0x2a37_1234;
    let mut next = move |n: u32| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) % n
    };
    (0..count)
        .map(|_| {
            let flags = (next(32) as u8) & 0x1f;
            let bpm = 25 + next(216) as u16;
            let mut bytes = vec![flags];
            if flags & 0x01 != 0 {
                bytes.extend_from_slice(&bpm.to_le_bytes());
            } else {
                bytes.push(bpm as u8);
            }
            if flags & 0x08 != 0 {
                bytes.extend_from_slice(&(next(65_536) as u16).to_le_bytes());
            }
            if flags & 0x10 != 0 {
                for _ in 0..=next(4) {
                    bytes.extend_from_slice(&(300 + next(1500) as u16).to_le_bytes());
                }
            }
            bytes
        })
        .collect()
}

/// An ATT PDU received on connection 0x40, as a Bluetooth H4 capture
/// frame with its direction header.
fn frame(att: &[u8], received: bool) -> Vec<u8> {
    let mut l2cap = (att.len() as u16).to_le_bytes().to_vec();
    l2cap.extend_from_slice(&4u16.to_le_bytes());
    l2cap.extend_from_slice(att);
    let mut out = u32::from(received).to_be_bytes().to_vec();
    out.push(0x02);
    out.extend_from_slice(&0x2040u16.to_le_bytes());
    out.extend_from_slice(&(l2cap.len() as u16).to_le_bytes());
    out.extend_from_slice(&l2cap);
    out
}

/// A capture: the device telling handle 0x21 is the measurement, then
/// each value notified on it.
fn capture(values: &[Vec<u8>]) -> Vec<u8> {
    let mut frames = vec![
        frame(&[0x04, 0x01, 0x00, 0xff, 0xff], false),
        frame(&[0x05, 0x01, 0x21, 0x00, 0x37, 0x2a], true),
    ];
    for value in values {
        let mut att = vec![0x1b, 0x21, 0x00];
        att.extend_from_slice(value);
        frames.push(frame(&att, true));
    }
    // pcap, link type 201: Bluetooth HCI H4 with direction header.
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    for word in [0u32, 0, 65_535, 201] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    for (i, frame) in frames.iter().enumerate() {
        for word in [i as u32, 0, frame.len() as u32, frame.len() as u32] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(frame);
    }
    out
}

fn field<'a>(layer: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    layer.get(name).and_then(|v| v.as_str())
}

#[test]
fn heart_rate_measurements_read_as_wireshark_reads_them() {
    support::require("tshark", "tshark");
    let values = measurements(400);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("strap.pcap");
    std::fs::write(&file, capture(&values)).unwrap();
    let out = Command::new("tshark")
        .args([
            "-r",
            file.to_str().unwrap(),
            "-T",
            "json",
            "--no-duplicate-keys",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frames: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(frames.len(), values.len() + 2);
    for (value, frame) in values.iter().zip(&frames[2..]) {
        let att = &frame["_source"]["layers"]["btatt"];
        let ours = heart_rate::measurement(value).unwrap();
        let theirs = field(att, "btatt.heart_rate_measurement.value.8")
            .or_else(|| field(att, "btatt.heart_rate_measurement.value.16"))
            .unwrap_or_else(|| panic!("no rate in {att}"));
        assert_eq!(ours.bpm.to_string(), theirs, "{value:02x?}");
        let energy = field(att, "btatt.heart_rate_measurement.energy_expended");
        assert_eq!(
            ours.energy_kj.map(|e| e.to_string()).as_deref(),
            energy,
            "{value:02x?}"
        );
        let flags = &att["btatt.heart_rate_measurement.flags_tree"];
        let supported = field(
            flags,
            "btatt.heart_rate_measurement.flags.sensor_contact_status.support",
        );
        let contact = field(
            flags,
            "btatt.heart_rate_measurement.flags.sensor_contact_status.contact",
        );
        let expected = (supported == Some("1")).then(|| contact == Some("1"));
        assert_eq!(ours.contact, expected, "{value:02x?}");
        let rr = &att["btatt.heart_rate_measurement.rr_intervals"]["btatt.heart_rate_measurement.rr_interval"];
        let theirs: Vec<f64> = match rr {
            serde_json::Value::String(one) => vec![one.parse().unwrap()],
            serde_json::Value::Array(many) => many
                .iter()
                .map(|v| v.as_str().unwrap().parse().unwrap())
                .collect(),
            _ => Vec::new(),
        };
        let ours: Vec<f64> = ours
            .rr_intervals_s
            .iter()
            .map(|s| (s * 1024.0).round())
            .collect();
        assert_eq!(ours, theirs, "{value:02x?}");
    }
}
