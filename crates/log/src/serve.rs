//! Serving a router the way a service open to the network must: HTTP/1.1 with a timeout for
//! each request's headers (which is also the idle timeout of a kept-alive connection, since
//! hyper starts it whenever it waits for a request), a timeout for the whole request (a body
//! sent slowly included), and a cap on open connections. A connection past the cap is closed
//! at once instead of waiting in the accept queue, so a flood of half-open connections neither
//! exhausts the process's file descriptors nor delays the clients that complete their requests.
//! The log, the witness and the development TSA all serve through here.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What a server holds open, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Time to send a request's headers, and the most a kept-alive connection stays idle.
    pub header_timeout: Duration,
    /// Time from the headers to the end of the answer (reading the body included).
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Raises this process's soft limit on open files to at least `want` (within the hard
/// limit), so that the connection cap, not the descriptor limit, is what refuses connections.
/// (Windows has no such limit.)
pub fn raise_open_files(want: u64) {
    #[cfg(unix)]
    if let Ok((soft, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE)
        && soft < want
    {
        let _ = rlimit::setrlimit(rlimit::Resource::NOFILE, want.min(hard), hard);
    }
    #[cfg(not(unix))]
    let _ = want;
}

/// Serves `app` on `listener` under `limits` until the listener fails for good.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
) -> std::io::Result<()> {
    raise_open_files(limits.max_connections as u64 + 512);
    let timeout = limits.request_timeout;
    let app = app.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            use axum::response::IntoResponse;
            match tokio::time::timeout(timeout, next.run(req)).await {
                Ok(r) => r,
                Err(_) => (
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    "the request took too long to arrive\n",
                )
                    .into_response(),
            }
        },
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            // Out of descriptors or memory for a moment: let connections finish, then go on.
            Err(e) if is_transient(&e) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let svc = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc);
            let _ = conn.await;
            drop(slot);
        });
    }
}

fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionAborted | K::ConnectionReset | K::Interrupted | K::WouldBlock
    ) || matches!(
        e.raw_os_error(),
        // ENFILE, EMFILE (out of descriptors), ENOMEM, ENOBUFS.
        Some(23 | 24 | 12 | 105)
    )
}
