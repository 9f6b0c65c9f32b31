//! One `webproof capture --events` child, as batches and watches run them: each capture in
//! its own process (its own browser, display, recorder and work directory), so a crash takes
//! only that capture.

use crate::say::tr;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result};
use webproof_engine::events::Event;

/// What to capture, and how.
pub(crate) struct Capture<'a> {
    pub(crate) exe: &'a Path,
    pub(crate) url: &'a str,
    pub(crate) package: &'a Path,
    /// A profile's name, or `auto`: the profile whose URL patterns match.
    pub(crate) profile: &'a str,
    pub(crate) case: Option<&'a str>,
    /// More `webproof capture` arguments.
    pub(crate) extra: &'a [String],
    /// Variables the child gets (the operator's passphrase, a deposit relay).
    pub(crate) env: &'a [(String, String)],
    pub(crate) max_mb: Option<u64>,
}

/// How a capture child ended.
pub(crate) struct Ended {
    pub(crate) status: ExitStatus,
    /// The sealed chain head (SHA-256 hex), when the child said it.
    pub(crate) head: Option<String>,
    /// The error the child reported, else its last line on stderr.
    pub(crate) reason: String,
}

impl Ended {
    /// Exit 0, or 5: sealed, with trusted time or the log not delivered (said in the package).
    pub(crate) fn complete(&self) -> bool {
        matches!(self.status.code(), Some(0) | Some(5))
    }
}

impl Capture<'_> {
    /// Starts the child.
    pub(crate) fn spawn(&self) -> std::io::Result<std::process::Child> {
        let profile = match self.profile {
            "auto" => webproof_capture::profile::suggest(self.url),
            p => p,
        };
        let mut c = Command::new(self.exe);
        c.arg("capture")
            .arg(self.url)
            .arg("--out")
            .arg(self.package)
            .args(["--events", "--profile", profile])
            .args(self.extra)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(case) = self.case {
            c.args(["--case", case]);
        }
        if let Some(m) = self.max_mb {
            c.args(["--max-mb", &m.to_string()]);
        }
        c.spawn()
    }
}

/// Reads the child's events to its end and waits for it.
pub(crate) fn finish(mut child: std::process::Child) -> Result<Ended> {
    let err = child.stderr.take();
    let tail = std::thread::spawn(move || {
        let mut last = String::new();
        if let Some(e) = err {
            for l in BufReader::new(e).lines().map_while(Result::ok) {
                if !l.trim().is_empty() {
                    last = l;
                }
            }
        }
        last
    });
    let (mut head, mut error) = (None, None);
    if let Some(out) = child.stdout.take() {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            match Event::parse(&l) {
                Some(Event::Sealed(s)) => head = Some(s.chain_head.sha256.to_hex()),
                Some(Event::Error { message, .. }) => error = Some(message),
                _ => {}
            }
        }
    }
    let status = child.wait().context(tr!("cli-batch-worker"))?;
    let last = tail.join().unwrap_or_default();
    Ok(Ended {
        status,
        head,
        reason: error.unwrap_or(last),
    })
}
