//! What the log's HTTP tests share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use webproof_ledger::deposit::Deposit;

/// A canonical deposit of a made-up chain head, the `i`-th.
pub fn deposit(i: u8) -> Vec<u8> {
    Deposit {
        v: 1,
        sha256: hex::encode([i; 32]),
        sm3: hex::encode([i ^ 0x55; 32]),
        package: format!("capture-{i}"),
        operator: hex::encode([7u8; 32]),
        claimed_time: "2026-11-23T12:00:00Z".into(),
        label: None,
        label_commitment: None,
    }
    .to_bytes()
    .unwrap()
}
