//! Asking the loopback alliance's log whether a chain head was deposited: a sealed package's
//! final head is proven (entry, witnessed checkpoint, inclusion proof, checked offline under
//! the alliance's keys); an unknown head is not deposited; under another log key the answer
//! is refuted, not believed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::time::Duration;

use common::*;
use webproof_engine::lookup::{Found, lookup};
use webproof_ledger::note::NoteKey;
use webproof_ledger::witness::DepositProofError;
use webproof_net::LogClient;

#[test]
fn a_sealed_head_is_proven_an_unknown_one_is_not_and_another_key_refutes() {
    let a = Alliance::start();
    let t = tempfile::tempdir().unwrap();
    let (_, _, head) = sealed(&a, t.path(), "one.wacz", true);
    let client = LogClient::new(&a.log_url, Duration::from_secs(10)).unwrap();
    let sha256 = head.sha256.to_hex();
    match a.rt.block_on(lookup(&client, &sha256, &a.trust)).unwrap() {
        Found::Proven {
            index,
            size,
            deposit,
            cosigners,
        } => {
            assert!(index < size);
            assert_eq!(deposit.sha256, sha256);
            assert_eq!(deposit.sm3, head.sm3.to_hex());
            assert!(!cosigners.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let unknown = "ab".repeat(32);
    let found = a.rt.block_on(lookup(&client, &unknown, &a.trust)).unwrap();
    assert!(matches!(found, Found::NotDeposited), "{found:?}");
    // The same answers checked under a key that is not the log's: refuted.
    let mut other = a.trust.clone();
    let genuine: &NoteKey = &other.logs[0];
    let forged = webproof_ledger::note::NoteSigner::new(
        &genuine.name,
        webproof_ledger::note::ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[77; 32]),
    )
    .unwrap();
    other.logs = vec![forged.key.clone()];
    match a.rt.block_on(lookup(&client, &sha256, &other)).unwrap() {
        Found::Refuted { error, .. } => {
            assert!(matches!(error, DepositProofError::Checkpoint(_)), "{error}")
        }
        other => panic!("{other:?}"),
    }
}
