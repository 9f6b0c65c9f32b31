//! `webproof capture`'s arguments: the same on every system, so that webproof.exe (which does
//! not capture) says so instead of not knowing the command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

/// `webproof capture`, on Linux.
#[cfg(unix)]
pub fn capture(a: CaptureArgs) -> Result<ExitCode> {
    crate::capture_cmd::capture(a)
}

/// `webproof capture` where webproof does not capture (webproof.exe): says so.
#[cfg(not(unix))]
pub fn capture(_: CaptureArgs) -> Result<ExitCode> {
    anyhow::bail!(crate::say::tr!("cli-capture-linux-only"))
}

#[derive(Args)]
pub struct CaptureArgs {
    /// The page to capture.
    pub(crate) url: String,
    /// Package to write (.wacz).
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    /// Run Chromium headless instead of in webproof's private Xvfb display (the session is
    /// then recorded from the DevTools screencast).
    #[arg(long, conflicts_with = "manual")]
    pub(crate) headless: bool,
    /// You drive the browser: it opens on your screen (DISPLAY, or --display) and every
    /// navigation, click, field edit, download and tab change is recorded as a step until you
    /// type `q` (or close the browser).
    #[arg(long, conflicts_with = "profile")]
    pub(crate) manual: bool,
    /// X display for the browser in manual mode (default: $DISPLAY).
    #[arg(long)]
    pub(crate) display: Option<String>,
    /// Case or matter identifier (recorded in the seal step and the manifest).
    #[arg(long)]
    pub(crate) case: Option<String>,
    /// A note recorded as a `note` step and in the manifest.
    #[arg(long)]
    pub(crate) note: Option<String>,
    /// WEBPROOF_HOME of a supervising notary, who countersigns (passphrase from WEBPROOF_NOTARY_PASSPHRASE).
    #[arg(long)]
    pub(crate) notary_home: Option<PathBuf>,
    /// Capture profile: a shipped name (`webproof profiles list`) or a .toml file. Default: the
    /// profile whose URL patterns match, else `generic`.
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// Capture even though the environment check fails; the reason is recorded in step 0.
    #[arg(long, value_name = "REASON")]
    pub(crate) override_env: Option<String>,
    /// A DNS server (IP or IP:PORT) to ask for the target host in step 0 besides the system
    /// resolver. Repeatable.
    #[arg(long = "resolver", value_name = "IP[:PORT]", value_parser = crate::env_cmd::parse_resolver)]
    pub(crate) resolvers: Vec<std::net::SocketAddr>,
    /// Screen-recording segment length in seconds.
    #[arg(long, default_value_t = 60)]
    pub(crate) segment_secs: u32,
    /// Do not record the screen.
    #[arg(long)]
    pub(crate) no_video: bool,
    /// The Chromium to capture with.
    #[arg(long, default_value = "/usr/bin/chromium")]
    pub(crate) chromium: PathBuf,
    /// The chromedriver that drives it.
    #[arg(long, default_value = "/usr/bin/chromedriver")]
    pub(crate) chromedriver: PathBuf,
    /// Keep the capture directory after the package is written.
    #[arg(long)]
    pub(crate) keep_work: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// JSON lines on stdout as things happen (steps, trusted-time and log status, sealing
    /// phases, the result), for the desktop app; see docs/app-events.md. With --manual, the
    /// commands `s`, `n TEXT` and `q` are read from stdin as in the terminal.
    #[arg(long, conflicts_with = "json")]
    pub(crate) events: bool,
    #[command(flatten)]
    pub(crate) tsa: crate::stamping::TsaArgs,
    #[command(flatten)]
    pub(crate) log: crate::depositing::LogArgs,
    #[command(flatten)]
    pub(crate) report: crate::report_cmd::ReportOpts,
    #[command(flatten)]
    pub(crate) supervise: crate::supervise_cmd::SuperviseArgs,
    /// Stop the capture once it has written more than this many MiB (network archive,
    /// screenshots, downloads, recording); what was captured is sealed, with the reason.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_mb: Option<u64>,
    /// Stop the capture before it visits more than this many pages (navigations); what was
    /// captured is sealed, with the reason.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_pages: Option<u64>,
    /// Time-stamp the chain head after this many steps (besides at the start and at seal).
    #[arg(long, default_value_t = 25)]
    pub(crate) stamp_every: u64,
    /// …or after this many seconds, whichever comes first.
    #[arg(long, default_value_t = 60)]
    pub(crate) stamp_secs: u64,
}
