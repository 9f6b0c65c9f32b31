//! The journal's and records' limits and error positions, tested at the boundary itself:
//! 2^53-1 is the largest integer a record holds; a journal line of exactly `MAX_LINE` bytes is
//! read (and judged by its content), one byte more is refused as too long; every error names
//! the line it is on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::note;

use webproof_evidence::canonical::MAX_SAFE_INTEGER;
use webproof_evidence::digest::digest_bytes;
use webproof_evidence::journal::{self, Journal, JournalError, MAX_LINE};
use webproof_evidence::record::{Artifact, RecordError};

/// A journal of three notes, as its bytes (each line ends in a newline).
fn three_lines() -> (Vec<u8>, Vec<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::create(&path, "cap").unwrap();
    for i in 0..3 {
        j.append(note(&format!("n{i}"))).unwrap();
    }
    drop(j);
    let bytes = std::fs::read(&path).unwrap();
    let lines = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    (bytes, lines)
}

fn joined(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.concat()
}

#[test]
fn integers_up_to_2_pow_53_minus_1_are_held_and_larger_ones_refused() {
    let (_, lines) = three_lines();
    let mut r = journal::parse(&lines[0]).unwrap().records.remove(0);
    // The number itself, not only the constant's name: 2^53 - 1.
    assert_eq!(MAX_SAFE_INTEGER, 9_007_199_254_740_991);
    r.seq = 9_007_199_254_740_991;
    assert!(r.canonical_bytes().is_ok());
    r.seq = 9_007_199_254_740_992;
    assert!(r.canonical_bytes().is_err());
    r.seq = MAX_SAFE_INTEGER;
    assert!(r.canonical_bytes().is_ok());
    r.seq = MAX_SAFE_INTEGER + 1;
    assert!(matches!(
        r.canonical_bytes(),
        Err(RecordError::IntegerTooLarge(n)) if n == MAX_SAFE_INTEGER + 1
    ));
    r.seq = 0;
    let d = digest_bytes(b"a");
    r.artifacts = vec![Artifact {
        path: "artifacts/a".into(),
        media_type: "application/octet-stream".into(),
        size: MAX_SAFE_INTEGER,
        sha256: d.sha256,
        sm3: d.sm3,
    }];
    assert!(r.canonical_bytes().is_ok());
    r.artifacts[0].size = MAX_SAFE_INTEGER + 1;
    assert!(matches!(
        r.canonical_bytes(),
        Err(RecordError::IntegerTooLarge(_))
    ));
}

#[test]
fn each_journal_error_names_its_line() {
    let (bytes, lines) = three_lines();
    assert_eq!(journal::parse(&bytes).unwrap().records.len(), 3);
    // Line 2 is not JSON.
    let mut l = lines.clone();
    l[1] = b"{not json\n".to_vec();
    assert!(matches!(
        journal::parse(&joined(&l)),
        Err(JournalError::Parse { line: 2, .. })
    ));
    // Line 3 is the same record, not in canonical form.
    let mut l = lines.clone();
    l[2] = [b" ".as_slice(), &lines[2]].concat();
    assert!(matches!(
        journal::parse(&joined(&l)),
        Err(JournalError::NotCanonical { line: 3 })
    ));
    // Lines 2 and 3 swapped: the chain breaks on line 2.
    let l = vec![lines[0].clone(), lines[2].clone(), lines[1].clone()];
    assert!(matches!(
        journal::parse(&joined(&l)),
        Err(JournalError::Chain { line: 2, .. })
    ));
}

#[test]
fn a_line_of_max_length_is_read_and_one_byte_more_is_too_long() {
    let (bytes, _) = three_lines();
    assert_eq!(MAX_LINE, 16 * 1024 * 1024, "the limit readers rely on");
    // Exactly MAX_LINE bytes (without its newline): read, and refused for what it says.
    let at_max = [bytes.clone(), vec![b'x'; MAX_LINE], b"\n".to_vec()].concat();
    assert!(matches!(
        journal::parse(&at_max),
        Err(JournalError::Parse { line: 4, .. })
    ));
    let over = [bytes, vec![b'x'; MAX_LINE + 1], b"\n".to_vec()].concat();
    assert!(matches!(
        journal::parse(&over),
        Err(JournalError::LineTooLong { line: 4 })
    ));
}
