//! What the journal says about itself and its errors, and the directory fsync, checked so that
//! a change to any of them fails a test (gaps found by `bash scripts/mutants.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use webproof_evidence::digest::digest_bytes;
use webproof_evidence::journal::{self, Journal, JournalError, sync_parent};
use webproof_evidence::record::{ChainError, StepKind};

#[test]
fn a_recovered_journal_keeps_its_capture_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::create(&path, "capture-42").unwrap();
    assert_eq!(j.capture(), "capture-42");
    j.append(common::note("n")).unwrap();
    drop(j);
    let (j, _) = Journal::recover(&path).unwrap();
    assert_eq!(j.capture(), "capture-42");
    assert_eq!(j.records()[0].capture, "capture-42");
}

#[test]
fn every_step_kind_has_its_journal_name() {
    for k in StepKind::ALL {
        let json = serde_json::to_value(k).unwrap();
        assert_eq!(json.as_str(), Some(k.as_str()), "{k:?}");
    }
    assert_eq!(StepKind::NetworkArchive.as_str(), "network-archive");
}

#[test]
fn a_broken_link_names_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::create(&path, "cap").unwrap();
    let (_, first) = j.append(common::note("one")).unwrap();
    let (mut second, _) = j.append(common::note("two")).unwrap();
    drop(j);
    // Record 1 re-written, canonical, but linked to other digests.
    let wrong = digest_bytes(b"not the first record");
    second.prev = Some(wrong);
    let bytes = std::fs::read(&path).unwrap();
    let line0 = bytes.split_inclusive(|&b| b == b'\n').next().unwrap();
    let forged = [line0, &second.canonical_bytes().unwrap(), b"\n"].concat();
    match journal::parse(&forged) {
        Err(JournalError::Chain {
            line: 2,
            source: e @ ChainError::Link { .. },
        }) => {
            let said = e.to_string();
            assert!(
                said.contains(&format!("sha256:{} sm3:{}", first.sha256, first.sm3)),
                "{said}"
            );
            assert!(
                said.contains(&format!("sha256:{} sm3:{}", wrong.sha256, wrong.sm3)),
                "{said}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A first record that claims a predecessor: the expected link is null.
    let mut first_rec = journal::parse(line0).unwrap().records.remove(0);
    first_rec.prev = Some(wrong);
    let forged = [first_rec.canonical_bytes().unwrap(), b"\n".to_vec()].concat();
    match journal::parse(&forged) {
        Err(JournalError::Chain { line: 1, source }) => {
            assert!(
                source
                    .to_string()
                    .contains("previous record's digests are null"),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_directory_fsync_opens_the_directory_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    // A file in an existing directory, and a bare name (the current directory).
    sync_parent(&dir.path().join("journal.jsonl")).unwrap();
    sync_parent(Path::new("journal.jsonl")).unwrap();
    // A directory that does not exist cannot be synced: an error, never a silent success.
    assert!(sync_parent(&dir.path().join("missing/journal.jsonl")).is_err());
}

#[test]
fn a_step_that_ends_before_it_starts_is_refused_with_its_line_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::create(&path, "cap").unwrap();
    j.append(common::note("one")).unwrap();
    j.append(common::note("two")).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut bad = common::note("three");
    bad.started = webproof_evidence::Utc::parse("2030-01-01T00:00:00.000000Z").unwrap();
    match j.append(bad) {
        Err(JournalError::Chain {
            line: 3,
            source: ChainError::Time { seq: 2 },
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The journal goes on from where it was.
    let (r, _) = j.append(common::note("three")).unwrap();
    assert_eq!(r.seq, 2);
}
