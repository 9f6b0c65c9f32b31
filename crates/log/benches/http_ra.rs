//! `cargo bench -p webproof-log --bench http_ra`
//!
//! The evidence log with access control on (`--admin-key`): an operator is enrolled through
//! the registration authority over HTTP, then deposits as `benches/http.rs` does, every request
//! signed (Ed25519) and its signature, freshness and replay checked by the log, the operator's
//! rate charged. Server and clients share this machine's cores.
//!
//! 1. 8 clients posting signed `POST /add-batch` of 1,000 deposits each, back to back.
//! 2. 64 clients posting signed single deposits, back to back.
//!
//! Environment: `SECS` per phase (default 5).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ed25519_dalek::SigningKey;
use webproof_evidence::identity::{Algorithm, SecretKey};
use webproof_ledger::auth;
use webproof_ledger::note::{ALG_ED25519, NoteSigner};
use webproof_log::server::{Access, LogService};

const ORIGIN: &str = "log.bench/ra";

fn deposit(operator: &str, n: u64) -> Vec<u8> {
    format!(
        "{{\"claimed_time\":\"2026-11-23T12:00:00.000000Z\",\"operator\":\"{operator}\",\"package\":\"bench-{n}\",\"sha256\":\"{n:016x}{}\",\"sm3\":\"{}\",\"v\":1}}",
        "0".repeat(48),
        "5a".repeat(32)
    )
    .into_bytes()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The signature header for `body` at `path`; `nonce` makes every request's time+body unique.
fn sign(key: &SecretKey, fpr: &str, path: &str, body: &[u8]) -> String {
    let t = now();
    let sig = key
        .sign(&auth::request_message(ORIGIN, "POST", path, t, body))
        .unwrap();
    auth::header_value(fpr, t, &sig)
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    body: Vec<u8>,
    key: &SecretKey,
    fpr: &str,
) -> (u16, String) {
    let h = sign(key, fpr, path, &body);
    let r = http
        .post(format!("{base}{path}"))
        .header(auth::HEADER, h)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn main() {
    let secs = common::env("SECS", 5);
    let dir = tempfile::tempdir().unwrap();
    let signer = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[1; 32])).unwrap();
    let admin = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let registrar = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let operator = Arc::new(SecretKey::generate(Algorithm::Ed25519).unwrap());
    let fpr_of = |k: &SecretKey| k.public_key().fingerprint().unwrap().to_hex();
    let op = fpr_of(&operator);
    let svc = LogService::open_with(
        dir.path(),
        signer,
        vec![],
        0,
        Access {
            admins: vec![admin.public_key()],
            rate: 10_000_000,
        },
    )
    .unwrap();
    let (_server, base) = common::serve(&svc);
    let rt = common::runtime();
    let http = common::client();
    // Enrollment through the RA, as people do it.
    rt.block_on(async {
        let reg = serde_json::json!({"name": "bench registrar", "public_key": registrar.public_key().to_pem().unwrap()});
        let (c, b) = post(&http, &base, "/ra/registrars", serde_json::to_vec(&reg).unwrap(), &admin, &fpr_of(&admin)).await;
        assert_eq!(c, 200, "{b}");
        let req = serde_json::json!({"name": "Bench Operator", "tenant": "bench", "fingerprint": op});
        let (c, b) = post(&http, &base, "/ra/codes", serde_json::to_vec(&req).unwrap(), &registrar, &fpr_of(&registrar)).await;
        assert_eq!(c, 200, "{b}");
        let code: serde_json::Value = serde_json::from_str(&b).unwrap();
        let enroll = serde_json::json!({"code": code["code"], "public_key": operator.public_key().to_pem().unwrap()});
        let (c, b) = post(&http, &base, "/ra/enroll", serde_json::to_vec(&enroll).unwrap(), &operator, &op).await;
        assert_eq!(c, 200, "{b}");
    });
    let next = Arc::new(AtomicU64::new(0));

    for (label, clients, batch) in [
        ("signed batches", 8u64, 1000u64),
        ("signed single deposits", 64, 1),
    ] {
        let (n, s) = common::closed_loop(&rt, clients, secs, {
            let (http, base, next, key, op) = (
                http.clone(),
                base.clone(),
                next.clone(),
                operator.clone(),
                op.clone(),
            );
            move || {
                let (http, base, next, key, op) = (
                    http.clone(),
                    base.clone(),
                    next.clone(),
                    key.clone(),
                    op.clone(),
                );
                async move {
                    let first = next.fetch_add(batch, Ordering::Relaxed);
                    let (path, body) = if batch == 1 {
                        ("/add", deposit(&op, first))
                    } else {
                        let b: Vec<Vec<u8>> =
                            (first..first + batch).map(|n| deposit(&op, n)).collect();
                        ("/add-batch", b.join(&b'\n'))
                    };
                    let (c, b) = post(&http, &base, path, body, &key, &op).await;
                    assert_eq!(c, 200, "{b}");
                    batch
                }
            }
        });
        println!(
            "{label}: {n} durable deposits in {s:.2} s ({clients} clients x {batch} per request, access control on): {:.0} deposits/s",
            n as f64 / s
        );
    }
}
