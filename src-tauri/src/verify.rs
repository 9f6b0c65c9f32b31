//! Verify screen: `webproof verify --json` (the same verifier, policy and trust settings as
//! the command line), plus what the window shows beside the checks — the step timeline from
//! the package's journal, its screenshots, video segments and subtitles, served read-only
//! from inside the package by the `evidence:` protocol.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tauri::State;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::wacz::Page;
use webproof_evidence::{journal, layout};

use crate::AppState;
use crate::error::{AppError, AppResult, ErrorKind};
use webproof_engine::verification::Verification;

/// One check, as the verifier named and judged it.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct CheckView {
    pub id: String,
    /// The check's name in the window's language.
    pub name: String,
    pub subject: String,
    /// `pass`, `untrusted` or `fail`.
    pub verdict: String,
    /// What was found, in the window's language where the catalogue has it (else English).
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct ArtifactView {
    pub path: String,
    pub media_type: String,
    pub sha256: String,
    pub sm3: String,
    /// Size in bytes (as a number the window can show).
    pub size: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct StepView {
    pub seq: u32,
    pub kind: String,
    pub url: Option<String>,
    pub started: String,
    pub ended: String,
    /// The step record's digests.
    pub sha256: String,
    pub sm3: String,
    pub artifacts: Vec<ArtifactView>,
    /// The earliest trusted time that covers the step, if any.
    pub not_after: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct VerifyView {
    pub package: String,
    /// `PASS`, `UNTRUSTED`, `FINDING` or `FAIL` (the engine's exit status: 0, 3, 4, 1).
    pub verdict: String,
    pub capture: Option<String>,
    pub head_sha256: Option<String>,
    pub head_sm3: Option<String>,
    pub checks: Vec<CheckView>,
    /// Empty when the journal could not be read (the checks say why).
    pub steps: Vec<StepView>,
    pub videos: Vec<String>,
    pub subtitles: Option<String>,
    pub reports: Vec<String>,
    /// The package path as the `evidence:` protocol names it.
    pub key: String,
    /// The archived pages (pages/pages.jsonl), replayed at `replay://<replay_key>/<url>`.
    pub pages: Vec<PageView>,
    pub replay_key: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct PageView {
    pub url: String,
    pub title: String,
    pub ts: String,
}

/// Verifies with the engine and reads the timeline.
pub fn run_verify(state: &AppState, path: &Path) -> AppResult<VerifyView> {
    if !path.exists() {
        return Err(AppError::said(
            ErrorKind::NotFound,
            "app-err-not-there",
            format!("{} does not exist", path.display()),
            &[("path", &path.display())],
        ));
    }
    let p = path.display().to_string();
    let out = crate::engine::run(state.engine(&["verify", "--json", &p]))?;
    let v: Verification = serde_json::from_str(&out.stdout).map_err(|_| {
        AppError::new(
            ErrorKind::Command,
            format!("verify: {}", crate::engine::failure(&out.stderr)),
        )
    })?;
    let checks: Vec<CheckView> = v
        .checks
        .iter()
        .map(|c| CheckView {
            id: c.id.to_string(),
            name: c.name.clone(),
            subject: c.subject.clone(),
            verdict: c.verdict.as_str().to_lowercase(),
            detail: c.text.clone(),
        })
        .collect();
    let times: Vec<(u64, Option<String>)> = v
        .time
        .iter()
        .map(|t| (t.seq, t.not_after.clone()))
        .collect();
    let verdict = v.verdict.as_str().to_owned();
    let head = v.chain_head;
    let (steps, members, pages) = timeline(path).unwrap_or_default();
    let steps = steps
        .into_iter()
        .map(|mut st| {
            st.not_after = times
                .iter()
                .find(|(q, _)| *q == u64::from(st.seq))
                .and_then(|(_, t)| t.clone());
            st
        })
        .collect();
    let pick = |is: &dyn Fn(&str) -> bool| -> Vec<String> {
        members.iter().filter(|m| is(m)).cloned().collect()
    };
    Ok(VerifyView {
        package: p.clone(),
        verdict,
        capture: v.capture,
        head_sha256: head.map(|h| h.sha256.to_hex()),
        head_sm3: head.map(|h| h.sm3.to_hex()),
        checks,
        steps,
        videos: pick(&|m| layout::is_video(m, "mp4")),
        subtitles: pick(&|m| layout::is_video(m, "vtt")).into_iter().next(),
        reports: pick(&layout::is_report),
        key: p,
        replay_key: state.replays.register(path),
        pages,
    })
}

/// The package's steps and its member names (for a hostile package: whatever can be read).
type Timeline = (Vec<StepView>, Vec<String>, Vec<PageView>);

fn timeline(path: &Path) -> Result<Timeline, String> {
    let src = package::open(path, &Limits::default()).map_err(|e| e.to_string())?;
    let members: Vec<String> = src.entries().iter().map(|e| e.name.clone()).collect();
    let pages = src
        .read_all(layout::PAGES, 16 << 20)
        .map(|b| {
            Page::parse_all(&String::from_utf8_lossy(&b))
                .into_iter()
                .map(|p| PageView {
                    url: p.url,
                    title: p.title,
                    ts: p.ts,
                })
                .collect()
        })
        .unwrap_or_default();
    let bytes = src
        .read_all(layout::JOURNAL, 256 << 20)
        .map_err(|e| e.to_string())?;
    let parsed = journal::parse(&bytes).map_err(|e| e.to_string())?;
    let steps = parsed
        .records
        .iter()
        .zip(&parsed.heads)
        .map(|(r, d)| {
            let d: Option<&webproof_evidence::digest::Digests> = Some(d);
            StepView {
                seq: r.seq as u32,
                kind: r.kind.as_str().to_owned(),
                url: r.url.clone(),
                started: r.started.to_string(),
                ended: r.ended.to_string(),
                sha256: d.map(|d| d.sha256.to_hex()).unwrap_or_default(),
                sm3: d.map(|d| d.sm3.to_hex()).unwrap_or_default(),
                artifacts: r
                    .artifacts
                    .iter()
                    .map(|a| ArtifactView {
                        path: a.path.clone(),
                        media_type: a.media_type.clone(),
                        sha256: a.sha256.to_hex(),
                        sm3: a.sm3.to_hex(),
                        size: a.size as f64,
                    })
                    .collect(),
                not_after: None,
            }
        })
        .collect();
    Ok((steps, members, pages))
}

#[tauri::command]
#[specta::specta]
pub async fn verify_package(state: State<'_, AppState>, path: String) -> AppResult<VerifyView> {
    let path = PathBuf::from(path.trim());
    let st = state.inner().clone_for_worker();
    crate::engine::in_background(move || run_verify(&st, &path)).await
}

/// Records a verification's verdict on a case's package.
#[tauri::command]
#[specta::specta]
pub fn remember_verdict(
    state: State<'_, AppState>,
    case_id: String,
    package_id: String,
    verdict: String,
) -> AppResult<()> {
    state.cases.update_package(
        &case_id,
        &package_id,
        webproof_cases::PackageUpdate {
            verdict: Some(verdict),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// What became of a package the engine was making.
pub struct Outcome {
    pub status: webproof_cases::PackageStatus,
    pub verdict: Option<String>,
    pub report: Option<PathBuf>,
    pub detail: Option<String>,
}

/// After the engine ended (`ok`: it exited 0): the package's status (sealed; sealed after an
/// interruption; nothing written), its verification under the user's trust settings and a
/// copy of its report beside it, all recorded on the case's package.
pub fn settle(
    state: &AppState,
    case: &str,
    package: &str,
    out: &Path,
    ok: bool,
    head: Option<String>,
    detail: Option<String>,
) -> AppResult<Outcome> {
    use webproof_cases::PackageStatus;
    let (status, detail) = match (out.is_file(), ok) {
        (true, true) => (PackageStatus::Sealed, detail),
        (true, false) => (PackageStatus::Interrupted, detail),
        (false, _) => (
            PackageStatus::Failed,
            detail.or_else(|| Some("the engine wrote no package".into())),
        ),
    };
    let (verdict, report) = if status == PackageStatus::Failed {
        (None, None)
    } else {
        (
            run_verify(state, out).ok().map(|v| v.verdict),
            extract_report(out).ok().flatten(),
        )
    };
    state.cases.update_package(
        case,
        package,
        webproof_cases::PackageUpdate {
            status: Some(status),
            head,
            verdict: verdict.clone(),
            detail: detail.clone(),
        },
    )?;
    Ok(Outcome {
        status,
        verdict,
        report,
        detail,
    })
}

/// Copies the package's report (PDF if there is one, else HTML) beside the package as
/// `NAME.report.pdf|html`, so it can be opened and sent without unpacking; returns its path.
pub fn extract_report(pkg: &Path) -> AppResult<Option<PathBuf>> {
    let src = package::open(pkg, &Limits::default())
        .map_err(|e| AppError::io("app-err-io-read", pkg.display(), e))?;
    for (member, ext) in [
        (layout::REPORT_PDF, "report.pdf"),
        (layout::REPORT_HTML, "report.html"),
    ] {
        if src.as_ref().entry(member).is_some() {
            let bytes = src
                .read_all(member, 512 << 20)
                .map_err(|e| AppError::io("app-err-io-read", member, e))?;
            let out = pkg.with_extension(ext);
            std::fs::write(&out, bytes)
                .map_err(|e| AppError::io("app-err-io-write", out.display(), e))?;
            return Ok(Some(out));
        }
    }
    Ok(None)
}

/// `evidence://localhost/<member>?package=<path>`: a file from inside a package, read-only,
/// through the hostile-safe package reader. Only media the window shows are served.
pub fn serve(uri: &str) -> (u16, &'static str, Vec<u8>) {
    let Some((path_part, query)) = uri.split_once('?') else {
        return (400, "text/plain", b"no package".to_vec());
    };
    let member = path_part
        .split_once("://")
        .map(|(_, r)| r)
        .and_then(|r| r.split_once('/'))
        .map(|(_, m)| percent_decode(m))
        .unwrap_or_default();
    let pkg = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("package="))
        .map(percent_decode)
        .unwrap_or_default();
    let mime = match member.rsplit('.').next().unwrap_or("") {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "mp4" => "video/mp4",
        "vtt" => "text/vtt",
        "pdf" => "application/pdf",
        // HTML from a captured site is shown as text, never run in the app's window.
        "html" | "htm" | "mhtml" => "text/plain; charset=utf-8",
        _ => return (403, "text/plain", b"not served".to_vec()),
    };
    let src = match package::open(Path::new(&pkg), &Limits::default()) {
        Ok(s) => s,
        Err(e) => return (404, "text/plain", e.to_string().into_bytes()),
    };
    match src.read_all(&member, 1 << 30) {
        Ok(b) => (200, mime, b),
        Err(e) => (404, "text/plain", e.to_string().into_bytes()),
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%2Ftmp%2Fa%20b.wacz"), "/tmp/a b.wacz");
        assert_eq!(percent_decode("%E8%AF%81"), "证");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn only_media_are_served() {
        let (code, _, _) = serve("evidence://localhost/evidence/journal.jsonl?package=%2Ftmp%2Fx");
        assert_eq!(code, 403);
        let (code, _, body) = serve("evidence://localhost/a.png?package=%2Fnonexistent.wacz");
        assert_eq!(code, 404);
        assert!(!body.is_empty());
        let (code, _, _) = serve("evidence://localhost/a.png");
        assert_eq!(code, 400);
    }
}
