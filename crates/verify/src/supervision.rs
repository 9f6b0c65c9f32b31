//! Live supervision (docs/supervision.md): each `supervision` step is a notary's statement
//! about the chain before it, signed by a notary who is not the operator; together they say
//! whether the capture was supervised live, countersigned or refused (`supervision.statement`,
//! `supervision.live`).

use webproof_evidence::canonical;
use webproof_evidence::digest::{Digests, Hash32};
use webproof_evidence::identity::{IdentityDoc, PublicKey, Role};
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::supervision::{self, Event, Signed, Statement};
use webproof_message::{key, msg};

use crate::explain::Why;
use crate::{CheckId, Report, Verdict};

/// One statement that holds: what the notary said, and who.
struct Held {
    step: u64,
    statement: Statement,
    notary: IdentityDoc,
}

pub(crate) fn supervision_checks(
    records: &[StepRecord],
    heads: &[Digests],
    m: &Manifest,
    report: &mut Report,
) {
    let operator = m
        .signers
        .iter()
        .find(|s| s.role == Role::Operator)
        .map(|s| s.fingerprint);
    let held: Vec<Held> = records
        .iter()
        .filter(|r| r.kind == StepKind::Supervision)
        .filter_map(|r| {
            let at = format!("{} step {}", layout::JOURNAL, r.seq);
            match statement_check(r, heads, m, operator) {
                Ok(h) => {
                    report.pass(CheckId::SupervisionStatement, at, said(&h));
                    Some(h)
                }
                Err(why) => {
                    report.fail(CheckId::SupervisionStatement, at, why);
                    None
                }
            }
        })
        .collect();
    if !held.is_empty() {
        live_check(&held, m, report);
    }
}

/// A `supervision` step: its statement's bytes, signature and notary, held to the chain.
fn statement_check(
    r: &StepRecord,
    heads: &[Digests],
    m: &Manifest,
    operator: Option<Hash32>,
) -> Result<Held, Why> {
    let signed = Signed::from_params(&r.params).map_err(|e| Why::of(&e))?;
    let st = signed.statement().map_err(|e| Why::of(&e))?;
    let wrong = |text: &str, k: webproof_message::Key| {
        Why::new(text.to_owned(), webproof_message::Message::new(k))
    };
    if st.v != supervision::VERSION
        || st.format != supervision::FORMAT
        || !canonical::is_canonical(&signed.bytes)
    {
        return Err(wrong(
            "not a supervision statement of a known version in canonical form",
            key!("msg-supervision-format"),
        ));
    }
    if r.params.get("event").and_then(|e| e.as_str()) != Some(st.event.as_str()) {
        return Err(wrong(
            "the step says another event than the statement",
            key!("msg-supervision-event"),
        ));
    }
    if st.capture != m.capture {
        return Err(wrong(
            "the statement is about another capture",
            key!("msg-supervision-capture"),
        ));
    }
    // It speaks of a step before it, by that step's chain head.
    if st.seq >= r.seq || heads.get(st.seq as usize) != Some(&st.head) {
        return Err(wrong(
            "the statement names a chain head that is not the one after an earlier step",
            key!("msg-supervision-head"),
        ));
    }
    if (st.event == Event::Refuse) != st.reason.as_ref().is_some_and(|x| !x.trim().is_empty())
        || st
            .reason
            .as_ref()
            .is_some_and(|x| x.len() > supervision::MAX_REASON)
    {
        return Err(wrong(
            "a refusal gives a reason, and only a refusal",
            key!("msg-supervision-reason"),
        ));
    }
    let id = &signed.identity;
    let key = PublicKey::from_pem(&id.public_key).map_err(|e| Why::of(&e))?;
    let fp = key.fingerprint().map_err(|e| Why::of(&e))?;
    if fp != id.fingerprint || fp != st.notary || key.algorithm() != id.algorithm {
        return Err(wrong(
            "the notary's identity document, key and statement name different keys",
            key!("msg-supervision-keys"),
        ));
    }
    if id.role != Role::Notary {
        return Err(wrong(
            "the statement is not signed by a notary's identity",
            key!("msg-supervision-not-notary"),
        ));
    }
    if operator == Some(fp) {
        return Err(Why::new(
            format!("signed with the operator's own key ({fp}): no notary was there"),
            msg!("msg-supervision-operator").arg("fingerprint", fp),
        ));
    }
    // The notary who countersigns the manifest is the one who supervised.
    if let Some(n) = m.signers.iter().find(|s| s.role == Role::Notary)
        && n.fingerprint != fp
    {
        return Err(Why::new(
            format!(
                "signed by the notary {fp}, while the package is countersigned by {}",
                n.fingerprint
            ),
            msg!("msg-supervision-other-notary")
                .arg("fingerprint", fp)
                .arg("countersigned", n.fingerprint),
        ));
    }
    key.verify(&signed.bytes, &signed.signature).map_err(|_| {
        Why::new(
            "the notary's signature over the statement does not verify",
            msg!("msg-supervision-signature"),
        )
    })?;
    Ok(Held {
        step: r.seq,
        statement: st,
        notary: signed.identity,
    })
}

/// What one statement that holds says.
fn said(h: &Held) -> Why {
    let (w, seq) = (h.notary.who(), h.statement.seq);
    match h.statement.event {
        Event::Present => Why::new(
            format!("notary {w} present, having seen the steps up to {seq}"),
            msg!("msg-supervision-present")
                .arg("who", &w)
                .arg("seq", seq),
        ),
        Event::Countersign => Why::new(
            format!("notary {w} countersigned the chain head after step {seq}"),
            msg!("msg-supervision-countersigned")
                .arg("who", &w)
                .arg("seq", seq),
        ),
        Event::Checkpoint => Why::new(
            format!(
                "notary {w}'s webproof countersigned the chain head after step {seq} as it arrived (a checkpoint)"
            ),
            msg!("msg-supervision-checkpoint")
                .arg("who", &w)
                .arg("seq", seq),
        ),
        Event::Refuse => {
            let reason = h.statement.reason.clone().unwrap_or_default();
            Why::new(
                format!("notary {w} refused after step {seq}: {reason}"),
                msg!("msg-supervision-refused-step")
                    .arg("who", &w)
                    .arg("seq", seq)
                    .arg("reason", reason),
            )
        }
    }
}

/// `supervision.live`: supervised live by a notary from a step on, countersigned; or refused.
fn live_check(held: &[Held], m: &Manifest, report: &mut Report) {
    let first = &held[0];
    let w = first.notary.who();
    if let Some(r) = held.iter().find(|h| h.statement.event == Event::Refuse) {
        let reason = r.statement.reason.clone().unwrap_or_default();
        report.push(
            CheckId::SupervisionLive,
            layout::JOURNAL,
            Verdict::Finding,
            Why::new(
                format!(
                    "notary refused: {reason} ({w}, after step {})",
                    r.statement.seq
                ),
                msg!("msg-supervision-refused")
                    .arg("reason", reason)
                    .arg("who", &w)
                    .arg("seq", r.statement.seq),
            ),
        );
        return;
    }
    let present = held
        .iter()
        .find(|h| h.statement.event == Event::Present)
        .map(|h| h.step);
    let countersigned: Vec<String> = held
        .iter()
        .filter(|h| matches!(h.statement.event, Event::Countersign | Event::Checkpoint))
        .map(|h| h.statement.seq.to_string())
        .collect();
    let signed_manifest = m.signers.iter().any(|s| s.role == Role::Notary);
    match (present, signed_manifest) {
        (Some(from), true) => report.pass(
            CheckId::SupervisionLive,
            layout::JOURNAL,
            Why::new(
                format!(
                    "supervised live by notary {w} from step {from}; chain heads countersigned after steps {}; the sealed manifest countersigned (who the notary is: identity.notary)",
                    list(&countersigned)
                ),
                msg!("msg-supervision-live")
                    .arg("who", &w)
                    .arg("from", from)
                    .arg("steps", list(&countersigned)),
            ),
        ),
        _ => report.push(
            CheckId::SupervisionLive,
            layout::JOURNAL,
            Verdict::Finding,
            Why::new(
                format!(
                    "notary {w} took part, but the session lacks {}: not a completed supervision",
                    if present.is_none() {
                        "the statement that the notary was present"
                    } else {
                        "the notary's countersignature of the sealed manifest"
                    }
                ),
                msg!("msg-supervision-incomplete").arg("who", &w).arg(
                    "missing",
                    if present.is_none() { "present" } else { "manifest" },
                ),
            ),
        ),
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}
