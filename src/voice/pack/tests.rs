use super::*;

fn tiny_pack() -> Pack {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.wav");
    let samples: Vec<f32> = (0..300)
        .map(|i| if i % 100 < 50 { 0.5 } else { -0.5 })
        .collect();
    crate::audio::pcm::write_wav(&path, 1000, &samples).unwrap();
    let wav = std::fs::read(&path).unwrap();
    Pack::from_parts(
        "tiny",
        Cow::Owned(wav),
        "0\t100\tForward at\n100\t100\tone\n200\t100\tmiles per hour\n",
    )
    .unwrap()
}

#[test]
fn a_phrase_is_put_together_from_the_longest_parts() {
    let pack = tiny_pack();
    let clip = pack.render("Forward at one miles per hour.").unwrap();
    // Three parts of 100 samples, two word pauses of 50 samples.
    assert_eq!(clip.samples.len(), 300 + 2 * 50);
    assert!(pack.covers("forward AT one"));
}

#[test]
fn a_missing_word_is_named() {
    let err = tiny_pack()
        .render("Forward at two miles per hour.")
        .unwrap_err();
    assert!(err.to_string().contains("no recording of \"two\""), "{err}");
}

#[test]
fn templates_split_into_their_fixed_words() {
    let t = Template::from("In {lead}: speed up to {speed}.");
    assert_eq!(template_pieces(&t), ["In", "speed up to", ""]);
}
