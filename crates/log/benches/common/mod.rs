//! What the HTTP benchmarks share: the log served on its own runtime (two workers, as
//! `webproof log serve` runs it), a client runtime and connection pool, and the closed-loop
//! driver (clients posting back to back for a while).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use webproof_log::server::LogService;

/// A multi-threaded runtime of two workers (this machine has two cores).
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Serves `svc` on loopback from a runtime of its own, as `webproof log serve` does; that
/// runtime (keep it) and the base URL.
pub fn serve(svc: &Arc<LogService>) -> (Runtime, String) {
    let server = runtime();
    let base = server.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let app = svc.router();
        // The same serving loop as `webproof log serve` (timeouts, connection cap).
        tokio::spawn(async move {
            webproof_log::serve::serve(l, app, webproof_log::serve::Limits::default())
                .await
                .unwrap()
        });
        base
    });
    (server, base)
}

/// A connection pool large enough for every client.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap()
}

/// An environment variable as a number, else `default`.
pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// An environment variable as a fraction in (0, 1], else `default`.
pub fn fraction(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|f: &f64| *f > 0.0 && *f <= 1.0)
        .unwrap_or(default)
}

/// `clients` tasks on `rt`, each running `request` back to back for `secs` seconds; `request`
/// returns how many deposits its answer acknowledged. The deposits acknowledged and the
/// seconds it took.
pub fn closed_loop<F, Fut>(rt: &Runtime, clients: u64, secs: u64, request: F) -> (u64, f64)
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = u64> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let stop = t0 + Duration::from_secs(secs);
    rt.block_on(async {
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let (request, done) = (request.clone(), done.clone());
                tokio::spawn(async move {
                    while Instant::now() < stop {
                        done.fetch_add(request().await, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    (done.load(Ordering::Relaxed), t0.elapsed().as_secs_f64())
}

/// Deposit `n`, written straight into its canonical form (the clients share the server's two
/// cores, so they should cost little); [`deposit_is_canonical`] checks it equals
/// `Deposit::to_bytes`.
pub fn deposit(n: u64) -> Vec<u8> {
    format!(
        "{{\"claimed_time\":\"2026-11-23T12:00:00.000000Z\",\"label\":\"BENCH\",\"operator\":\"{}\",\"package\":\"bench-{n}\",\"sha256\":\"{n:016x}{}\",\"sm3\":\"{}\",\"v\":1}}",
        "07".repeat(32),
        "0".repeat(48),
        "5a".repeat(32)
    )
    .into_bytes()
}

/// Panics unless [`deposit`] writes what `Deposit::to_bytes` would.
pub fn deposit_is_canonical() {
    let n = 12345u64;
    let d = webproof_ledger::deposit::Deposit {
        v: 1,
        sha256: format!("{n:016x}{}", "0".repeat(48)),
        sm3: "5a".repeat(32),
        package: format!("bench-{n}"),
        operator: "07".repeat(32),
        claimed_time: "2026-11-23T12:00:00.000000Z".into(),
        label: Some("BENCH".into()),
        label_commitment: None,
        files: Vec::new(),
    };
    assert_eq!(deposit(n), d.to_bytes().unwrap());
}

/// The `q` quantile of `lat`, in milliseconds.
pub fn pct(lat: &mut [Duration], q: f64) -> f64 {
    lat.sort();
    lat[((lat.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e3
}

/// Clients depositing into one log served by one or more frontends (`bases`), spread over
/// them in turn as a load balancer would; deposits are numbered by `next`.
#[derive(Clone)]
pub struct Load {
    pub http: reqwest::Client,
    pub bases: Arc<Vec<String>>,
    pub next: Arc<AtomicU64>,
    turn: Arc<AtomicU64>,
}

impl Load {
    pub fn new(bases: Vec<String>) -> Load {
        Load {
            http: client(),
            bases: Arc::new(bases),
            next: Arc::new(AtomicU64::new(0)),
            turn: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The next frontend's base URL.
    fn base(&self) -> &str {
        let i = self.turn.fetch_add(1, Ordering::Relaxed) as usize;
        &self.bases[i % self.bases.len()]
    }

    /// One deposit, `POST /add`, which must be acknowledged.
    pub async fn add(&self) {
        let d = deposit(self.next.fetch_add(1, Ordering::Relaxed));
        let r = self
            .http
            .post(format!("{}/add", self.base()))
            .body(d)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    }

    /// One `POST /add-batch` of `batch` deposits, each of which must be acknowledged.
    pub async fn add_batch(&self, batch: u64) {
        let first = self.next.fetch_add(batch, Ordering::Relaxed);
        let body: Vec<u8> = (first..first + batch)
            .map(deposit)
            .collect::<Vec<_>>()
            .join(&b'\n');
        let r = self
            .http
            .post(format!("{}/add-batch", self.base()))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let ack: webproof_ledger::receipt::BatchAck =
            serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(ack.proofs.len() as u64, batch);
    }

    /// `clients` posting batches of `batch` back to back for `secs`: durable deposits/s.
    pub fn batches(&self, rt: &Runtime, clients: u64, batch: u64, secs: u64) -> f64 {
        let (n, s) = closed_loop(rt, clients, secs, {
            let load = self.clone();
            move || {
                let load = load.clone();
                async move {
                    load.add_batch(batch).await;
                    batch
                }
            }
        });
        n as f64 / s
    }

    /// `clients` posting single deposits back to back for `secs`: durable deposits/s.
    pub fn singles(&self, rt: &Runtime, clients: u64, secs: u64) -> f64 {
        let (n, s) = closed_loop(rt, clients, secs, {
            let load = self.clone();
            move || {
                let load = load.clone();
                async move {
                    load.add().await;
                    1
                }
            }
        });
        n as f64 / s
    }

    /// Single deposits offered at `rate` per second for `secs`, open loop: a request is due
    /// every 1/rate s whether or not earlier ones were answered, and its latency counts from
    /// when it was due, so a stalled server is not hidden (at most 512 connections; a request
    /// waiting for one still counts from when it was due). The rate achieved and every
    /// latency.
    pub fn open_loop(&self, rt: &Runtime, rate: f64, secs: u64) -> (f64, Vec<Duration>) {
        let total = (rate * secs as f64) as u64;
        let every = Duration::from_secs_f64(1.0 / rate);
        let conns = Arc::new(tokio::sync::Semaphore::new(512));
        let t0 = Instant::now();
        let lat = rt.block_on(async {
            let mut tasks = Vec::with_capacity(total as usize);
            for i in 0..total {
                let due = t0 + every.mul_f64(i as f64);
                tokio::time::sleep_until(due.into()).await;
                let (load, conns) = (self.clone(), conns.clone());
                tasks.push(tokio::spawn(async move {
                    let _permit = conns.acquire().await.unwrap();
                    load.add().await;
                    due.elapsed()
                }));
            }
            let mut lat = Vec::with_capacity(tasks.len());
            for t in tasks {
                lat.push(t.await.unwrap());
            }
            lat
        });
        (lat.len() as f64 / t0.elapsed().as_secs_f64(), lat)
    }
}

/// The three phases every log benchmark reports for one deployment, printed as one line each
/// under `name`: batches of 1,000 (8 clients), single deposits (64 clients), and single
/// deposits offered open loop at `load` (a fraction) of the single-deposit capacity just
/// measured, with its acknowledgement latency. The batched and single rates.
pub fn phases(name: &str, load: &Load, rt: &Runtime, secs: u64, fraction: f64) -> (f64, f64) {
    let (clients, batch) = (8, 1000);
    let batched = load.batches(rt, clients, batch, secs);
    println!(
        "{name}: batches: {batched:.0} durable deposits/s ({clients} clients x {batch} per request)"
    );
    let clients = 64;
    let single = load.singles(rt, clients, secs);
    println!("{name}: single: {single:.0} durable deposits/s ({clients} clients, one per request)");
    let rate = single * fraction;
    let (achieved, mut lat) = load.open_loop(rt, rate, secs);
    println!(
        "{name}: offered {rate:.0}/s ({fraction:.2} of the single-deposit capacity) for {secs} s: {achieved:.0}/s acknowledged; ack latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99),
        pct(&mut lat, 1.0)
    );
    (batched, single)
}
