//! The notary's side of a supervised session: joins with the code, is shown each step, and
//! answers the operator's requests to sign — after checking that what it is asked to sign is
//! a statement about this session, by this notary, naming a step it was shown with that very
//! chain head. What to sign is the notary's decision (a callback: the CLI asks the person, the
//! tests decide in code). The steps seen survive a disconnection: joining again shows the
//! steps journaled meanwhile, once each.

use std::time::Duration;

use webproof_evidence::Utc;
use webproof_evidence::supervision::{Event, FORMAT, Statement, VERSION};

use crate::host::StepView;
use crate::{JoinCode, Me, Msg, SuperviseError};

/// What the notary is shown.
#[derive(Debug)]
pub enum Seen<'a> {
    /// The session: its capture and target.
    Session {
        capture: &'a str,
        target: Option<&'a str>,
    },
    /// A step not shown before (`late`: journaled while the notary was away, shown on
    /// reconnecting, for review).
    Step { step: &'a StepView, late: bool },
    /// A request to sign this statement (already checked against the steps shown).
    Ask(&'a Statement),
    /// The operator ended the session.
    Ended,
}

/// The notary's answer to a request.
pub enum Decision {
    Sign,
    Refuse(String),
    /// (To anything shown) leave the session for now: the connection closes, the operator's
    /// webproof goes on and shows what was journaled meanwhile on joining again.
    Leave,
}

/// One notary's supervision of one session, across reconnections.
pub struct Supervisor {
    code: JoinCode,
    capture: Option<String>,
    steps: Vec<StepView>,
    joined: u32,
    /// The steps whose chain heads this notary countersigned.
    countersigned: Vec<u64>,
}

/// How a connection ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// The operator ended the session.
    Ended,
    /// The notary left (`Decision::Leave`).
    Left,
}

impl Supervisor {
    pub fn new(code: JoinCode) -> Supervisor {
        Supervisor {
            code,
            capture: None,
            steps: Vec::new(),
            joined: 0,
            countersigned: Vec::new(),
        }
    }

    /// The steps shown so far.
    pub fn steps(&self) -> &[StepView] {
        &self.steps
    }

    /// Joins (again) and follows the session until the operator ends it (`Ok`) or the
    /// connection breaks (`Err`: join again with another call).
    pub fn run(
        &mut self,
        me: Me<'_>,
        timeout: Duration,
        decide: &mut dyn FnMut(&Seen<'_>) -> Option<Decision>,
    ) -> Result<Ending, SuperviseError> {
        let mut ch = crate::connect(&self.code, me, timeout)?;
        self.joined += 1;
        let late = self.joined > 1;
        loop {
            match ch.recv()? {
                Msg::Session { capture, target } => {
                    let first = self.capture.is_none();
                    self.capture = Some(capture.clone());
                    if first
                        && let Some(Decision::Leave) = decide(&Seen::Session {
                            capture: &capture,
                            target: target.as_deref(),
                        })
                    {
                        ch.close();
                        return Ok(Ending::Left);
                    }
                }
                Msg::Step {
                    seq,
                    kind,
                    url,
                    started,
                    head,
                    thumbnail,
                } => {
                    if self.steps.iter().any(|s| s.seq == seq) {
                        continue;
                    }
                    let step = StepView {
                        seq,
                        kind,
                        url,
                        started,
                        head,
                        thumbnail,
                    };
                    let d = decide(&Seen::Step { step: &step, late });
                    self.steps.push(step);
                    if let Some(Decision::Leave) = d {
                        ch.close();
                        return Ok(Ending::Left);
                    }
                }
                Msg::SignRequest { id, statement } => {
                    let Some(answer) = self.answer(id, &statement, me, decide)? else {
                        ch.close();
                        return Ok(Ending::Left);
                    };
                    ch.send(&answer)?;
                }
                Msg::SignManifest { id, manifest } => {
                    let answer = self.manifest_answer(id, &manifest, me)?;
                    ch.send(&answer)?;
                }
                Msg::Ended => {
                    decide(&Seen::Ended);
                    return Ok(Ending::Ended);
                }
                // The operator never sends these: ignored.
                Msg::Hello { .. } | Msg::Signed { .. } | Msg::Refused { .. } => {}
            }
        }
    }

    /// The answer to request `id` for `statement` (hex): signed when it is a statement about
    /// a step this notary was shown and the notary decides so; else a signed refusal.
    fn answer(
        &mut self,
        id: u64,
        statement: &str,
        me: Me<'_>,
        decide: &mut dyn FnMut(&Seen<'_>) -> Option<Decision>,
    ) -> Result<Option<Msg>, SuperviseError> {
        let bytes = hex::decode(statement).map_err(|e| SuperviseError::Malformed(e.to_string()))?;
        let decision = match self.check(&bytes, me) {
            Ok(st) => decide(&Seen::Ask(&st))
                .unwrap_or(Decision::Refuse("the notary gave no answer".into())),
            Err(why) => Decision::Refuse(why.into()),
        };
        let sign = |b: &[u8]| {
            me.key
                .sign(b)
                .map(hex::encode)
                .map_err(|e| SuperviseError::Sign(e.to_string()))
        };
        Ok(Some(match decision {
            Decision::Leave => return Ok(None),
            Decision::Sign => {
                if let Ok(st) = serde_json::from_slice::<Statement>(&bytes)
                    && st.event == Event::Countersign
                {
                    self.countersigned.push(st.seq);
                }
                Msg::Signed {
                    id,
                    signature: sign(&bytes)?,
                }
            }
            Decision::Refuse(reason) => self.refusal(id, reason, me)?,
        }))
    }

    /// The sealed manifest countersigned, when it seals this session as the notary followed it:
    /// of this capture, its final chain head the seal step's the notary was shown last, the
    /// step before countersigned by this notary, and this notary among its signers. Else a
    /// signed refusal saying why (the person is not asked again: they decided at the last
    /// countersignature).
    fn manifest_answer(&self, id: u64, manifest: &str, me: Me<'_>) -> Result<Msg, SuperviseError> {
        use webproof_evidence::identity::Role;
        use webproof_evidence::manifest::Manifest;
        let bytes = hex::decode(manifest).map_err(|e| SuperviseError::Malformed(e.to_string()))?;
        let why = match serde_json::from_slice::<Manifest>(&bytes) {
            Err(_) => Some("the operator asked to countersign something that is not a manifest"),
            Ok(m) => {
                let last = self.steps.last();
                if Some(&m.capture) != self.capture.as_ref() {
                    Some("the manifest is of another capture")
                } else if !last.is_some_and(|s| s.kind == "seal" && s.head == m.journal.head) {
                    Some("the manifest does not seal the chain the notary was shown")
                } else if !self.countersigned_up_to_seal() {
                    Some("the notary did not countersign the steps before the seal step")
                } else if !m
                    .signers
                    .iter()
                    .any(|s| s.role == Role::Notary && s.fingerprint == me.identity.fingerprint)
                {
                    Some("the manifest does not name this notary")
                } else {
                    None
                }
            }
        };
        match why {
            None => Ok(Msg::Signed {
                id,
                signature: hex::encode(
                    me.key
                        .sign(&bytes)
                        .map_err(|e| SuperviseError::Sign(e.to_string()))?,
                ),
            }),
            Some(reason) => self.refusal(id, reason.into(), me),
        }
    }

    /// Whether this notary countersigned the chain head after the last step before the seal
    /// step (the notary's own supervision steps aside: each follows what it is about).
    fn countersigned_up_to_seal(&self) -> bool {
        let Some(last_countersigned) = self.countersigned.iter().max() else {
            return false;
        };
        self.steps
            .iter()
            .filter(|s| s.seq > *last_countersigned && s.kind != "seal")
            .all(|s| s.kind == "supervision")
    }

    /// A signed refusal of request `id`: a statement about the last step shown, with `reason`.
    fn refusal(&self, id: u64, reason: String, me: Me<'_>) -> Result<Msg, SuperviseError> {
        let sign = |b: &[u8]| {
            me.key
                .sign(b)
                .map(hex::encode)
                .map_err(|e| SuperviseError::Sign(e.to_string()))
        };
        let last = self.steps.last();
        let refusal = Statement {
            v: VERSION,
            format: FORMAT.into(),
            event: Event::Refuse,
            capture: self.capture.clone().unwrap_or_default(),
            seq: last.map_or(0, |s| s.seq),
            head: last.map(|s| s.head).unwrap_or(webproof_evidence::Digests {
                sha256: webproof_evidence::Hash32([0; 32]),
                sm3: webproof_evidence::Hash32([0; 32]),
            }),
            notary: me.identity.fingerprint,
            time: Utc::now(),
            reason: Some(reason),
        };
        let b = refusal
            .to_bytes()
            .map_err(|e| SuperviseError::Malformed(e.to_string()))?;
        Ok(Msg::Refused {
            id,
            signature: sign(&b)?,
            statement: hex::encode(b),
        })
    }

    /// What the statement says, if it is one this notary may sign: of this session, by this
    /// notary, about a step shown with its very chain head, not a refusal; else why not.
    fn check(&self, bytes: &[u8], me: Me<'_>) -> Result<Statement, &'static str> {
        let st: Statement = serde_json::from_slice(bytes)
            .map_err(|_| "the operator asked to sign something that is not a statement")?;
        let canonical = st.to_bytes().map_err(|_| "not canonical")?;
        if canonical != bytes || st.v != VERSION || st.format != FORMAT {
            return Err("the operator asked to sign a statement of an unknown form");
        }
        if Some(&st.capture) != self.capture.as_ref() || st.notary != me.identity.fingerprint {
            return Err("the operator asked to sign a statement about another session or notary");
        }
        if st.event == Event::Refuse || st.reason.is_some() {
            return Err("the operator asked the notary to sign a refusal");
        }
        if !self
            .steps
            .iter()
            .any(|s| s.seq == st.seq && s.head == st.head)
        {
            return Err("the operator asked to sign a chain head the notary was not shown");
        }
        Ok(st)
    }
}
