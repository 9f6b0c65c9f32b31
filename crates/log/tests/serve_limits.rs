//! A log that holds under a slow-loris flood: 1,000 connections that send half a request and
//! then nothing, while a normal client's deposit is still acknowledged within a second; the
//! half-open connections are closed when their header time runs out; past the connection cap,
//! new connections are closed at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::deposit;

use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webproof_ledger::note::{ALG_ED25519, NoteSigner};
use webproof_log::serve::{Limits, raise_open_files, serve};
use webproof_log::server::LogService;

async fn start(limits: Limits) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::new(
        "log.webproof.test/limits",
        ALG_ED25519,
        SigningKey::from_bytes(&[3; 32]),
    )
    .unwrap();
    let svc = LogService::open(dir.path(), log, Vec::new(), 0).unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let app = svc.router();
    tokio::spawn(async move { serve(l, app, limits).await.unwrap() });
    (addr, dir)
}

/// Whether the server has closed `s` (reads end or fail) within `within`.
async fn closed(s: &mut TcpStream, within: Duration) -> bool {
    let mut b = [0u8; 64];
    match tokio::time::timeout(within, s.read(&mut b)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        // An answer (e.g. 408) and then the close also counts.
        Ok(Ok(_)) => matches!(
            tokio::time::timeout(within, s.read(&mut b)).await,
            Ok(Ok(0)) | Ok(Err(_))
        ),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_half_open_connections_do_not_delay_a_deposit() {
    raise_open_files(4096);
    let limits = Limits {
        max_connections: 2048,
        header_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(5),
    };
    let (addr, _dir) = start(limits).await;
    let mut loris = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /add HTTP/1.1\r\nHost: log\r\nContent-Len")
            .await
            .unwrap();
        loris.push(s);
    }
    let opened = Instant::now();
    // A normal client is served at once.
    let http = reqwest::Client::new();
    let t0 = Instant::now();
    let r = http
        .post(format!("http://{addr}/add"))
        .body(deposit(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap();
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(1), "acknowledged after {took:?}");
    // The half-open connections are closed once their header time is up, not kept forever.
    let mut still_open = 0;
    for s in loris.iter_mut() {
        let left = (opened + Duration::from_secs(6)).saturating_duration_since(Instant::now());
        if !closed(s, left.max(Duration::from_millis(10))).await {
            still_open += 1;
        }
    }
    assert_eq!(
        still_open, 0,
        "half-open connections kept past the header timeout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_and_connections_past_the_cap_are_cut_off() {
    let limits = Limits {
        max_connections: 8,
        header_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
    };
    let (addr, _dir) = start(limits).await;
    // A body that never finishes: answered 408 and closed after the request time.
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST /add HTTP/1.1\r\nHost: log\r\nContent-Length: 1000\r\n\r\n{")
        .await
        .unwrap();
    let t0 = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(t0.elapsed() < Duration::from_secs(4));
    drop(slow);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Eight idle connections fill the cap; the ninth is closed at once.
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ninth = TcpStream::connect(&addr).await.unwrap();
    assert!(closed(&mut ninth, Duration::from_millis(500)).await);
    // Once the idle ones time out, the server takes connections again.
    drop(idle);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/add"))
        .body(deposit(2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
