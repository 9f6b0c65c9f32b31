//! A draft record of an evidence-preservation notarisation (保全证据公证记录): what a notary
//! writes up after supervising or reviewing a capture — applicant, operator, notary, place and
//! machine, the clean-environment check (SF/T 0091-2021 asks for it), each step, the package's
//! digests and the list of evidence — in Chinese and English side by side. It is a DRAFT for
//! the notary to adapt, says so at the top and the bottom, and certifies nothing by itself:
//! the notary's notarial certificate does.

use std::fmt::Write as _;

use webproof_evidence::identity::{IdentityDoc, Role};
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_evidence::record::StepKind;
use webproof_evidence::review::{self, Part, Review};
use webproof_message::key;
use webproof_verify::{CheckId, Report};

use crate::{
    ReportError, STYLE, Texts, esc, journal, local_and_utc, read_json, said_check, verdict_class,
};

/// What the draft is made from.
pub struct Notarial<'a> {
    /// Chinese and English (`Texts::new(&[Lang::ZhCn, Lang::En])`), or one language.
    pub texts: &'a Texts,
    pub src: &'a dyn PackageSource,
    /// The package verified under the trust of whoever makes the draft.
    pub verification: &'a Report,
    pub package_name: String,
    /// The package file's SHA-256 and SM3 (hex), when it is a file.
    pub package_digests: Option<(String, String)>,
    /// Who applied for the preservation, as the notary writes it (blank lines when `None`).
    pub applicant: Option<&'a str>,
    /// Where it was done.
    pub place: Option<&'a str>,
    /// The reader's time zone, shown beside UTC.
    pub offset: Option<time::UtcOffset>,
}

/// A line to fill in by hand.
const BLANK: &str = "<span class=\"blank\">&nbsp;</span>";

/// The draft as one self-contained HTML page.
pub fn notarial_html(n: &Notarial<'_>) -> Result<String, ReportError> {
    let (tx, src) = (n.texts, n.src);
    let (recs, heads) = journal(src)?;
    let manifest: Manifest = read_json(src, layout::MANIFEST)
        .ok_or_else(|| ReportError::Package("no readable manifest".into()))?;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}.draft{{border:3px solid #b00020;color:#b00020;padding:6px;font-weight:bold;margin:8px 0}}\
         .blank{{display:inline-block;min-width:16em;border-bottom:1px solid #111}}         table.kv th{{white-space:normal;width:28%}}</style></head><body>\
         <h1>{}</h1><p class=\"draft\">{}</p>",
        tx.lang_tag(),
        tx.t(key!("notarial-title")),
        tx.t(key!("notarial-title")),
        tx.t(key!("notarial-draft"))
    );
    let v = n.verification;
    let fill = |s: Option<&str>| s.map(esc).unwrap_or_else(|| BLANK.to_owned());

    // 1. The matter: applicant, case, place, time.
    let first = recs.first().map(|r| local_and_utc(&r.started, n.offset));
    let last = recs.last().map(|r| local_and_utc(&r.ended, n.offset));
    let _ = write!(
        h,
        "<h2>{}</h2><table class=\"kv\">\
         <tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{} – {}</td></tr></table>",
        tx.t(key!("notarial-section-matter")),
        tx.t(key!("notarial-applicant")),
        fill(n.applicant),
        tx.t(key!("case-id")),
        fill(manifest.case.id.as_deref()),
        tx.t(key!("notarial-place")),
        fill(n.place),
        tx.t(key!("notarial-period")),
        esc(first.as_deref().unwrap_or("")),
        esc(last.as_deref().unwrap_or(""))
    );

    // 2. The people: operator, notary present, notaries who reviewed afterwards.
    let _ = write!(
        h,
        "<h2>{}</h2><table class=\"kv\">",
        tx.t(key!("notarial-section-people"))
    );
    let person = |doc: &IdentityDoc, check: Option<CheckId>| {
        let said = check
            .and_then(|id| v.checks.iter().find(|c| c.id == id))
            .map(|c| format!("<br>{}", said_check(tx, c)))
            .unwrap_or_default();
        format!("{}{said}", crate::person(tx, doc))
    };
    let operator = read_json::<IdentityDoc>(src, &layout::identity_path(Role::Operator));
    let _ = write!(
        h,
        "<tr><th>{}</th><td>{}</td></tr>",
        tx.t(key!("role-operator")),
        operator
            .as_ref()
            .map(|d| person(d, Some(CheckId::IdentityOperator)))
            .unwrap_or_else(|| BLANK.into())
    );
    let live = read_json::<IdentityDoc>(src, &layout::identity_path(Role::Notary));
    let reviews: Vec<(Review, IdentityDoc)> = src
        .entries()
        .iter()
        .filter_map(|e| match review::classify(&e.name) {
            Some((k, Part::Record)) => Some(k),
            _ => None,
        })
        .filter_map(|k| {
            Some((
                read_json::<Review>(src, &review::json_path(k))?,
                read_json::<IdentityDoc>(src, &review::identity_path(k))?,
            ))
        })
        .collect();
    match &live {
        Some(d) => {
            let _ = write!(
                h,
                "<tr><th>{}</th><td>{}</td></tr>",
                tx.t(key!("notarial-notary-live")),
                person(d, Some(CheckId::IdentityNotary))
            );
        }
        None if reviews.is_empty() => {
            let _ = write!(
                h,
                "<tr><th>{}</th><td>{BLANK}</td></tr>",
                tx.t(key!("role-notary"))
            );
        }
        None => {}
    }
    for (r, d) in &reviews {
        let time = v
            .checks
            .iter()
            .find(|c| c.id == CheckId::ReviewTime && c.subject == review::json_path(r.n));
        let _ = write!(
            h,
            "<tr><th>{}</th><td>{}<br>{}</td></tr>",
            tx.t(key!("notarial-notary-review")),
            person(d, None),
            time.map(|c| said_check(tx, c)).unwrap_or_default()
        );
    }
    h.push_str("</table>");

    // 3. The machine and its clean-environment check (step 0).
    let env = recs
        .iter()
        .find(|r| r.kind == StepKind::Environment)
        .and_then(|r| {
            r.artifacts
                .iter()
                .find(|a| a.path.ends_with("environment.json"))
        })
        .and_then(|a| read_json::<serde_json::Value>(src, &a.path));
    let _ = write!(h, "<h2>{}</h2>", tx.t(key!("notarial-section-machine")));
    match &env {
        Some(env) => {
            let _ = write!(
                h,
                "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
                tx.t(key!("col-finding")),
                tx.t(key!("col-grade")),
                tx.t(key!("col-detail"))
            );
            h.push_str(&crate::environment_rows(tx, env));
            h.push_str("</table>");
        }
        None => {
            let _ = write!(h, "<p>{}</p>", tx.t(key!("notarial-no-environment")));
        }
    }

    // 4. What was done, step by step.
    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tx.t(key!("notarial-section-steps")),
        tx.t(key!("col-step")),
        tx.t(key!("col-time")),
        tx.t(key!("col-action")),
        tx.t(key!("col-head"))
    );
    for (r, d) in recs.iter().zip(&heads) {
        let mut what = format!("<b>{}</b>", tx.t(format!("step-kind-{}", r.kind.as_str())));
        if let Some(u) = &r.url {
            let _ = write!(what, "<br><code>{}</code>", esc(u));
        }
        let trusted = v
            .time
            .iter()
            .find(|t| t.seq == r.seq)
            .and_then(|t| t.not_after.as_ref())
            .map(|t| format!("<br>{} <b>{}</b>", tx.t(key!("not-after")), esc(t)))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}{trusted}</td><td>{what}</td><td class=\"mono\">SHA-256 {}<br>SM3 {}</td></tr>",
            r.seq,
            esc(&local_and_utc(&r.started, n.offset)),
            d.sha256,
            d.sm3
        );
    }
    h.push_str("</table>");

    // 5. The package and the list of evidence.
    let verdict = v.verdict();
    let _ = write!(
        h,
        "<h2>{}</h2><table class=\"kv\"><tr><th>{}</th><td><code>{}</code></td></tr>",
        tx.t(key!("notarial-section-package")),
        tx.t(key!("report-package")),
        esc(&n.package_name)
    );
    if let Some((sha256, sm3)) = &n.package_digests {
        let _ = write!(
            h,
            "<tr><th>{}</th><td class=\"mono\">SHA-256 {}<br>SM3 {}</td></tr>",
            tx.t(key!("notarial-package-digest")),
            esc(sha256),
            esc(sm3)
        );
    }
    let _ = write!(
        h,
        "<tr><th>{}</th><td class=\"mono\">SHA-256 {}<br>SM3 {}</td></tr>\
         <tr><th>{}</th><td><span class=\"{}\">{}</span></td></tr></table>",
        tx.t(key!("report-chain-head")),
        manifest.journal.head.sha256,
        manifest.journal.head.sm3,
        tx.t(key!("notarial-verdict")),
        verdict_class(verdict),
        tx.t(webproof_i18n::verdict_key(verdict.as_str()))
    );
    let _ = write!(
        h,
        "<h3>{}</h3><table><tr><th>#</th><th>{}</th><th>{}</th><th>SHA-256 / SM3</th></tr>",
        tx.t(key!("notarial-evidence-list")),
        tx.t(key!("notarial-file")),
        tx.t(key!("notarial-size"))
    );
    for (i, f) in manifest.files.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"mono\">{}<br>{}</td></tr>",
            i + 1,
            esc(&f.path),
            f.size,
            f.sha256,
            f.sm3
        );
    }
    h.push_str("</table>");

    // 6. Signatures, by hand.
    let _ = write!(
        h,
        "<h2>{}</h2><table class=\"kv\"><tr><th>{}</th><td>{BLANK}</td></tr>\
         <tr><th>{}</th><td>{BLANK}</td></tr><tr><th>{}</th><td>{BLANK}</td></tr></table>\
         <p class=\"draft\">{}</p></body></html>",
        tx.t(key!("notarial-section-sign")),
        tx.t(key!("role-notary")),
        tx.t(key!("notarial-assistant")),
        tx.t(key!("notarial-date")),
        tx.t(key!("notarial-draft"))
    );
    h.push('\n');
    Ok(h)
}
