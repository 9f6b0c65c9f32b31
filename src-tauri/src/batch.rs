//! The Batch screen: many URLs of a case captured as one durable queue, run as a child
//! `webproof batch URLS --out DIR --events` (docs/app-events.md). Each URL's package joins the
//! case as its capture starts (running) and is settled as it ends; the window hears typed
//! [`BatchScreenEvent`]s. Stop starts no more captures (a `stop` line on the batch's stdin);
//! starting the same case's batch again goes on where it stopped.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event as _;
use webproof_cases::{PackageKind, PackageStatus, PackageUpdate};
use webproof_engine::events::{BatchEvent, UrlState};

use crate::error::{AppError, AppResult, ErrorKind};
use crate::{AppState, engine};

/// What the Batch screen asks for.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct BatchRequest {
    pub case: String,
    /// The URLs, one per line (empty lines and lines starting with # are skipped).
    pub urls: String,
    /// Captures at the same time (1–4).
    pub parallel: u16,
    /// Without the Xvfb display and the screen recording.
    pub headless: bool,
    /// The batch's disk quota in MiB, if any.
    pub max_total_mb: Option<u32>,
    pub passphrase: String,
}

/// What the Batch screen hears.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BatchScreenEvent {
    /// The URLs, in order (URL `n` is `urls[n-1]`), and those an earlier run ended.
    Queue {
        urls: Vec<String>,
        done: Vec<u32>,
        text: String,
    },
    /// URL `n` is `started`, `sealed`, `interrupted`, `failed` or `skipped`.
    Url {
        n: u32,
        url: String,
        state: String,
        package: Option<String>,
        reason: Option<String>,
        text: String,
    },
    /// The batch ended (`ok`: every URL sealed); the summary file.
    Ended {
        ok: bool,
        summary: Option<String>,
        text: String,
    },
}

fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The URLs of `text`: http(s) lines, in order.
fn urls_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Starts the batch of `req`; its events follow as [`BatchScreenEvent`]s.
#[tauri::command]
#[specta::specta]
pub fn start_batch(app: AppHandle, state: State<'_, AppState>, req: BatchRequest) -> AppResult<()> {
    let urls = urls_of(&req.urls);
    if let Some(bad) = urls
        .iter()
        .find(|u| !(u.starts_with("http://") || u.starts_with("https://")))
    {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-batch-url",
            format!("{bad:?} is not an http:// or https:// URL"),
            &[("url", bad)],
        ));
    }
    if urls.is_empty() {
        return Err(AppError::input(
            "app-err-batch-empty",
            "the batch lists no URL",
        ));
    }
    crate::error::need_passphrase(&req.passphrase)?;
    let mut slot = state
        .batching
        .lock()
        .map_err(|_| AppError::new(ErrorKind::Busy, "the batch state is poisoned"))?;
    if slot.is_some() {
        return Err(AppError::said(
            ErrorKind::Busy,
            "app-err-batching",
            "a batch is already running; stop it first",
            &[],
        ));
    }
    let case = state.cases.get(&req.case)?;
    // One batch folder per case: running it again goes on where it stopped.
    let dir = state.home.join("cases").join(&case.id).join("batch");
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::io("app-err-io-create", dir.display(), e))?;
    let list = dir.join("urls.txt");
    std::fs::write(&list, urls.join("\n") + "\n")
        .map_err(|e| AppError::io("app-err-io-write", list.display(), e))?;
    let (list_s, dir_s) = (list.display().to_string(), dir.display().to_string());
    let parallel = req.parallel.clamp(1, 4).to_string();
    let mut args: Vec<String> = vec![
        "batch".into(),
        list_s,
        "--out".into(),
        dir_s,
        "--events".into(),
        "--case".into(),
        case.matter.clone(),
        "--parallel".into(),
        parallel,
    ];
    if let Some(m) = req.max_total_mb {
        args.extend(["--max-total-mb".into(), m.max(1).to_string()]);
    }
    args.push("--".into());
    if req.headless {
        args.extend(["--headless".into(), "--no-video".into()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = state.engine(&argv);
    cmd.env("WEBPROOF_PASSPHRASE", &req.passphrase);
    let engine::Piped {
        mut child,
        stdin,
        stdout,
        stderr,
    } = engine::spawn_piped(cmd, &state.bin, "batch")?;
    *slot = Some(stdin);
    drop(slot);
    let err_reader = engine::stderr_tail(stderr);
    let (case_id, st) = (case.id.clone(), state.inner().clone_for_worker());
    std::thread::spawn(move || {
        // URL n → its package in the case.
        let mut packages: HashMap<usize, String> = HashMap::new();
        let mut summary = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Some(e) = BatchEvent::parse(&line) else {
                continue;
            };
            let ev = match e {
                BatchEvent::Queue { urls, done, text } => BatchScreenEvent::Queue {
                    urls,
                    done: done.into_iter().map(n32).collect(),
                    text,
                },
                BatchEvent::Url {
                    n,
                    url,
                    state,
                    package,
                    reason,
                    text,
                } => {
                    settle(
                        &st,
                        &case_id,
                        &mut packages,
                        n,
                        &url,
                        state,
                        package.as_deref(),
                        reason.as_deref(),
                    );
                    BatchScreenEvent::Url {
                        n: n32(n),
                        url,
                        state: state.as_str().to_owned(),
                        package,
                        reason,
                        text,
                    }
                }
                BatchEvent::Summary { path, text, .. } => {
                    summary = Some((path, text));
                    continue;
                }
            };
            let _ = ev.emit(&app);
        }
        let status = child.wait();
        let tail = err_reader.join().unwrap_or_default();
        if let Ok(mut s) = st.batching.lock() {
            *s = None;
        }
        // Whatever the batch did not settle (it was killed) is left as the case store's
        // next start finds it.
        let ok = status.is_ok_and(|s| s.success());
        let (summary, text) = match summary {
            Some((p, t)) => (Some(p), t),
            None => (None, engine::failure(&tail)),
        };
        let _ = BatchScreenEvent::Ended { ok, summary, text }.emit(&app);
    });
    Ok(())
}

/// Records URL `n`'s new `state` in the case: a running package when its capture starts, its
/// outcome when it ends.
#[allow(clippy::too_many_arguments)]
fn settle(
    st: &AppState,
    case: &str,
    packages: &mut HashMap<usize, String>,
    n: usize,
    url: &str,
    state: UrlState,
    package: Option<&str>,
    reason: Option<&str>,
) {
    let status = match state {
        UrlState::Started => {
            if let Some(p) = package
                && let Ok((_, id)) =
                    st.cases
                        .add_package(case, PackageKind::Capture, p, url, PackageStatus::Running)
            {
                packages.insert(n, id);
            }
            return;
        }
        UrlState::Sealed => PackageStatus::Sealed,
        UrlState::Interrupted => PackageStatus::Interrupted,
        UrlState::Failed => PackageStatus::Failed,
        UrlState::Skipped => return,
    };
    if let Some(id) = packages.remove(&n) {
        let _ = st.cases.update_package(
            case,
            &id,
            PackageUpdate {
                status: Some(status),
                detail: reason.map(str::to_owned),
                ..Default::default()
            },
        );
    }
}

/// Starts no more captures of the running batch (those under way end as they do).
#[tauri::command]
#[specta::specta]
pub fn stop_batch(state: State<'_, AppState>) -> AppResult<()> {
    engine::send_line(
        &state.batching,
        "stop",
        "batch",
        "app-err-no-batch",
        "no batch is running",
    )
}

/// The case's evidence catalogue (证据目录) of its sealed packages, written to `out` (.pdf,
/// .xlsx, .csv or .html, by its extension) in `lang` (`zh-CN`, `en` or `both`).
#[tauri::command]
#[specta::specta]
pub async fn export_catalogue(
    state: State<'_, AppState>,
    case_id: String,
    out: String,
    lang: String,
) -> AppResult<String> {
    let case = state.cases.get(&case_id)?;
    let out = out.trim().to_owned();
    let ext_ok = [".pdf", ".xlsx", ".csv", ".html"]
        .iter()
        .any(|e| out.to_ascii_lowercase().ends_with(e));
    if !ext_ok || !std::path::Path::new(&out).is_absolute() {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-catalogue-out",
            format!("{out:?} is not a full path ending in .pdf, .xlsx, .csv or .html"),
            &[("path", &out)],
        ));
    }
    if !matches!(lang.as_str(), "zh-CN" | "en" | "both") {
        return Err(AppError::input(
            "app-err-catalogue-lang",
            "unknown language",
        ));
    }
    let packages: Vec<String> = case
        .packages
        .iter()
        .filter(|p| matches!(p.status, PackageStatus::Sealed | PackageStatus::Interrupted))
        .filter(|p| std::path::Path::new(&p.path).is_file())
        .map(|p| p.path.clone())
        .collect();
    if packages.is_empty() {
        return Err(AppError::input(
            "app-err-catalogue-empty",
            "the case has no sealed package",
        ));
    }
    let mut args: Vec<&str> = vec!["--lang", &lang, "catalogue"];
    args.extend(packages.iter().map(String::as_str));
    args.extend(["--out", &out, "--case", &case.matter]);
    let cmd = state.engine(&args);
    engine::in_background(move || engine::run_ok("catalogue", cmd)).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_the_non_empty_lines_but_comments() {
        assert_eq!(
            urls_of("  https://a.example/1 \n\n# later\nhttp://b.example/\n"),
            ["https://a.example/1", "http://b.example/"]
        );
    }

    /// The engine's batch events, written as `webproof batch --events` writes them and read
    /// back as the window reads them.
    #[test]
    fn batch_events_are_read_as_written() {
        let e = BatchEvent::Url {
            n: 2,
            url: "http://127.0.0.1:9/".into(),
            state: UrlState::Failed,
            package: None,
            reason: Some("unreachable".into()),
            text: "#2 failed".into(),
        };
        assert_eq!(BatchEvent::parse(&e.to_line()), Some(e));
        assert!(BatchEvent::parse("batch: 3 URLs").is_none());
    }
}
