//! # webproof-report
//!
//! The evidence report a judge reads: one self-contained HTML page — case and operator, the
//! clean-environment summary, a timeline of every step (time, action, URL, thumbnail, chain
//! head), the video segments, a QR code, and how to check it all without webproof. Two kinds
//! ([`Subject`]): the report of a sealed package and its verification under the reader's trust
//! settings (with the checks, the time-stamps, the receipts and witnesses, and the package's
//! SHA-256 in the QR code), and the capture report that goes into a package as it is sealed,
//! made before the seal step so the seal step names it and the final time-stamps cover it — a
//! description of the evidence that makes no verdict on it. The CLI prints either to PDF with
//! the Chromium webproof already drives.
//!
//! Pure: it reads a [`PackageSource`] and, for a sealed package, a [`webproof_verify::Report`];
//! no network, no clock.

use std::fmt::Write as _;

use webproof_evidence::digest::Digests;
use webproof_evidence::identity::{IdentityDoc, Role};
use webproof_evidence::layout;
use webproof_evidence::manifest::{Case, Manifest};
use webproof_evidence::package::PackageSource;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_i18n::{Catalogue, Lang};
use webproof_message::{Key, Message, key};
use webproof_verify::{CheckId, Report, Verdict};

pub mod catalogue;
mod notarial;
pub use notarial::{Notarial, notarial_html};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("the package cannot be read: {0}")]
    Package(String),
    #[error("QR code: {0}")]
    Qr(String),
    #[error("messages: {0}")]
    Text(String),
    #[error("writing the workbook: {0}")]
    Xlsx(String),
}

/// Largest screenshot embedded as a thumbnail (bigger ones are named, not embedded).
const MAX_THUMBNAIL: u64 = 3 << 20;

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A QR code of `text` as an SVG image (error correction M, black on white).
pub fn qr_svg(text: &str) -> Result<String, ReportError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ReportError::Qr(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// The report's language(s): one, or two side by side.
pub struct Texts {
    catalogues: Vec<(Lang, Catalogue)>,
}

impl Texts {
    pub fn new(langs: &[Lang]) -> Result<Texts, ReportError> {
        let catalogues = langs
            .iter()
            .map(|l| {
                Ok((
                    *l,
                    Catalogue::new(*l).map_err(|e| ReportError::Text(e.to_string()))?,
                ))
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        if catalogues.is_empty() {
            return Err(ReportError::Text("no language".into()));
        }
        Ok(Texts { catalogues })
    }

    /// The message in every language, HTML-escaped, joined by " / ".
    /// A checked key, or one made at run time from an enum (`step-kind-…`, `env-name-…`).
    fn t(&self, key: impl AsRef<str>) -> String {
        self.t_with(key, &[])
    }

    fn t_with(&self, key: impl AsRef<str>, args: &[(&str, &str)]) -> String {
        self.catalogues
            .iter()
            .map(|(_, c)| esc(&c.t_with(key.as_ref(), args)))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// A check's name in every language (its identifier where the catalogue has none).
    fn check_name(&self, id: &str) -> String {
        let mut names: Vec<String> = self
            .catalogues
            .iter()
            .map(|(_, c)| esc(&c.check_name(id)))
            .collect();
        names.dedup();
        names.join(" / ")
    }

    /// A finding in every language: the English text as given, other languages from the
    /// catalogue message when there is one (else the English text).
    fn said(&self, english: &str, message: Option<&Message>) -> String {
        let mut out: Vec<String> = self
            .catalogues
            .iter()
            .map(|(_, c)| esc(&c.finding(english, message)))
            .collect();
        out.dedup();
        out.join(" / ")
    }

    fn lang_tag(&self) -> &'static str {
        self.catalogues[0].0.tag()
    }
}

/// What the report is built from.
pub struct Input<'a> {
    pub texts: &'a Texts,
    pub src: &'a dyn PackageSource,
    pub subject: Subject<'a>,
    /// The reader's time zone (the operator's), shown beside UTC; `None` or zero: UTC only.
    pub offset: Option<time::UtcOffset>,
    /// The evidence log that serves the verifier page (`/verify`) and the alliance's trust
    /// bundle (`/trust-bundle.json`), as a base URL (`https://log.example.org`): the report's
    /// "how to check" section points to them, and a sealed package's QR code opens the page
    /// with the package's SHA-256 (`/verify#sha256=HEX`).
    pub verifier: Option<&'a str>,
}

/// Where the verifier page and the trust bundle are, beside the log at `base`.
fn verifier_urls(base: &str) -> (String, String) {
    let base = base.trim_end_matches('/');
    (
        format!("{base}{}", webproof_ledger::api::VERIFY_PAGE),
        format!("{base}{}", webproof_ledger::api::TRUST_BUNDLE),
    )
}

/// Which report.
pub enum Subject<'a> {
    /// A sealed package and its verification. `package_sha256` (hex) is the package file's,
    /// which the QR code carries; `None` for a package directory (the QR code then carries the
    /// final chain head).
    Sealed {
        verification: &'a Report,
        package_name: String,
        package_sha256: Option<String>,
    },
    /// A capture being sealed: the report goes into it before the seal step, which names it.
    /// It describes the journal so far with the sealer's verdict on it
    /// (`webproof_verify::verify_before_seal` under the sealer's trust), labelled as such; its
    /// QR code carries the chain head after the last step it shows.
    Sealing {
        case: &'a Case,
        tool_version: &'a str,
        verification: &'a Report,
    },
}

/// A time in the reader's zone with UTC beside it (`2026-11-24 00:42:18 UTC+08:00 ·
/// 2026-11-23T16:42:18.636097Z`), or UTC alone.
pub fn local_and_utc(t: &webproof_evidence::utc::Utc, offset: Option<time::UtcOffset>) -> String {
    let utc = t.to_string();
    let Some(off) = offset.filter(|o| !o.is_utc()) else {
        return utc;
    };
    let local = t.as_offset().to_offset(off);
    let (h, m, _) = off.as_hms();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC{}{:02}:{:02} · {utc}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        if off.is_negative() { '-' } else { '+' },
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Untrusted => "untrusted",
        Verdict::Finding => "finding",
        Verdict::Fail => "fail",
    }
}

fn read_json<T: serde::de::DeserializeOwned>(src: &dyn PackageSource, path: &str) -> Option<T> {
    let b = src.read_all(path, 16 << 20).ok()?;
    serde_json::from_slice(&b).ok()
}

/// The journal's records and the chain head after each.
fn journal(src: &dyn PackageSource) -> Result<(Vec<StepRecord>, Vec<Digests>), ReportError> {
    let b = src
        .read_all(layout::JOURNAL, 256 << 20)
        .map_err(|e| ReportError::Package(e.to_string()))?;
    let parsed =
        webproof_evidence::journal::parse(&b).map_err(|e| ReportError::Package(e.to_string()))?;
    Ok((parsed.records, parsed.heads))
}

fn base64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

const STYLE: &str = r#"
body{font-family:"Noto Sans","Noto Sans CJK SC","DejaVu Sans",sans-serif;font-size:10.5pt;color:#111;margin:24px;max-width:1000px}
h1{font-size:18pt;margin:0 0 4px}h2{font-size:13pt;border-bottom:1px solid #999;margin-top:22px}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border:1px solid #bbb;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#eee}code,.mono{font-family:"DejaVu Sans Mono",monospace;font-size:8.5pt;word-break:break-all}
.pass{color:#0a6b1f;font-weight:bold}.untrusted,.finding{color:#8a5a00;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.ok{color:#0a6b1f}.warning{color:#8a5a00}.finding-fail{color:#b00020}
img.thumb{max-width:220px;max-height:160px;border:1px solid #999}
.head{display:flex;justify-content:space-between;gap:16px}.qr{width:170px;text-align:center;font-size:8pt}
.qr svg{width:160px;height:160px}pre{background:#f4f4f4;padding:6px;white-space:pre-wrap;font-size:8.5pt}
tr{page-break-inside:avoid}
table.kv th{white-space:nowrap;width:1%}code.id{word-break:normal;overflow-wrap:normal;white-space:nowrap}
td.pass,td.untrusted,td.finding,td.fail{white-space:nowrap;width:1%}
"#;

/// A person as the package names them: name, organisation, key and its algorithm.
fn person(tx: &Texts, doc: &IdentityDoc) -> String {
    format!(
        "{}{}<br>{} <code>{}</code> ({})",
        esc(&doc.name),
        doc.organisation
            .as_ref()
            .map(|o| format!(", {}", esc(o)))
            .unwrap_or_default(),
        tx.t(key!("label-key")),
        doc.fingerprint,
        esc(doc.algorithm.as_str())
    )
}

/// A check's verdict word and what it says.
fn said_check(tx: &Texts, c: &webproof_verify::Check) -> String {
    format!(
        "<span class=\"{}\">{}</span> {}",
        verdict_class(c.verdict),
        tx.t(webproof_i18n::verdict_key(c.verdict.as_str())),
        tx.said(&c.detail, Some(&c.message))
    )
}

/// The findings of an environment check (`environment.json`), one table row each.
fn environment_rows(tx: &Texts, env: &serde_json::Value) -> String {
    let mut h = String::new();
    for f in env["findings"].as_array().into_iter().flatten() {
        let grade = f["grade"].as_str().unwrap_or("");
        let class = if grade == "fail" {
            "finding-fail"
        } else {
            grade
        };
        let message: Option<Message> = serde_json::from_value(f["message"].clone()).ok();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            tx.t(format!("env-name-{}", f["id"].as_str().unwrap_or(""))),
            esc(class),
            tx.t(format!("grade-word-{grade}")),
            tx.said(f["summary"].as_str().unwrap_or(""), message.as_ref())
        );
    }
    h
}

/// The report as one self-contained HTML page.
pub fn html(input: &Input<'_>) -> Result<String, ReportError> {
    let src = input.src;
    let tx = input.texts;
    let (recs, heads) = journal(src)?;
    let last = recs
        .last()
        .zip(heads.last())
        .ok_or_else(|| ReportError::Package("an empty journal".into()))?;
    let capture = last.0.capture.clone();
    let mut h = String::new();
    // What the page says about itself: a verdict (sealed), or that it gives none (sealing).
    let (case, tool_version, sealed, v, package_name, qr_text, qr_caption, standing) =
        match &input.subject {
            Subject::Sealed {
                verification,
                package_name,
                package_sha256,
            } => {
                let manifest: Manifest = read_json(src, layout::MANIFEST)
                    .ok_or_else(|| ReportError::Package("no readable manifest".into()))?;
                let verdict = verification.verdict();
                let (qr_text, qr_caption) = match package_sha256 {
                    Some(sha) if input.verifier.is_some() => (
                        format!(
                            "{}#sha256={sha}",
                            verifier_urls(input.verifier.unwrap_or_default()).0
                        ),
                        tx.t(key!("report-qr-caption-page")),
                    ),
                    Some(sha) => (
                        format!("sha256:{sha} {package_name}"),
                        tx.t(key!("report-qr-caption")),
                    ),
                    None => (
                        format!(
                            "webproof chain head sha256:{} capture {}",
                            manifest.journal.head.sha256, manifest.capture
                        ),
                        tx.t(key!("report-qr-caption-head")),
                    ),
                };
                let standing = format!(
                    "<div>{}: <code>{}</code></div><p class=\"{}\">{}</p>",
                    tx.t(key!("report-package-sha256")),
                    esc(package_sha256.as_deref().unwrap_or("—")),
                    verdict_class(verdict),
                    tx.t(match verdict {
                        Verdict::Pass => key!("verdict-pass"),
                        Verdict::Untrusted => key!("verdict-untrusted"),
                        Verdict::Finding => key!("verdict-finding"),
                        Verdict::Fail => key!("verdict-fail"),
                    })
                );
                (
                    manifest.case,
                    manifest.tool.version,
                    Some(manifest.sealed),
                    Some(*verification),
                    package_name.clone(),
                    qr_text,
                    qr_caption,
                    standing,
                )
            }
            Subject::Sealing {
                case,
                tool_version,
                verification,
            } => {
                let (r, head) = last;
                let verdict = verification.verdict();
                (
                    (*case).clone(),
                    (*tool_version).to_owned(),
                    None,
                    Some(*verification),
                    tx.t(key!("report-this-package")),
                    format!(
                        "webproof capture {capture} step {} chain head sha256:{}",
                        r.seq, head.sha256
                    ),
                    tx.t_with(
                        key!("report-qr-caption-step"),
                        &[("seq", &r.seq.to_string())],
                    ),
                    format!(
                        "<p class=\"{}\">{}</p><p><i>{}</i></p>",
                        verdict_class(verdict),
                        tx.t(match verdict {
                            Verdict::Pass => key!("sealer-verdict-pass"),
                            Verdict::Untrusted => key!("sealer-verdict-untrusted"),
                            Verdict::Finding => key!("sealer-verdict-finding"),
                            Verdict::Fail => key!("sealer-verdict-fail"),
                        }),
                        tx.t(key!("report-in-package"))
                    ),
                )
            }
        };
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title><style>{STYLE}</style></head><body>",
        tx.lang_tag(),
        tx.t(key!("report-title")),
        esc(&capture)
    );
    let head_label = match &input.subject {
        Subject::Sealed { .. } => tx.t(key!("report-chain-head")),
        Subject::Sealing { .. } => tx.t_with(
            key!("report-chain-head-step"),
            &[("seq", &last.0.seq.to_string())],
        ),
    };
    let _ = write!(
        h,
        "<div class=\"head\"><div><h1>{}</h1><div>{}: <code>{}</code></div>\
         <div>{}: <code>{}</code>{}</div>\
         <div>{}: SHA-256 <code>{}</code><br>SM3 <code>{}</code></div>\
         {}</div><div class=\"qr\">{}<br>{}</div></div>",
        tx.t(key!("report-title")),
        tx.t(key!("report-package")),
        esc(&package_name),
        tx.t(key!("report-capture")),
        esc(&capture),
        sealed
            .map(|t| format!(
                ", {}",
                tx.t_with(
                    key!("report-sealed"),
                    &[("time", &local_and_utc(&t, input.offset))]
                )
            ))
            .unwrap_or_default(),
        head_label,
        last.1.sha256,
        last.1.sm3,
        standing,
        qr_svg(&qr_text)?,
        qr_caption
    );

    // Case and people.
    let _ = write!(
        h,
        "<h2>{}</h2><table class=\"kv\">",
        tx.t(key!("section-case"))
    );
    let _ = write!(
        h,
        "<tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>webproof {}</td></tr>",
        tx.t(key!("case-id")),
        esc(case.id.as_deref().unwrap_or("—")),
        tx.t(key!("case-note")),
        esc(case.note.as_deref().unwrap_or("—")),
        tx.t(key!("case-tool")),
        esc(&tool_version)
    );
    for role in [Role::Operator, Role::Notary] {
        let Some(doc) = read_json::<IdentityDoc>(src, &layout::identity_path(role)) else {
            continue;
        };
        let id_check = v.and_then(|v| {
            v.checks
                .iter()
                .find(|c| c.id.as_str() == format!("identity.{}", role.as_str()))
        });
        let _ = write!(
            h,
            "<tr><th>{}</th><td>{}<br>{}</td></tr>",
            tx.t(match role {
                Role::Operator => key!("role-operator"),
                Role::Notary => key!("role-notary"),
            }),
            person(tx, &doc),
            id_check.map(|c| said_check(tx, c)).unwrap_or_default()
        );
    }
    h.push_str("</table>");

    // Environment.
    if let Some(env) = recs
        .iter()
        .find(|r| r.kind == StepKind::Environment)
        .and_then(|r| {
            r.artifacts
                .iter()
                .find(|a| a.path.ends_with("environment.json"))
        })
        .and_then(|a| read_json::<serde_json::Value>(src, &a.path))
    {
        let _ = write!(
            h,
            "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            tx.t(key!("section-environment")),
            tx.t(key!("col-finding")),
            tx.t(key!("col-grade")),
            tx.t(key!("col-detail"))
        );
        h.push_str(&environment_rows(tx, &env));
        h.push_str("</table>");
    }

    // Timeline.
    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tx.t(key!("section-timeline")),
        tx.t(key!("col-step")),
        tx.t(key!("col-time")),
        tx.t(key!("col-action")),
        tx.t(key!("col-picture")),
        tx.t(key!("col-head"))
    );
    let not_after = tx.t(key!("not-after"));
    for (r, d) in recs.iter().zip(&heads) {
        let head = format!(
            "SHA-256 <code>{}</code><br>SM3 <code>{}</code>",
            d.sha256, d.sm3
        );
        let trusted = v
            .and_then(|v| v.time.iter().find(|t| t.seq == r.seq))
            .and_then(|t| t.not_after.as_ref())
            .map(|t| format!("<br>{not_after} <b>{}</b>", esc(t)))
            .unwrap_or_default();
        let picture = r
            .artifacts
            .iter()
            .find(|a| a.media_type == "image/png" || a.media_type == "image/jpeg")
            .map(|a| {
                if a.size <= MAX_THUMBNAIL
                    && let Ok(b) = src.read_all(&a.path, MAX_THUMBNAIL)
                {
                    format!(
                        "<img class=\"thumb\" alt=\"{}\" src=\"data:{};base64,{}\">",
                        esc(&a.path),
                        esc(&a.media_type),
                        base64(&b)
                    )
                } else {
                    format!("<code>{}</code> ({} bytes)", esc(&a.path), a.size)
                }
            })
            .unwrap_or_default();
        let mut what = format!("<b>{}</b>", tx.t(format!("step-kind-{}", r.kind.as_str())));
        if let Some(u) = &r.url {
            let _ = write!(what, "<br><code>{}</code>", esc(u));
        }
        if let Some(n) = r.params.get("text").and_then(|t| t.as_str()) {
            // webproof's own note at the session's start is said in the reader's language;
            // what an operator wrote stays as written.
            let n = if n == webproof_evidence::record::BROWSER_STARTED_NOTE {
                tx.t(key!("step-browser-started"))
            } else {
                esc(n)
            };
            let _ = write!(what, "<br>{n}");
        }
        for a in &r.artifacts {
            let _ = write!(
                what,
                "<br><span class=\"mono\">{} · {} B · SHA-256 {}</span>",
                esc(&a.path),
                a.size,
                a.sha256
            );
        }
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
            r.seq,
            esc(&local_and_utc(&r.started, input.offset)),
            trusted,
            what,
            picture,
            head
        );
    }
    h.push_str("</table>");

    // Video.
    let segments: Vec<&StepRecord> = recs
        .iter()
        .filter(|r| r.kind == StepKind::VideoSegment)
        .collect();
    if !segments.is_empty() {
        let _ = write!(
            h,
            "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>SHA-256</th></tr>",
            tx.t(key!("section-video")),
            tx.t(key!("col-segment")),
            tx.t(key!("col-frames"))
        );
        for r in segments {
            let frames = r
                .params
                .get("frames")
                .map(|f| f.to_string())
                .unwrap_or_default();
            let seconds = format!(
                "{:.1}",
                (r.ended.as_offset() - r.started.as_offset()).as_seconds_f64()
            );
            for a in &r.artifacts {
                let _ = write!(
                    h,
                    "<tr><td><code>{}</code></td><td>{} ({} – {})</td><td class=\"mono\">{}</td></tr>",
                    esc(&a.path),
                    tx.t_with(
                        key!("frames-duration"),
                        &[("frames", &frames), ("seconds", &seconds)]
                    ),
                    esc(&local_and_utc(&r.started, input.offset)),
                    esc(&r.ended.to_string()),
                    a.sha256
                );
            }
        }
        h.push_str("</table>");
    }

    // Checks grouped.
    let groups = [
        key!("group-outcome"),
        key!("group-time"),
        key!("group-log"),
        key!("group-signatures"),
        key!("group-chain"),
        key!("group-files"),
    ];
    let checks = v.map(|v| v.checks.as_slice()).unwrap_or_default();
    if !checks.is_empty() {
        let _ = write!(h, "<h2>{}</h2>", tx.t(key!("section-checks")));
    }
    for title in groups {
        let rows: Vec<_> = checks.iter().filter(|c| group(c.id) == title).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(h, "<h3>{}</h3><table>", tx.t(title));
        // Many file digests: summarised unless one fails.
        let files = rows.iter().filter(|c| c.id == CheckId::FileDigest).count();
        let files_ok = rows
            .iter()
            .filter(|c| c.id == CheckId::FileDigest)
            .all(|c| c.verdict == Verdict::Pass);
        if files > 0 && files_ok {
            let _ = write!(
                h,
                "<tr><td class=\"pass\">PASS</td><td>file.digest</td><td>{}</td></tr>",
                tx.t_with(key!("all-files-ok"), &[("count", &files.to_string())])
            );
        }
        for c in rows
            .iter()
            .filter(|c| !(files_ok && c.id == CheckId::FileDigest))
        {
            let _ = write!(
                h,
                "<tr><td class=\"{}\">{}</td><td>{}<br><code class=\"id\">{}</code></td><td><code>{}</code>: {}</td></tr>",
                verdict_class(c.verdict),
                tx.t(webproof_i18n::verdict_key(c.verdict.as_str())),
                tx.check_name(c.id.as_str()),
                esc(c.id.as_str()),
                esc(&c.subject),
                tx.said(&c.detail, Some(&c.message))
            );
        }
        h.push_str("</table>");
    }

    // By hand.
    let in_browser = match input.verifier {
        Some(base) => {
            let (page, bundle) = verifier_urls(base);
            tx.t_with(
                key!("report-in-browser"),
                &[("page", &page), ("bundle", &bundle)],
            )
        }
        None => tx.t(key!("report-in-browser-file")),
    };
    let _ = write!(
        h,
        "<h2>{by_hand}</h2><p>{in_browser}</p>\
         <pre>sha256sum {pkg}                      # {must_print} {sha}\n\
unzip -q {pkg} -d pkg &amp;&amp; cd pkg\n\
sha256sum datapackage.json; cat datapackage-digest.json          # {same_digest}\n\
openssl pkeyutl -verify -pubin -inkey identity/operator.pub.pem -rawin \\\n    -in evidence/manifest.json -sigfile signatures/operator.sig   # Ed25519 (SM2: docs §5)\n\
# {every_file}\n\
sha256sum artifacts/* ; openssl dgst -sm3 -r artifacts/*\n\
# {chain}\n\
sed -n 1p evidence/journal.jsonl | tr -d '\\n' | sha256sum\n\
# {tokens}\n\
openssl ts -verify -queryfile timestamps/NNNNNN-K-tsa.tsq -in timestamps/NNNNNN-K-tsa.tsr -CAfile tsa-root.pem\n\
# {receipts}\n\
python3 verify-receipt.py receipts/NNNNNN-1.json --log-key … --witness-key …\n\
# {video}\n\
ffprobe -v error -count_frames -show_entries stream=nb_read_frames,duration video/segment-000001.mp4</pre>\
         <p>{note}</p>",
        must_print = tx.t(key!("by-hand-must-print")),
        same_digest = tx.t(key!("by-hand-same-digest")),
        every_file = tx.t(key!("by-hand-every-file")),
        chain = tx.t(key!("by-hand-chain")),
        tokens = tx.t(key!("by-hand-tokens")),
        receipts = tx.t(key!("by-hand-receipts")),
        video = tx.t(key!("by-hand-video")),
        by_hand = tx.t(key!("section-by-hand")),
        note = tx.t(key!("by-hand-note")),
        pkg = esc(&package_name),
        sha = match &input.subject {
            Subject::Sealed {
                package_sha256: Some(sha),
                ..
            } => esc(sha),
            _ => tx.t(key!("by-hand-package-sha")),
        }
    );
    h.push_str("</body></html>\n");
    Ok(h)
}

/// The report's section for a check (every check has one: a new check does not compile until
/// it is placed).
fn group(id: CheckId) -> Key {
    use CheckId as C;
    match id {
        C::CaptureOutcome => key!("group-outcome"),
        C::TimestampToken | C::TimestampCoverage | C::RenewalRecord | C::RenewalToken => {
            key!("group-time")
        }
        C::ReceiptDeposit
        | C::ReceiptCoverage
        | C::ReceiptRefresh
        | C::ReceiptNotBefore
        | C::IdentityRevocation => key!("group-log"),
        C::SignatureOperator
        | C::SignatureNotary
        | C::IdentityOperator
        | C::IdentityNotary
        | C::IdentityRole
        | C::IdentitySubject
        | C::IdentityDistinct
        | C::ReviewRecord
        | C::ReviewSignature
        | C::ReviewIdentity
        | C::ReviewToken
        | C::ReviewTime
        | C::SupervisionStatement
        | C::SupervisionLive => key!("group-signatures"),
        C::JournalChain
        | C::JournalHeads
        | C::StepArtifact
        | C::SealSigners
        | C::SealManifest
        | C::SealFiles => key!("group-chain"),
        C::PackageContainer
        | C::PackageStructure
        | C::ManifestRead
        | C::ManifestParse
        | C::FileDigest
        | C::FileUnlisted
        | C::WaczDatapackage
        | C::WaczDigest => key!("group-files"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_the_readers_zone_beside_utc() {
        let t = webproof_evidence::utc::Utc::parse("2026-11-23T16:42:18.636097Z").unwrap();
        let cst = time::UtcOffset::from_hms(8, 0, 0).unwrap();
        assert_eq!(
            local_and_utc(&t, Some(cst)),
            "2026-11-24 00:42:18 UTC+08:00 · 2026-11-23T16:42:18.636097Z"
        );
        let ny = time::UtcOffset::from_hms(-5, 0, 0).unwrap();
        assert!(local_and_utc(&t, Some(ny)).starts_with("2026-11-23 11:42:18 UTC-05:00"));
        assert_eq!(local_and_utc(&t, None), "2026-11-23T16:42:18.636097Z");
        assert_eq!(
            local_and_utc(&t, Some(time::UtcOffset::UTC)),
            "2026-11-23T16:42:18.636097Z"
        );
    }

    #[test]
    fn text_is_escaped_and_qr_codes_are_svg() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let svg = qr_svg("sha256:00ff").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
