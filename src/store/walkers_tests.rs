use super::*;

fn two() -> Walkers {
    let mut walkers = Walkers::default();
    walkers.add("Anna").unwrap();
    walkers
}

#[test]
fn without_a_file_the_state_folder_is_the_one_walkers() {
    let dir = tempfile::tempdir().unwrap();
    let file = WalkersFile::new(dir.path());
    let (walkers, warning) = file.load();
    assert_eq!(warning, None);
    assert_eq!(walkers.active().name, FIRST_NAME);
    assert_eq!(
        file.files(walkers.active()).history.path,
        dir.path().join("history.jsonl")
    );
}

#[test]
fn names_are_trimmed_unique_whatever_their_case_and_bounded() {
    let mut walkers = two();
    assert_eq!(walkers.add("  Ben   Okafor ").unwrap(), 3);
    assert_eq!(walkers.find("ben okafor").unwrap().name, "Ben Okafor");
    assert!(walkers.add("ANNA").unwrap_err().contains("already"));
    assert!(walkers.add("   ").is_err());
    assert!(walkers.add(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    assert!(walkers.add("a\u{7}b").is_err());
    assert!(walkers.rename("anna", "Ben Okafor").is_err());
    walkers.rename("anna", "Anne").unwrap();
    assert!(
        walkers
            .find("Anna")
            .unwrap_err()
            .contains("Walker, Anne, Ben Okafor")
    );
}

#[test]
fn an_id_is_never_given_twice_and_the_last_walker_stays() {
    let mut walkers = two();
    walkers.choose("anna").unwrap();
    let removed = walkers.remove("Anna").unwrap();
    assert_eq!(removed.id, 2);
    assert_eq!(walkers.active, 1, "the active walker was removed");
    assert_eq!(walkers.add("Anna").unwrap(), 3);
    walkers.remove("Anna").unwrap();
    assert!(
        walkers
            .remove("walker")
            .unwrap_err()
            .contains("only walker")
    );
}

#[test]
fn a_walkers_own_limit_and_units_are_checked() {
    let mut walkers = two();
    walkers
        .set("anna", Some(Some(150)), Some(Some("KMH".into())))
        .unwrap();
    let anna = walkers.find("anna").unwrap();
    assert_eq!(
        (anna.heart_max, anna.units.as_deref()),
        (Some(150), Some("km/h"))
    );
    assert!(walkers.set("anna", Some(Some(20)), None).is_err());
    assert!(
        walkers
            .set("anna", None, Some(Some("knots".into())))
            .is_err()
    );
    walkers.set("anna", Some(None), None).unwrap();
    let anna = walkers.find("anna").unwrap();
    assert_eq!(
        (anna.heart_max, anna.units.as_deref()),
        (None, Some("km/h"))
    );
}

#[test]
fn the_list_comes_back_as_saved() {
    let dir = tempfile::tempdir().unwrap();
    let file = WalkersFile::new(dir.path());
    let mut walkers = two();
    walkers.choose("Anna").unwrap();
    file.save(&walkers).unwrap();
    assert_eq!(file.load(), (walkers, None));
}

#[test]
fn a_damaged_list_is_set_aside_and_the_walkers_found_from_their_folders() {
    let dir = tempfile::tempdir().unwrap();
    let file = WalkersFile::new(dir.path());
    std::fs::create_dir_all(dir.path().join("walkers/4/records")).unwrap();
    std::fs::write(file.path(), b"{\"active\": 1, \"walk").unwrap();
    let (mut walkers, warning) = file.load();
    assert!(warning.unwrap().contains("damaged"));
    assert!(dir.path().join("walkers.json.damaged").exists());
    assert_eq!(walkers.names(), ["Walker", "Walker 4"]);
    assert_eq!(walkers.add("Anna").unwrap(), 5);
}

#[test]
fn a_list_that_sends_files_out_of_the_state_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = WalkersFile::new(dir.path());
    let mut walkers = two();
    walkers.walkers[1].folder = "walkers/../../etc".into();
    std::fs::write(file.path(), serde_json::to_vec(&walkers).unwrap()).unwrap();
    let (walkers, warning) = file.load();
    assert!(warning.unwrap().contains("not a folder"));
    assert_eq!(walkers.names(), ["Walker"]);
}

#[test]
fn a_removed_walkers_files_go_to_the_archive_or_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let file = WalkersFile::new(dir.path());
    let walkers = two();
    let (first, anna) = (&walkers.walkers[0], &walkers.walkers[1]);
    for walker in [first, anna] {
        let files = file.files(walker);
        std::fs::create_dir_all(&files.records.dir).unwrap();
        std::fs::write(&files.history.path, b"{}\n").unwrap();
    }
    std::fs::write(dir.path().join("session.json"), b"{}").unwrap();
    let archive = file.archive(first, "2026-12-05").unwrap();
    assert!(archive.ends_with("archive/1-Walker-2026-12-05"));
    assert!(archive.join("history.jsonl").exists() && archive.join("records").is_dir());
    assert!(!dir.path().join("history.jsonl").exists());
    assert!(
        dir.path().join("session.json").exists(),
        "the machine's files stay"
    );
    file.delete(anna).unwrap();
    assert!(!dir.path().join("walkers/2").exists());
}
