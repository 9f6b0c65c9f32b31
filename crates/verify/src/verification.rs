//! `webproof verify --json`: one JSON document, written by the CLI and by the browser
//! verifier page, and read by the app with this same type — the verification report with
//! every check's name and text in the chosen language beside its English detail and catalogue
//! message.

use crate::{Check, CheckId, Report, StepTime, Verdict};
use serde::{Deserialize, Serialize};
use webproof_evidence::digest::Digests;
use webproof_message::Message;

/// A verification, as `verify --json` prints it (members in name order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub capture: Option<String>,
    /// The final chain head (from the manifest), when the manifest could be read.
    pub chain_head: Option<Digests>,
    pub checks: Vec<CheckJson>,
    /// The language of `name` and `text` (`en`, `zh-CN`).
    pub lang: String,
    pub package: String,
    /// For every step, the earliest trusted time that covers it.
    pub time: Vec<StepTime>,
    /// The verdict ladder's rung (docs/evidence-package.md §7).
    pub verdict: Verdict,
}

/// One check, said in the chosen language too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckJson {
    /// What was found, in English.
    pub detail: String,
    /// Which check: its stable identifier, e.g. `file.digest`.
    pub id: CheckId,
    /// What was found, as a catalogue message (key, arguments, cause).
    pub message: Message,
    /// The check's name in the chosen language.
    pub name: String,
    pub subject: String,
    /// What was found, in the chosen language.
    pub text: String,
    pub verdict: Verdict,
}

impl Verification {
    /// The report, each check named and said by `name` and `text` (in language `lang`).
    pub fn new(
        report: &Report,
        lang: &str,
        name: impl Fn(&Check) -> String,
        text: impl Fn(&Check) -> String,
    ) -> Self {
        Verification {
            capture: report.capture.clone(),
            chain_head: report.chain_head,
            checks: report
                .checks
                .iter()
                .map(|c| CheckJson {
                    detail: c.detail.clone(),
                    id: c.id,
                    message: c.message.clone(),
                    name: name(c),
                    subject: c.subject.clone(),
                    text: text(c),
                    verdict: c.verdict,
                })
                .collect(),
            lang: lang.to_owned(),
            package: report.package.clone(),
            time: report.time.clone(),
            verdict: report.verdict(),
        }
    }
}
