//! webproof's engine: the sessions the command line and the desktop app run, behind a typed
//! API. So far: [`Event`], the one event stream a capture produces (`webproof capture
//! --events`, docs/app-events.md), which the CLI writes and the app reads with the same type;
//! the capture session ([`capture::record`]: step 0, the browser driven by a profile or by the
//! operator, the recording and the network archive, every step journaled); amending a sealed
//! package ([`amend::renew`], [`amend::refresh`]); asking a log whether a chain head was
//! deposited, checked offline ([`lookup::lookup`]); the seal session ([`seal::seal`]: seal step, final time-stamps and receipts, manifest,
//! package, verified before the working copy goes); and trusted time and the log in the
//! background — the [`stamping::Stamper`] and the
//! [`depositing::Depositor`], each a [`worker::Worker`] of its answers — which say what
//! happens as typed [`Note`]s and fail with a typed [`AnchorError`].

pub mod amend;
#[cfg(unix)]
pub mod capture;
pub mod depositing;
pub mod events;
pub mod home;
pub mod lookup;
#[cfg(unix)]
pub mod machine;
pub mod seal;
pub mod stamping;
/// `verify --json`'s type lives with the verifier, which the browser verifier page shares.
pub use webproof_verify::verification;
pub mod worker;

pub use events::{Event, Phase};

use std::error::Error as StdError;

use webproof_capture::BrowserError;
use webproof_capture::environment::EnvReport;
use webproof_evidence::capture::CaptureError;
use webproof_evidence::identity::KeyError;
use webproof_ledger::receipt::ReceiptError;
use webproof_net::NetError;
use webproof_recorder::{RecorderError, Stats as RecordingStats};
use webproof_timestamp::TspError;

/// Why stamping or depositing could not go on (a TSA or log that does not answer is not an
/// error: it is a [`Note`], and the final head's shortfall an `Undelivered`).
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("keeping a time-stamp token: {0}")]
    Token(#[source] CaptureError),
    #[error("keeping a receipt: {0}")]
    Receipt(#[source] CaptureError),
    #[error("{0}")]
    Request(#[source] TspError),
    #[error("{0}")]
    Client(#[source] NetError),
    #[error("deposit: {0}")]
    Deposit(#[source] webproof_ledger::deposit::DepositError),
    #[error("signing the request: {0}")]
    Sign(#[source] KeyError),
    #[error("{0}")]
    Key(#[source] KeyError),
    #[error("the log's entry is not UTF-8")]
    EntryNotUtf8,
    #[error("{0}")]
    ReceiptBytes(#[source] ReceiptError),
    #[error("no key for the log at {url}: its receipts could not be checked")]
    NoLogKey { url: String },
}

/// Why no witnessed checkpoint covers the deposits yet.
#[derive(Debug)]
pub enum Waiting {
    /// The newest checkpoint is of a tree this small.
    TooSmall { size: u64 },
    /// The newest checkpoint does not verify against the configured keys.
    Bad(ReceiptError),
    /// The log has published no checkpoint.
    None,
    /// The log did not answer.
    Net(NetError),
}

/// What happens in a session besides its steps and phases, as it happens — step 0's findings,
/// the recording and the network archive, trusted time and log deposits: the CLI says each in
/// the user's language (on stderr, or as `line` events), the app shows them.
#[derive(Debug)]
pub enum Note<'a> {
    /// A TSA stamped the chain head after step `seq` at `time` (its genTime).
    Stamped {
        seq: u64,
        tsa: &'a str,
        time: &'a str,
    },
    /// A TSA stamped renewal `n` of a package at `time` (its genTime).
    RenewalStamped { n: u32, tsa: &'a str, time: &'a str },
    /// A TSA stamped the signature of review `n` of a package at `time` (its genTime).
    ReviewStamped { n: u32, tsa: &'a str, time: &'a str },
    /// A TSA did not stamp (the capture goes on).
    StampFailed { error: &'a NetError },
    /// The log promised to include the chain head after step `seq` at `index`.
    Deposited { seq: u64, index: u64 },
    /// The log refused or did not answer, or its promise did not verify.
    DepositFailed { error: &'a (dyn StdError + 'static) },
    /// The log's latest witnessed checkpoint could not be had for the environment step.
    NoNotBefore { error: &'a (dyn StdError + 'static) },
    /// No witnessed checkpoint covered the deposits within `seconds`: the promises
    /// (`(seq, index)`) stand without receipts.
    NoReceipts {
        seconds: u64,
        why: &'a Waiting,
        promises: &'a [(u64, u64)],
    },
    /// No inclusion proof for the deposit of step `seq` (the log did not answer, or had none).
    NoInclusion {
        seq: u64,
        error: Option<&'a NetError>,
    },
    /// The receipt of step `seq` does not check against the configured keys (not kept).
    ReceiptBad { seq: u64, error: &'a ReceiptError },
    /// Step 0's findings, before the environment step is journaled.
    Environment { report: &'a EnvReport },
    /// The browser offers no DevTools endpoint: no network archive and no screencast.
    NoDevtools,
    /// The operator's own session begins: from now on what they do in the browser is
    /// journaled, and their commands are taken.
    Watching,
    /// No screenshot could be taken after an operator's action (the step is kept without).
    NoScreenshot { error: &'a BrowserError },
    /// The network archive could not be finished (the steps stand).
    NetworkFailed { error: &'a BrowserError },
    /// The screen recording ended.
    Recorded { stats: &'a RecordingStats },
    /// The screen recording could not be finished (the segments closed before stand).
    RecordingFailed { error: &'a RecorderError },
    /// The receipt of step `seq` is kept: entry `index` of the tree of `size`, cosigned by
    /// `witnesses`.
    Receipt {
        seq: u64,
        index: u64,
        size: u64,
        origin: &'a str,
        witnesses: &'a [&'a str],
    },
}
