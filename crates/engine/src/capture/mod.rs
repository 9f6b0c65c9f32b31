//! The capture session: step 0 (the environment), then the browser — a capture profile's
//! actions, then the operator's own hands when the session is manual — with the screen
//! recording and the network archive running, every step journaled as it completes and its
//! chain head stamped and deposited on a cadence. What it ends in is journaled too (an
//! interruption step when it did not complete); sealing is [`crate::seal::seal`]'s.
//!
//! The caller (the command line, the app) gives the [`Plan`], a [`Stop`] to ask the session
//! to end early, and for a manual session the operator's [`Command`]s; it hears what happens
//! through the [`Observer`].

mod browser;
mod journal;
mod limits;
mod manual;
mod step0;

pub use limits::Limits;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use webproof_browser::LaunchOptions;
use webproof_capture::environment::Finding;
use webproof_capture::{Action, BrowserError, SessionError};
use webproof_evidence::capture::{Capture, CaptureError};
use webproof_evidence::journal::Recovery;
use webproof_recorder::RecorderError;

use crate::AnchorError;
use crate::seal::Observer;
use crate::stamping::Stamper;

/// What a capture does.
pub struct Plan {
    /// The page to capture (an absolute http(s) URL; the caller checks it).
    pub url: String,
    /// What runs in the browser: a profile's actions (a manual session: navigating to `url`),
    /// then any note.
    pub actions: Vec<Action>,
    /// The values typed for a profile's `{{ask:…}}` placeholders: redacted from the network
    /// archive (they live only in memory for the session).
    pub asked: Vec<String>,
    /// A manual session: after the actions, the operator drives the browser and these
    /// commands (from a terminal or the app) take snapshots, add notes and end the session.
    pub manual: Option<mpsc::UnboundedReceiver<Command>>,
    pub launch: LaunchOptions,
    /// Screen-recording segment length in seconds; `None`: no recording.
    pub video: Option<u32>,
    /// The case, named in the network archive's warcinfo record.
    pub case: Option<String>,
    /// The capturing tool and its version ("webproof 0.1.0").
    pub tool: String,
    /// DNS servers asked for the target host in step 0 besides the system resolver.
    pub resolvers: Vec<SocketAddr>,
    /// Capture even though step 0 fails; the reason is recorded.
    pub override_env: Option<String>,
    /// The TSA asked for the time in step 0 (the clock finding), if any.
    pub clock_tsa: Option<String>,
    /// When the chain head is stamped and deposited between the start and the seal.
    pub cadence: Cadence,
    /// Called once step 0 is journaled, before the browser starts: what a supervising notary
    /// states there (their presence, docs/supervision.md), journaled by the caller into the
    /// capture; the steps it returns are observed like the others. An error stops the session
    /// there (what was journaled is kept).
    pub after_step0: Option<AfterStep0>,
    /// Called after each step of the browser session, once its checkpoint bookkeeping is
    /// done, with the step whose chain head a checkpoint was just started for (if one was):
    /// what a supervising notary countersigns as the session goes on (docs/supervision.md),
    /// journaled by the caller; the steps it returns are observed like the others. An error
    /// stops the session there (what was journaled is kept).
    pub between_steps: Option<BetweenSteps>,
    /// Where the capture stops by itself: a disk quota and a page count (the reason is
    /// journaled in the interruption step).
    pub limits: Limits,
}

/// See [`Plan::after_step0`].
pub type AfterStep0 = Box<
    dyn FnMut(&mut Capture) -> Result<Vec<webproof_evidence::StepRecord>, crate::seal::BoxError>
        + Send,
>;

/// See [`Plan::between_steps`].
pub type BetweenSteps = Box<
    dyn Fn(
            &mut Capture,
            Option<u64>,
        ) -> Result<Vec<webproof_evidence::StepRecord>, crate::seal::BoxError>
        + Send
        + Sync,
>;

/// Stamp (and deposit) the chain head after this many steps, or after this long, whichever
/// comes first (besides at the session's start and at seal).
#[derive(Clone, Copy, Debug)]
pub struct Cadence {
    pub steps: u64,
    pub every: Duration,
}

/// What the operator of a manual session asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// A screenshot and a snapshot of the active tab.
    Snapshot,
    /// A note step with this text.
    Note(String),
    /// The operator ends the session.
    End,
    /// The operator's input closed (the terminal or the app went away): the session ends.
    Closed,
}

/// Asks a session to stop: the step under way is abandoned, the recording, network archive
/// and browser are ended in order, and why is journaled in an interruption step.
#[derive(Clone)]
pub struct Stop(watch::Receiver<Option<String>>);

impl Stop {
    /// A stop and its sender, which sends why the capture stops, in the words the evidence
    /// records (English, like every recorded reason).
    pub fn channel() -> (watch::Sender<Option<String>>, Stop) {
        let (tx, rx) = watch::channel(None);
        (tx, Stop(rx))
    }

    /// Why a stop was asked for, if it was.
    pub fn requested(&self) -> Option<String> {
        self.0.borrow().clone()
    }

    /// Resolves when a stop has been asked for (at once if it has); never if the sender
    /// went away without asking.
    pub async fn wait(&self) -> String {
        let mut rx = self.0.clone();
        loop {
            if let Some(s) = rx.borrow_and_update().clone() {
                return s;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// A capture's journal as the session left it, ready for sealing.
pub struct Recorded {
    pub cap: Capture,
    pub ending: Ending,
}

/// How a capture session ended (all but `Complete` journaled as an interruption step).
#[derive(Debug)]
pub enum Ending {
    /// Every action ran (and a manual session was ended by its operator).
    Complete,
    /// Step 0 failed and was not overridden: the browser was not started.
    Refused,
    /// A stop was asked for; why.
    Stopped(String),
    /// The session could not go on.
    Failed(Failure),
}

/// Why a browser session could not go on. The steps before it are kept and sealed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Starting the browser, its DevTools connection or the network archive, or an operator's
    /// command in the browser.
    #[error(transparent)]
    Browser(BrowserError),
    /// A step failed.
    #[error(transparent)]
    Step(SessionError),
    /// The browser closed, crashed or was killed during step `step` (action `action`).
    #[error(
        "the browser closed or crashed during step {step} ({action}); the steps before it are kept"
    )]
    BrowserGone {
        step: u64,
        action: &'static str,
        #[source]
        source: SessionError,
    },
    /// Creating the network archive's directory.
    #[error("creating {}: {source}", path.display())]
    ArchiveDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Starting the recording (`screencast`: of the DevTools screencast).
    #[error("starting the screen recording: {source}")]
    Recording {
        screencast: bool,
        #[source]
        source: RecorderError,
    },
    /// A headless browser with no tab to record.
    #[error("the browser has no tab to record")]
    NoTab,
    /// A manual session needs the browser's DevTools.
    #[error("a manual session needs the browser's DevTools endpoint, which it did not offer")]
    NoDevtools,
    /// Journaling a step.
    #[error(transparent)]
    Journal(CaptureError),
    /// Journaling a recording segment (`path`).
    #[error("journaling {}: {source}", path.display())]
    Segment {
        path: PathBuf,
        #[source]
        source: CaptureError,
    },
    /// Hashing a journaled step's record (for the subtitle track).
    #[error("hashing a step record: {0}")]
    Hash(#[source] webproof_evidence::record::RecordError),
    /// Trusted time or the log.
    #[error(transparent)]
    Anchor(AnchorError),
    /// What the caller does between steps (a supervising notary's countersignature) failed.
    #[error("between steps: {0}")]
    BetweenSteps(#[source] crate::seal::BoxError),
}

impl From<CaptureError> for Failure {
    fn from(e: CaptureError) -> Self {
        Failure::Journal(e)
    }
}

impl From<BrowserError> for Failure {
    fn from(e: BrowserError) -> Self {
        Failure::Browser(e)
    }
}

impl From<AnchorError> for Failure {
    fn from(e: AnchorError) -> Self {
        Failure::Anchor(e)
    }
}

/// Why a capture session could not run at all, or could not journal how it ended. What was
/// journaled stays in the capture directory (`captures resume` seals it), except for an
/// unreachable target, whose directory is removed: nothing of the page could be captured.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The target cannot be captured from here (its host does not resolve, or nothing
    /// accepts connections): step 0's finding says why.
    #[error("the page cannot be captured from here: {}", finding.summary)]
    Unreachable { finding: Box<Finding> },
    #[error("removing {}: {source}", dir.display())]
    Remove {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Journaling step 0 or how the session ended.
    #[error(transparent)]
    Journal(#[from] CaptureError),
    /// Running the environment check.
    #[error("the environment check did not finish: {0}")]
    Environment(#[source] tokio::task::JoinError),
    /// Encoding the environment report.
    #[error("encoding the environment report: {0}")]
    Encode(#[source] serde_json::Error),
    /// Stamping the session's start.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
    /// What the caller does after step 0 (a supervising notary's statement) failed.
    #[error("after step 0: {0}")]
    AfterStep0(#[source] crate::seal::BoxError),
}

/// Runs the capture session of `plan` into `cap` (a new capture): step 0, then the browser.
/// `stamper`, when trusted time or a log is configured, stamps and deposits the chain head at
/// the start (after step 0), on the plan's cadence, and keeps what arrives.
pub fn record(
    mut cap: Capture,
    mut plan: Plan,
    mut stamper: Option<&mut Stamper>,
    stop: &Stop,
    obs: &dyn Observer,
    rt: &tokio::runtime::Handle,
) -> Result<Recorded, RunError> {
    let go = step0::environment_step(&mut cap, &plan, stamper.as_deref(), obs, rt)?;
    let refused = match go {
        step0::Step0::Go => false,
        step0::Step0::Refused => true,
        step0::Step0::Unreachable(finding) => {
            // Nothing of the page can be captured: no package, and no directory to resume.
            let dir = cap.dir().to_owned();
            drop(cap);
            std::fs::remove_dir_all(&dir).map_err(|source| RunError::Remove { dir, source })?;
            return Err(RunError::Unreachable { finding });
        }
    };
    // Session start: the environment report is stamped before the browser opens.
    if let (Some(st), Some(head)) = (stamper.as_deref_mut(), cap.head()) {
        st.start(&cap, 0, &head)?;
    }
    if let Some(f) = plan.after_step0.as_mut()
        && !refused
        && stop.requested().is_none()
    {
        for r in f(&mut cap).map_err(RunError::AfterStep0)? {
            obs.step(&r);
        }
    }
    let not_started = match stop.requested() {
        Some(reason) => Some((format!("{reason}; the browser was not started"), Ending::Stopped(reason))),
        None => refused.then(|| {
            (
                "the environment check failed and the operator did not override it; the browser was not started".to_owned(),
                Ending::Refused,
            )
        }),
    };
    if let Some((reason, ending)) = not_started {
        interruption(&mut cap, &reason, obs)?;
        return Ok(Recorded { cap, ending });
    }
    let manual = plan.manual.take();
    // The caller's stop, or the disk quota's.
    let stop = plan.limits.watch(stop, cap.dir(), rt);
    let outcome = rt.block_on(browser::session(
        &mut cap, &plan, manual, stamper, &stop, obs,
    ));
    let ending = match outcome {
        Ok(()) => {
            return Ok(Recorded {
                cap,
                ending: Ending::Complete,
            });
        }
        Err(browser::Ended::Stopped(reason)) => {
            interruption(&mut cap, &reason, obs)?;
            Ending::Stopped(reason)
        }
        Err(browser::Ended::Failed(failure)) => {
            // Keep what was captured: record why it stopped.
            interruption(
                &mut cap,
                &format!("capture stopped: {}", webproof_net::causes(&failure)),
                obs,
            )?;
            Ending::Failed(failure)
        }
    };
    Ok(Recorded { cap, ending })
}

/// Journals an interruption step saying `reason`.
fn interruption(cap: &mut Capture, reason: &str, obs: &dyn Observer) -> Result<(), CaptureError> {
    let r = cap.record_interruption(reason, &Recovery { torn_tail: None })?;
    obs.step(&r);
    Ok(())
}
