//! New capture, environment check, live session and sealing screens. The capture runs in a
//! child `webproof capture --events` process (docs/app-events.md): its JSON lines become
//! typed [`CaptureEvent`]s for the window, and the window's buttons become the manual-mode
//! commands on its stdin (`s`, `n TEXT`, `q`).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::ChildStdin;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event as _;
use webproof_cases::{PackageKind, PackageRef, PackageStatus};
use webproof_engine::events::{EnvFinding, Event, Sealed};

use crate::error::{AppError, AppResult, ErrorKind};
use crate::{AppState, engine};

/// A capture profile the window offers.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct ProfileInfo {
    pub name: String,
    pub description: String,
}

#[tauri::command]
#[specta::specta]
pub fn profiles(state: State<'_, AppState>) -> Vec<ProfileInfo> {
    // Described in the window's language (a shipped profile's text is in the catalogue).
    let lang = webproof_i18n::Lang::parse(&crate::settings::lang(&state.home))
        .unwrap_or(webproof_i18n::Lang::En);
    let cat = webproof_i18n::Catalogue::new(lang).ok();
    webproof_capture::profile::BUILTIN
        .iter()
        .filter_map(|(n, t)| webproof_capture::profile::Profile::parse(n, t).ok())
        .map(|p| ProfileInfo {
            description: cat.as_ref().map_or_else(
                || p.description.clone(),
                |c| c.profile_description(&p.name, &p.description),
            ),
            name: p.name,
        })
        .collect()
}

/// The profile whose URL patterns match `url`, else `generic`.
#[tauri::command]
#[specta::specta]
pub fn suggest_profile(url: String) -> String {
    webproof_capture::profile::suggest(&url).to_owned()
}

/// One finding of the environment check.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct Finding {
    pub id: String,
    /// `ok`, `warning` or `fail`.
    pub grade: String,
    /// What was found, in the window's language where the catalogue has it.
    pub summary: String,
    /// The finding's evidence, as pretty JSON.
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct EnvironmentView {
    pub worst: String,
    pub findings: Vec<Finding>,
}

fn worst(f: &[Finding]) -> String {
    let rank = |g: &str| match g {
        "fail" => 2,
        "warning" => 1,
        _ => 0,
    };
    f.iter()
        .map(|f| f.grade.as_str())
        .max_by_key(|g| rank(g))
        .unwrap_or("ok")
        .to_owned()
}

/// The environment check before a capture (`webproof env-check --json URL`); the capture
/// itself runs it again as step 0, which is what the package keeps.
#[tauri::command]
#[specta::specta]
pub async fn check_environment(
    state: State<'_, AppState>,
    url: String,
) -> AppResult<EnvironmentView> {
    let url = check_url(&url)?;
    let c = state.engine(&["env-check", "--json", &url]);
    let out = engine::in_background(move || engine::run(c)).await?;
    // Exit 1 means a finding fails: still a report.
    /// What `env-check --json` says (the rest of its report is not shown).
    #[derive(Deserialize)]
    struct Checked {
        findings: Vec<EnvFinding>,
    }
    let checked: Checked = serde_json::from_str(&out.stdout).map_err(|_| {
        AppError::new(
            ErrorKind::Command,
            format!("environment check: {}", engine::failure(&out.stderr)),
        )
    })?;
    let f: Vec<Finding> = checked.findings.iter().map(finding_of).collect();
    Ok(EnvironmentView {
        worst: worst(&f),
        findings: f,
    })
}

/// `url` trimmed, if it is a web address (http:// or https://).
pub(crate) fn check_url(url: &str) -> AppResult<String> {
    let u = url.trim();
    if !(u.starts_with("http://") || u.starts_with("https://")) || u.len() < 10 {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-not-url",
            format!("{u:?} is not a web address (http:// or https://)"),
            &[("url", &u)],
        ));
    }
    Ok(u.to_owned())
}

/// What the operator asked for on the New capture screen.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct CaptureRequest {
    pub case: String,
    pub url: String,
    /// A shipped profile, or `None` for manual mode (the operator drives the browser).
    pub profile: Option<String>,
    /// The operator key's passphrase.
    pub passphrase: String,
    /// Supervised by a notary on this computer: the notary's home and passphrase.
    pub notary: Option<NotaryLogin>,
    /// Supervised live by a notary on another computer (docs/supervision.md): the address
    /// (host:port) of this computer the notary's webproof connects to, which the join code
    /// names.
    pub supervise_listen: Option<String>,
    /// The reason the operator typed to capture despite a failing environment finding.
    pub override_reason: Option<String>,
    /// Report language: `en`, `zh-CN` or `both`.
    pub report_lang: String,
}

#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct NotaryLogin {
    pub home: String,
    pub passphrase: String,
}

/// What the live session screen hears.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum CaptureEvent {
    Environment {
        worst: String,
        findings: Vec<Finding>,
    },
    Step {
        seq: u32,
        kind: String,
        url: Option<String>,
        time: String,
        /// Digests of the step record (SHA-256, SM3).
        sha256: String,
        sm3: String,
        artifacts: Vec<String>,
    },
    Trust {
        tsas: u32,
        quorum: u32,
        stamped_by: u32,
        stamped_seq: Option<u32>,
        log: bool,
        deposited: u32,
    },
    Phase {
        phase: String,
    },
    Line {
        text: String,
    },
    /// Live supervision: `waiting` (with the join `code`), `joined`, `stated`, `refused`.
    Supervision {
        state: String,
        code: Option<String>,
        notary: Option<String>,
        text: String,
    },
    Finished(Finished),
}

/// The end of a capture: where the package and its report are, and what verification said.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct Finished {
    pub case: String,
    pub package_id: String,
    pub status: PackageStatus,
    pub package: String,
    pub report: Option<String>,
    pub head: Option<String>,
    pub verdict: Option<String>,
    pub message: Option<String>,
}

/// A running capture.
pub struct Live {
    stdin: ChildStdin,
    pub package: PackageRef,
}

/// The window's view of one engine event; `None` for events the window does not show.
pub fn translate(event: Event) -> Option<CaptureEvent> {
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    Some(match event {
        Event::Environment { worst, findings } => CaptureEvent::Environment {
            worst: worst.as_str().to_owned(),
            findings: findings.iter().map(finding_of).collect(),
        },
        Event::Step(s) => CaptureEvent::Step {
            seq: u32::try_from(s.seq).unwrap_or(u32::MAX),
            kind: s.kind.as_str().to_owned(),
            url: s.url,
            time: s.time.to_string(),
            sha256: s.sha256.map(|h| h.to_hex()).unwrap_or_default(),
            sm3: s.sm3.map(|h| h.to_hex()).unwrap_or_default(),
            artifacts: s.artifacts.into_iter().map(|a| a.path).collect(),
        },
        Event::Trust(t) => CaptureEvent::Trust {
            tsas: n(t.tsas),
            quorum: n(t.quorum),
            stamped_by: n(t.stamped_by),
            stamped_seq: t.stamped_seq.map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
            log: t.log,
            deposited: n(t.deposited),
        },
        Event::Phase { phase } => CaptureEvent::Phase {
            phase: phase.as_str().to_owned(),
        },
        Event::Line { text } => CaptureEvent::Line { text },
        Event::Supervision(s) => CaptureEvent::Supervision {
            state: s.state.as_str().to_owned(),
            code: s.code,
            notary: s.notary,
            text: s.text,
        },
        Event::Sealed(_) | Event::Error { .. } => return None,
    })
}

/// A finding of step 0 for the window: its text in the window's language, else its English
/// summary.
fn finding_of(f: &EnvFinding) -> Finding {
    Finding {
        id: f.id.clone(),
        grade: f.grade.as_str().to_owned(),
        summary: if f.text.is_empty() {
            f.summary.clone()
        } else {
            f.text.clone()
        },
        detail: serde_json::to_string_pretty(&f.detail).unwrap_or_default(),
    }
}

/// Starts a capture for a case; its events follow as [`CaptureEvent`]s.
#[tauri::command]
#[specta::specta]
pub fn start_capture(
    app: AppHandle,
    state: State<'_, AppState>,
    req: CaptureRequest,
) -> AppResult<PackageRef> {
    let url = check_url(&req.url)?;
    crate::error::need_passphrase(&req.passphrase)?;
    let mut live = state
        .live
        .lock()
        .map_err(|_| AppError::new(ErrorKind::Busy, "the capture state is poisoned"))?;
    if live.is_some() {
        return Err(AppError::said(
            ErrorKind::Busy,
            "app-err-busy",
            "a capture is already running; finish it first",
            &[],
        ));
    }
    let case = state.cases.get(&req.case)?;
    let out = state.new_package_path(&case.id, "capture")?;
    let out_s = out.display().to_string();
    let lang = crate::report_lang(&req.report_lang)?;
    let mut args: Vec<String> = vec![
        "capture".into(),
        url.clone(),
        "--out".into(),
        out_s.clone(),
        "--events".into(),
        "--case".into(),
        case.matter.clone(),
        "--lang".into(),
        lang,
        // The judge's copy: the report as PDF too, beside the package and inside it.
        "--report-pdf".into(),
    ];
    match &req.profile {
        Some(p) => args.extend(["--profile".into(), p.clone()]),
        None => {
            let display = std::env::var("DISPLAY").unwrap_or_default();
            if display.is_empty() {
                return Err(AppError::input(
                    "app-err-no-display",
                    "manual mode needs a desktop session (DISPLAY) to show the browser",
                ));
            }
            args.extend(["--manual".into(), "--display".into(), display]);
        }
    }
    if let Some(r) = req.override_reason.as_deref().map(str::trim)
        && !r.is_empty()
    {
        args.extend(["--override-env".into(), r.to_owned()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = state.engine(&argv);
    cmd.env("WEBPROOF_PASSPHRASE", &req.passphrase);
    match (&req.notary, req.supervise_listen.as_deref().map(str::trim)) {
        (Some(_), Some(_)) => {
            return Err(AppError::input(
                "app-err-two-notaries",
                "a capture is supervised by a notary on this computer or live from another, not both",
            ));
        }
        (Some(n), None) => {
            cmd.arg("--notary-home")
                .arg(&n.home)
                .env("WEBPROOF_NOTARY_PASSPHRASE", &n.passphrase);
        }
        (None, Some(addr)) => {
            if addr.parse::<std::net::SocketAddr>().is_err() {
                return Err(AppError::said(
                    ErrorKind::Input,
                    "app-err-listen",
                    format!(
                        "{addr:?} is not an address and port of this computer (such as 192.168.1.5:7117)"
                    ),
                    &[("addr", &addr)],
                ));
            }
            cmd.args(["--supervised", "--supervise-listen", addr]);
        }
        (None, None) => {}
    }
    let engine::Piped {
        mut child,
        stdin,
        stdout,
        stderr,
    } = engine::spawn_piped(cmd, &state.bin, "capture")?;
    let (c, pid) = state.cases.add_package(
        &case.id,
        PackageKind::Capture,
        &out_s,
        &url,
        PackageStatus::Running,
    )?;
    let package = c
        .packages
        .iter()
        .find(|p| p.id == pid)
        .cloned()
        .ok_or_else(|| AppError::new(ErrorKind::Store, "the new package is not in its case"))?;
    *live = Some(Live {
        stdin,
        package: package.clone(),
    });
    drop(live);

    // stderr: kept for the error message, each line also shown in the session log.
    let tail = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (tail2, app2) = (tail.clone(), app.clone());
    let err_reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut t) = tail2.lock() {
                t.push_str(&line);
                t.push('\n');
                if t.len() > 64 * 1024 {
                    let cut = t.len() - 32 * 1024;
                    let cut = (cut..t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(0);
                    t.drain(..cut);
                }
            }
            let _ = CaptureEvent::Line {
                text: line.trim().to_owned(),
            }
            .emit(&app2);
        }
    });
    let (case_id, st) = (case.id.clone(), state.inner().clone_for_worker());
    std::thread::spawn(move || {
        let mut sealed: Option<Sealed> = None;
        let mut error: Option<String> = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Some(event) = Event::parse(&line) else {
                continue;
            };
            match &event {
                Event::Sealed(s) => sealed = Some(s.clone()),
                Event::Error { message, .. } => error = Some(message.clone()),
                _ => {}
            }
            if let Some(ev) = translate(event) {
                let _ = ev.emit(&app);
            }
        }
        let code = child.wait().ok().and_then(|s| s.code());
        let _ = err_reader.join();
        let stderr_tail = tail.lock().map(|t| t.clone()).unwrap_or_default();
        let done = finish(
            &app,
            &st,
            &case_id,
            &pid,
            &out,
            sealed,
            error,
            code,
            &stderr_tail,
        );
        if let Ok(mut l) = st.live.lock() {
            *l = None;
        }
        let _ = CaptureEvent::Finished(done).emit(&app);
    });
    Ok(package)
}

/// After the capture process ended: the outcome recorded, verified and its report copied
/// beside the package ([`crate::verify::settle`]), for the window.
#[allow(clippy::too_many_arguments)]
fn finish(
    app: &AppHandle,
    st: &AppState,
    case: &str,
    pid: &str,
    out: &Path,
    sealed: Option<Sealed>,
    error: Option<String>,
    code: Option<i32>,
    stderr: &str,
) -> Finished {
    let ok = code == Some(0);
    let message = error.or_else(|| (!ok).then(|| engine::failure(stderr)));
    let head = sealed.map(|s| s.chain_head.sha256.to_hex());
    if out.is_file() {
        let _ = CaptureEvent::Phase {
            phase: "app-verify".into(),
        }
        .emit(app);
    }
    let (status, verdict, report, message) =
        match crate::verify::settle(st, case, pid, out, ok, head.clone(), message.clone()) {
            Ok(o) => (o.status, o.verdict, o.report, o.detail),
            // The case store failed: the window still says what happened to the package.
            Err(e) => (
                if out.is_file() {
                    PackageStatus::Interrupted
                } else {
                    PackageStatus::Failed
                },
                None,
                None,
                Some(format!("{}; {}", message.unwrap_or_default(), e.message)),
            ),
        };
    Finished {
        case: case.to_owned(),
        package_id: pid.to_owned(),
        status,
        package: out.display().to_string(),
        report: report.map(|p: PathBuf| p.display().to_string()),
        head,
        verdict,
        message,
    }
}

/// What the live session's buttons send.
#[derive(Clone, Debug, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum LiveCommand {
    /// Full-page screenshot and DOM snapshot of the active tab, now.
    Screenshot,
    /// A note in the journal.
    Note { text: String },
    /// End the session and seal.
    Finish,
}

#[tauri::command]
#[specta::specta]
pub fn capture_command(state: State<'_, AppState>, command: LiveCommand) -> AppResult<()> {
    let mut live = state
        .live
        .lock()
        .map_err(|_| AppError::new(ErrorKind::NoSession, "the capture state is poisoned"))?;
    let Some(l) = live.as_mut() else {
        return Err(AppError::said(
            ErrorKind::NoSession,
            "app-err-no-session",
            "no capture is running",
            &[],
        ));
    };
    let line = match command {
        LiveCommand::Screenshot => "s".to_owned(),
        LiveCommand::Note { text } => {
            let t = text.replace(['\r', '\n'], " ");
            if t.trim().is_empty() {
                return Err(AppError::input("app-err-note-empty", "the note is empty"));
            }
            format!("n {}", t.trim())
        }
        LiveCommand::Finish => "q".to_owned(),
    };
    writeln!(l.stdin, "{line}")
        .and_then(|_| l.stdin.flush())
        .map_err(|e| AppError::io("app-err-io-send", "webproof capture", e))
}

/// The capture running now, if any.
#[tauri::command]
#[specta::specta]
pub fn live_capture(state: State<'_, AppState>) -> AppResult<Option<PackageRef>> {
    let live = state
        .live
        .lock()
        .map_err(|_| AppError::new(ErrorKind::NoSession, "the capture state is poisoned"))?;
    Ok(live.as_ref().map(|l| l.package.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's own events, written as the CLI writes them and read back as the window
    /// reads them.
    #[test]
    fn engine_events_become_typed_events() {
        use webproof_evidence::digest::digest_bytes;
        use webproof_evidence::record::{Artifact, StepKind};
        let d = digest_bytes(b"x");
        let step = Event::Step(webproof_engine::events::StepEvent {
            seq: 3,
            kind: StepKind::Screenshot,
            url: Some("http://127.0.0.1:8000/".into()),
            time: webproof_evidence::utc::Utc::parse("2026-11-23T18:00:00.000000Z").unwrap(),
            artifacts: vec![Artifact {
                path: "artifacts/000003-screenshot.png".into(),
                media_type: "image/png".into(),
                size: 10,
                sha256: d.sha256,
                sm3: d.sm3,
            }],
            sha256: Some(d.sha256),
            sm3: Some(d.sm3),
        });
        match Event::parse(&step.to_line()).and_then(translate) {
            Some(CaptureEvent::Step {
                seq,
                kind,
                artifacts,
                sha256,
                ..
            }) => {
                assert_eq!((seq, kind.as_str()), (3, "screenshot"));
                assert_eq!(sha256, d.sha256.to_hex());
                assert_eq!(artifacts, vec!["artifacts/000003-screenshot.png"]);
            }
            other => panic!("{other:?}"),
        }
        let trust = r#"{"event":"trust","tsas":2,"quorum":1,"stamped_seq":4,"stamped_by":2,"log":true,"deposited":3}"#;
        assert!(matches!(
            Event::parse(trust).and_then(translate),
            Some(CaptureEvent::Trust {
                tsas: 2,
                stamped_by: 2,
                stamped_seq: Some(4),
                log: true,
                deposited: 3,
                ..
            })
        ));
        let env = r#"{"event":"environment","worst":"warning","findings":[{"id":"hosts","grade":"warning","summary":"s","detail":{"a":1}}]}"#;
        match Event::parse(env).and_then(translate) {
            Some(CaptureEvent::Environment { worst, findings }) => {
                assert_eq!(worst, "warning");
                assert_eq!(
                    (findings[0].id.as_str(), findings[0].summary.as_str()),
                    ("hosts", "s")
                );
                assert!(findings[0].detail.contains("\"a\": 1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(Event::parse("not json").is_none());
        // A line is shown; the error is the outcome, said when the capture has finished.
        assert!(
            Event::parse(r#"{"event":"line","text":"t"}"#)
                .and_then(translate)
                .is_some()
        );
        assert!(
            Event::parse(r#"{"event":"error","message":"m","detail":"d"}"#)
                .and_then(translate)
                .is_none()
        );
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url(" http://127.0.0.1:8000/ ").is_ok());
        assert_eq!(
            check_url("ftp://x.example/").map_err(|e| e.kind),
            Err(ErrorKind::Input)
        );
    }

    #[test]
    fn worst_grade() {
        let f = |g: &str| Finding {
            id: "x".into(),
            grade: g.into(),
            summary: String::new(),
            detail: String::new(),
        };
        assert_eq!(worst(&[f("ok"), f("fail"), f("warning")]), "fail");
        assert_eq!(worst(&[f("ok"), f("warning")]), "warning");
        assert_eq!(worst(&[]), "ok");
    }
}
