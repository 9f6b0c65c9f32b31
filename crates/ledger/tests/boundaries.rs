//! The limits and edge values of the log's formats, tested at the boundary itself: a note of
//! exactly `MAX_NOTE` bytes and `MAX_SIGNATURES` signature lines is read, one more is refused;
//! the empty tree has RFC 9162's root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use webproof_ledger::merkle;
use webproof_ledger::note::{MAX_NOTE, MAX_SIGNATURES, Note, NoteError};
use webproof_ledger::tree::{self, MemNodes};

/// A note of `size` bytes (text padded with one long line) with `sigs` signature lines.
fn note(size: usize, sigs: usize) -> String {
    let sig = base64::engine::general_purpose::STANDARD.encode([7u8; 68]);
    let sig_lines: String = (0..sigs)
        .map(|i| format!("\u{2014} signer{i} {sig}\n"))
        .collect();
    let head = "webproof.test/log\n";
    let fixed = head.len() + 1 + 1 + sig_lines.len(); // the pad's newline, the blank line
    let pad = "a".repeat(size - fixed);
    let s = format!("{head}{pad}\n\n{sig_lines}");
    assert_eq!(s.len(), size);
    s
}

fn too(e: Result<Note, NoteError>, what: &str) {
    match e {
        Err(NoteError::Malformed(m)) => assert_eq!(m, what),
        other => panic!("expected {what:?}, got {other:?}"),
    }
}

#[test]
fn a_note_of_exactly_max_size_is_read_and_one_byte_more_is_refused() {
    assert_eq!(
        MAX_NOTE,
        64 * 1024,
        "the limit other readers of our notes rely on"
    );
    let n = Note::parse(&note(MAX_NOTE, 1)).unwrap();
    assert_eq!(n.sigs.len(), 1);
    too(Note::parse(&note(MAX_NOTE + 1, 1)), "too large");
}

#[test]
fn max_signatures_are_read_and_one_more_is_refused() {
    assert_eq!(MAX_SIGNATURES, 64);
    let n = Note::parse(&note(8 << 10, MAX_SIGNATURES)).unwrap();
    assert_eq!(n.sigs.len(), MAX_SIGNATURES);
    too(
        Note::parse(&note(8 << 10, MAX_SIGNATURES + 1)),
        "too many signatures",
    );
}

#[test]
fn the_empty_tree_has_the_hash_of_the_empty_string_as_its_root() {
    // RFC 9162 §2.1.1: MTH({}) = SHA-256().
    let sha256_empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(hex::encode(merkle::empty_root()), sha256_empty);
    assert_eq!(hex::encode(merkle::root(&[])), sha256_empty);
    let nodes = MemNodes::default();
    assert_eq!(nodes.size(), 0);
    assert_eq!(
        tree::root(&nodes, 0).map(hex::encode).as_deref(),
        Some(sha256_empty)
    );
    // And a tree of one leaf is that leaf's hash, not the empty root.
    let mut one = MemNodes::default();
    let leaf = merkle::leaf_hash(b"x");
    assert_eq!(one.push(leaf), 0);
    assert_eq!(tree::root(&one, 1), Some(leaf));
}
