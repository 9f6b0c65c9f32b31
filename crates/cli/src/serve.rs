//! Serving an HTTP app until killed (`tsa serve`, `log serve`, `witness serve`).

use crate::say::tr;

use anyhow::{Context, Result};
use std::process::ExitCode;

/// Serves `app` on `listen` until killed, first printing `banner(address)` (the address is
/// the real one when the port was 0), flushed so a supervisor can read it.
pub(crate) fn serve_http(
    listen: &str,
    app: axum::Router,
    banner: impl FnOnce(std::net::SocketAddr) -> String,
) -> Result<ExitCode> {
    serve_http_with(listen, app, || {}, banner)
}

/// [`serve_http`], running `start` inside the runtime first (background tasks).
pub(crate) fn serve_http_with(
    listen: &str,
    app: axum::Router,
    start: impl FnOnce(),
    banner: impl FnOnce(std::net::SocketAddr) -> String,
) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        start();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| tr!("ctx-listening", addr = listen))?;
        // A supervisor may stop reading after the lines it needs: a closed stdout is no
        // reason to stop serving.
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", banner(listener.local_addr()?));
        let _ = out.flush();
        // Header, request and idle timeouts and a connection cap (webproof_log::serve).
        webproof_log::serve::serve(listener, app, webproof_log::serve::Limits::default())
            .await
            .context(tr!("ctx-serving"))?;
        Ok(ExitCode::SUCCESS)
    })
}
