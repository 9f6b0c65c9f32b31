//! `cargo bench -p webproof-log --bench http`
//!
//! The evidence log over HTTP on loopback, server and clients on this machine (so they share
//! its cores): every deposit a canonical `Deposit`, acknowledged only once durable with the
//! signed promise of its commit group.
//!
//! 1. Throughput: 8 clients posting `POST /add-batch` of 1,000 deposits each, back to back.
//! 2. Throughput: 64 clients posting single deposits (`POST /add`), back to back.
//! 3. Latency at a fixed offered load of single deposits (default 20,000/s, open loop: a request
//!    is due every 50 µs whether or not earlier ones were answered; latency counts from when it
//!    was due, so a stalled server is not hidden).
//!
//! Environment: `SECS` per phase (default 5), `RATE` for phase 3.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use webproof_ledger::deposit::Deposit;
use webproof_ledger::note::{ALG_ED25519, NoteSigner};
use webproof_log::server::LogService;

/// Deposit `n`, written straight into its canonical form (the clients share the server's two
/// cores, so they should cost little); `main` checks it equals `Deposit::to_bytes`.
fn deposit(n: u64) -> Vec<u8> {
    format!(
        "{{\"claimed_time\":\"2026-11-23T12:00:00.000000Z\",\"label\":\"BENCH\",\"operator\":\"{}\",\"package\":\"bench-{n}\",\"sha256\":\"{n:016x}{}\",\"sm3\":\"{}\",\"v\":1}}",
        "07".repeat(32),
        "0".repeat(48),
        "5a".repeat(32)
    )
    .into_bytes()
}

fn deposit_checked(n: u64) -> Vec<u8> {
    Deposit {
        v: 1,
        sha256: format!("{n:016x}{}", "0".repeat(48)),
        sm3: "5a".repeat(32),
        package: format!("bench-{n}"),
        operator: "07".repeat(32),
        claimed_time: "2026-11-23T12:00:00.000000Z".into(),
        label: Some("BENCH".into()),
        label_commitment: None,
    }
    .to_bytes()
    .unwrap()
}

/// One deposit, `POST /add`, which must be acknowledged.
async fn add(http: &reqwest::Client, base: &str, d: Vec<u8>) {
    let r = http
        .post(format!("{base}/add"))
        .body(d)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap();
}

fn pct(lat: &mut [Duration], q: f64) -> f64 {
    lat.sort();
    lat[((lat.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e3
}

fn main() {
    assert_eq!(deposit(12345), deposit_checked(12345));
    let secs = common::env("SECS", 5);
    let rate = common::env("RATE", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let rt = common::runtime();
    let signer = NoteSigner::new(
        "log.bench/evidence",
        ALG_ED25519,
        SigningKey::from_bytes(&[1; 32]),
    )
    .unwrap();
    let svc = LogService::open(dir.path(), signer, vec![], 0).unwrap();
    // The server on its own runtime, the clients on another.
    let (_server, base) = common::serve(&svc);
    let http = common::client();
    let next = Arc::new(AtomicU64::new(0));

    // 1. Batches.
    let (clients, batch) = (8u64, 1000u64);
    let (n, s) = common::closed_loop(&rt, clients, secs, {
        let (http, base, next) = (http.clone(), base.clone(), next.clone());
        move || {
            let (http, base, next) = (http.clone(), base.clone(), next.clone());
            async move {
                let first = next.fetch_add(batch, Ordering::Relaxed);
                let body: Vec<u8> = (first..first + batch)
                    .map(deposit)
                    .collect::<Vec<_>>()
                    .join(&b'\n');
                let r = http
                    .post(format!("{base}/add-batch"))
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let ack: webproof_ledger::receipt::BatchAck =
                    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
                assert_eq!(ack.proofs.len() as u64, batch);
                batch
            }
        }
    });
    println!(
        "batches: {n} durable deposits in {s:.2} s over HTTP ({clients} clients x {batch} per request): {:.0} deposits/s",
        n as f64 / s
    );

    // 2. Single deposits, closed loop.
    let clients = 64u64;
    let (n, s) = common::closed_loop(&rt, clients, secs, {
        let (http, base, next) = (http.clone(), base.clone(), next.clone());
        move || {
            let (http, base, next) = (http.clone(), base.clone(), next.clone());
            async move {
                add(&http, &base, deposit(next.fetch_add(1, Ordering::Relaxed))).await;
                1
            }
        }
    });
    println!(
        "single: {n} durable deposits in {s:.2} s over HTTP ({clients} clients, one per request): {:.0} deposits/s",
        n as f64 / s
    );

    // 3. Fixed offered load, open loop (at most 512 connections; a request waiting for one
    // still counts its latency from when it was due).
    let total = rate * secs;
    let every = Duration::from_secs_f64(1.0 / rate as f64);
    let conns = Arc::new(tokio::sync::Semaphore::new(512));
    let t0 = Instant::now();
    let lat = rt.block_on(async {
        let mut tasks = Vec::with_capacity(total as usize);
        for i in 0..total {
            let due = t0 + every.mul_f64(i as f64);
            tokio::time::sleep_until(due.into()).await;
            let (http, base, conns) = (http.clone(), base.clone(), conns.clone());
            let d = deposit(next.fetch_add(1, Ordering::Relaxed));
            tasks.push(tokio::spawn(async move {
                let _permit = conns.acquire().await.unwrap();
                add(&http, &base, d).await;
                due.elapsed()
            }));
        }
        let mut lat = Vec::with_capacity(tasks.len());
        for t in tasks {
            lat.push(t.await.unwrap());
        }
        lat
    });
    let s = t0.elapsed().as_secs_f64();
    let mut lat = lat;
    println!(
        "offered {rate}/s of single deposits for {secs} s: {} acknowledged in {s:.2} s ({:.0}/s); ack latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        lat.len() as f64 / s,
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99),
        pct(&mut lat, 1.0)
    );
    assert_eq!(svc.store().size().unwrap(), next.load(Ordering::Relaxed));
}
