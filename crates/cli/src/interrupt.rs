//! SIGINT, SIGTERM and SIGHUP during a capture. The first one asks the capture to stop: the
//! step under way is abandoned, the recording, network archive and browser are ended in
//! order, the interruption is journaled in plain words and what was captured is sealed (the
//! package then verifies as interrupted). A second one stops at once: every child process
//! group is killed and the capture directory is left for `webproof captures resume`, whose
//! command is printed.
//!
//! The browser's children run in process groups of their own (webproof_browser::group), so
//! Ctrl-C at the terminal reaches webproof alone and nothing dies mid-write.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use tokio::sync::watch;

use crate::say::tr;

/// A signal that asks webproof to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    Int,
    Term,
    Hup,
}

impl Signal {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
            Signal::Hup => "SIGHUP",
        }
    }

    /// The shell's convention: 128 + the signal's number.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Signal::Int => 130,
            Signal::Term => 143,
            Signal::Hup => 129,
        }
    }

    /// Why the capture stopped, in the words the evidence records (English, like every
    /// recorded reason).
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Signal::Int => "the operator pressed Ctrl-C (SIGINT)",
            Signal::Term => {
                "webproof was asked to stop (SIGTERM), e.g. by the system or another program"
            }
            Signal::Hup => "the terminal webproof ran in was closed (SIGHUP)",
        }
    }
}

/// Listens for the signals from the moment it is made until the process ends.
pub(crate) struct Stop {
    rx: watch::Receiver<Option<Signal>>,
    /// The engine's stop, told why in the evidence's words.
    engine: webproof_engine::capture::Stop,
    /// The capture directory and package, once there is a directory to resume.
    resumable: Arc<Mutex<Option<(PathBuf, PathBuf)>>>,
}

impl Stop {
    /// Takes over SIGINT, SIGTERM and SIGHUP (their default, dying on the spot, would leave
    /// the children running and nothing sealed).
    pub(crate) fn install(
        rt: &tokio::runtime::Runtime,
        output: crate::output::Output,
    ) -> Result<Stop> {
        use tokio::signal::unix::{SignalKind, signal};
        let _in_runtime = rt.enter();
        let listen = |kind| signal(kind).context(tr!("ctx-signals"));
        let mut int = listen(SignalKind::interrupt())?;
        let mut term = listen(SignalKind::terminate())?;
        let mut hup = listen(SignalKind::hangup())?;
        let (tx, rx) = watch::channel(None);
        let (engine_tx, engine) = webproof_engine::capture::Stop::channel();
        let resumable: Arc<Mutex<Option<(PathBuf, PathBuf)>>> = Arc::default();
        let resume = resumable.clone();
        rt.spawn(async move {
            let mut asked = false;
            loop {
                let sig = tokio::select! {
                    Some(()) = int.recv() => Signal::Int,
                    Some(()) = term.recv() => Signal::Term,
                    Some(()) = hup.recv() => Signal::Hup,
                    else => return,
                };
                if !asked {
                    asked = true;
                    let said = tr!("cli-stopping", signal = sig.name());
                    output.line(&said);
                    let _ = tx.send(Some(sig));
                    let _ = engine_tx.send(Some(sig.reason().to_owned()));
                    continue;
                }
                // Asked twice: stop now. The journal is safe on disk step by step.
                webproof_browser::group::stop_all();
                match resume.lock().ok().and_then(|r| r.clone()) {
                    Some((dir, out)) => eprintln!(
                        "{}",
                        tr!(
                            "cli-stopped-at-once",
                            signal = sig.name(),
                            dir = dir.display(),
                            out = out.display()
                        )
                    ),
                    None => eprintln!("{}", tr!("cli-stopped-nothing", signal = sig.name())),
                }
                std::process::exit(i32::from(sig.exit_code()));
            }
        });
        Ok(Stop {
            rx,
            engine,
            resumable,
        })
    }

    /// The signal received, if any.
    pub(crate) fn requested(&self) -> Option<Signal> {
        *self.rx.borrow()
    }

    /// The engine's stop, asked for on the first signal.
    pub(crate) fn engine(&self) -> &webproof_engine::capture::Stop {
        &self.engine
    }

    /// From now on, a second signal names `dir` as resumable into `out`.
    pub(crate) fn resumable(&self, dir: &Path, out: &Path) {
        if let Ok(mut r) = self.resumable.lock() {
            *r = Some((dir.to_owned(), out.to_owned()));
        }
    }
}
