//! The engine's event stream (docs/app-events.md): one JSON object per line, tagged by its
//! `event` member. Producers write [`Event`]s; consumers read them back with [`Event::parse`],
//! which ignores members it does not know and returns `None` for events it does not know, so a
//! newer engine can add either without breaking an older reader.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use webproof_capture::environment::{Finding, Grade};
use webproof_evidence::digest::{Digests, Hash32};
use webproof_evidence::record::{Artifact, StepKind, StepRecord};
use webproof_evidence::utc::Utc;
use webproof_message::Message;

/// One event of a capture, as written on one line of `--events` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Step 0's clean-environment check, before the browser starts.
    Environment {
        worst: Grade,
        findings: Vec<EnvFinding>,
    },
    /// A step, once journaled and fsynced.
    Step(StepEvent),
    /// Time-stamping and deposit progress, after each step's checkpoint bookkeeping and after
    /// the final stamps.
    Trust(TrustStatus),
    /// Sealing moves on.
    Phase { phase: Phase },
    /// A message for people, in the chosen language.
    Line { text: String },
    /// Live supervision by a notary on another machine (`--supervised`, docs/supervision.md).
    Supervision(SupervisionEvent),
    /// The package is written and verified.
    Sealed(Sealed),
    /// The command failed (after `sealed` when a stopped capture was sealed).
    Error {
        /// In the chosen language.
        message: String,
        /// In English, with the whole chain of causes.
        detail: String,
    },
}

/// One finding of the environment check, with its text in the chosen language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvFinding {
    pub id: String,
    pub grade: Grade,
    /// In English.
    pub summary: String,
    /// The catalogue message the text was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// In the chosen language.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub detail: Value,
}

impl EnvFinding {
    /// A finding of step 0, with `text` its words in the chosen language.
    pub fn new(f: &Finding, text: String) -> Self {
        EnvFinding {
            id: f.id.to_owned(),
            grade: f.grade,
            summary: f.summary.clone(),
            message: f.message.clone(),
            text,
            detail: f.detail.clone(),
        }
    }
}

/// A journaled step; `sha256` and `sm3` are the digests of its record: the chain head after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepEvent {
    pub seq: u64,
    pub kind: StepKind,
    pub url: Option<String>,
    /// The step's end.
    pub time: Utc,
    pub artifacts: Vec<Artifact>,
    pub sha256: Option<Hash32>,
    pub sm3: Option<Hash32>,
}

impl From<&StepRecord> for StepEvent {
    fn from(r: &StepRecord) -> Self {
        let head = r.digests().ok();
        StepEvent {
            seq: r.seq,
            kind: r.kind,
            url: r.url.clone(),
            time: r.ended,
            artifacts: r.artifacts.clone(),
            sha256: head.map(|d| d.sha256),
            sm3: head.map(|d| d.sm3),
        }
    }
}

/// Where a supervised session stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionEvent {
    pub state: SupervisionState,
    /// The join code to give the notary (`waiting`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The notary's name and organisation (`joined` and after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notary: Option<String>,
    /// The notary's key fingerprint (`joined` and after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// What the notary signed (`stated`: `present`, `checkpoint` or `countersign`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// The step the statement is about (`stated`, `refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Why the notary refused (`refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The same for people, in the chosen language.
    pub text: String,
}

/// The states of a supervised session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionState {
    /// Listening: the notary joins with the code.
    Waiting,
    /// The notary joined (or joined again).
    Joined,
    /// The notary signed a statement, journaled.
    Stated,
    /// The notary refused, journaled: nothing more is asked of them.
    Refused,
}

impl SupervisionState {
    pub fn as_str(self) -> &'static str {
        match self {
            SupervisionState::Waiting => "waiting",
            SupervisionState::Joined => "joined",
            SupervisionState::Stated => "stated",
            SupervisionState::Refused => "refused",
        }
    }
}

/// One event of `webproof supervise CODE --events`: the notary's side of a supervised session
/// (docs/app-events.md), one JSON object per line. `text` is the same for people, in the
/// chosen language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum NotaryEvent {
    /// Joined (or joined again) the session of capture `capture`, of `target`.
    Session {
        capture: String,
        target: Option<String>,
        text: String,
    },
    /// A step as journaled on the operator's machine; `late` when journaled while this notary
    /// was away; `picture` the path of its screenshot, kept in the notary's home.
    Step {
        seq: u64,
        kind: String,
        url: Option<String>,
        started: String,
        sha256: Hash32,
        sm3: Hash32,
        late: bool,
        picture: Option<String>,
        text: String,
    },
    /// The notary is asked to sign `statement` (`present` or `countersign`) about the chain
    /// head after step `seq`: answer with a line on stdin, `yes` or the reason to refuse.
    Ask {
        statement: String,
        seq: u64,
        sha256: Hash32,
        text: String,
    },
    /// A checkpoint countersigned without asking (a chain head this notary was shown).
    Checkpoint {
        seq: u64,
        sha256: Hash32,
        text: String,
    },
    /// The connection was lost: joining again.
    Rejoin { text: String },
    /// The operator ended the session.
    Ended { text: String },
}

impl NotaryEvent {
    /// One line of output, without the newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads one line; `None` for a line that is not an event this version knows.
    pub fn parse(line: &str) -> Option<NotaryEvent> {
        serde_json::from_str(line.trim()).ok()
    }
}

/// One event of `webproof batch … --events` (docs/app-events.md), one JSON object per line.
/// `text` is the same for people, in the chosen language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BatchEvent {
    /// The batch's URLs, in order, and the numbers (1-based) of those an earlier run ended.
    Queue {
        urls: Vec<String>,
        done: Vec<usize>,
        text: String,
    },
    /// Capture `n` (1-based) of `url` changed state: `started`, `sealed`, `interrupted`
    /// (sealed after a stop, `reason` why), `failed` (no package, `reason` why) or `skipped`
    /// (the batch's quota, `reason`). `package` once there is one.
    Url {
        n: usize,
        url: String,
        state: UrlState,
        package: Option<String>,
        reason: Option<String>,
        text: String,
    },
    /// The batch ended: the totals, and the summary file.
    Summary {
        total: usize,
        sealed: usize,
        interrupted: usize,
        failed: usize,
        skipped: usize,
        /// Not started: the batch was stopped (`stop` on stdin) before them.
        pending: usize,
        path: String,
        text: String,
    },
}

/// Where one URL of a batch stands (`started`, `sealed`, …, in the JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlState {
    Started,
    Sealed,
    Interrupted,
    Failed,
    Skipped,
}

impl UrlState {
    /// Its name in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            UrlState::Started => "started",
            UrlState::Sealed => "sealed",
            UrlState::Interrupted => "interrupted",
            UrlState::Failed => "failed",
            UrlState::Skipped => "skipped",
        }
    }
}

impl BatchEvent {
    /// One line of output, without the newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads one line; `None` for a line that is not an event this version knows.
    pub fn parse(line: &str) -> Option<BatchEvent> {
        serde_json::from_str(line.trim()).ok()
    }
}

/// What the configured TSAs and log have delivered so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustStatus {
    /// TSAs configured.
    pub tsas: usize,
    /// How many must stamp each checkpoint.
    pub quorum: usize,
    /// The newest stamped step.
    pub stamped_seq: Option<u64>,
    /// How many TSAs stamped it.
    pub stamped_by: usize,
    /// Whether an evidence log is configured.
    pub log: bool,
    /// Chain heads the log promised to include.
    pub deposited: usize,
}

/// The phases of sealing, in order (`report` only with a report; `timestamping` and
/// `depositing` only with TSAs or a log configured).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Report,
    Timestamping,
    Depositing,
    Hashing,
    Packaging,
    Verifying,
}

/// A written and verified package (also `seal --json` and `capture --json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub package: String,
    /// The capture's UUID.
    pub capture: String,
    pub steps: usize,
    /// The final chain head: digests of the seal record.
    pub chain_head: Digests,
    /// The operator's key fingerprint.
    pub operator: String,
    pub notary: Option<String>,
    /// The work directory, when kept (`--keep-work`).
    pub capture_dir: Option<String>,
}

impl Phase {
    pub fn as_str(&self) -> &'static str {
        match self {
            Phase::Report => "report",
            Phase::Timestamping => "timestamping",
            Phase::Depositing => "depositing",
            Phase::Hashing => "hashing",
            Phase::Packaging => "packaging",
            Phase::Verifying => "verifying",
        }
    }
}

impl Event {
    /// One line of output: the event as compact JSON, without the newline.
    pub fn to_line(&self) -> String {
        // An enum of strings, numbers and JSON values always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads one line; `None` for a line that is not an event this version knows.
    pub fn parse(line: &str) -> Option<Event> {
        serde_json::from_str(line.trim()).ok()
    }
}
