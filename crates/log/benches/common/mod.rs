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
