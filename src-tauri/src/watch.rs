//! The Watch screen: a case's URLs re-captured on a schedule until they are taken down
//! (docs/watch.md). Everything runs through the engine — `webproof watch URL …`,
//! `watch list --json`, `watch history ID --json`, `watch tick ID`, `watch stop|start ID`,
//! `watch service install|remove|status` — so a watch made in the window is the one the
//! systemd timer (or a terminal user) goes on capturing. A case's watches are those started
//! for it in the window (their ids kept with the case), and those a terminal user started
//! with its matter (`--case`) that no case claims; their packages join the case whenever the
//! screen looks, whichever process made them.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tauri::State;
use webproof_cases::PackageStatus;
use webproof_watch::history::{Entry, Listed, Outcome};

use crate::error::{AppError, AppResult, ErrorKind};
use crate::{AppState, engine};

/// What the Watch screen asks for to start a watch.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct WatchRequest {
    pub case: String,
    pub url: String,
    /// `6h`, `30m`, `1d`: a minute at least.
    pub every: String,
    pub until_gone: bool,
    /// The CSS selector of the element whose removal means the page is gone.
    pub element: Option<String>,
    /// Without the screen recording (headless, faster).
    pub headless: bool,
    pub passphrase: String,
}

/// One watch of a case, as the screen shows it.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct WatchView {
    pub id: String,
    pub url: String,
    pub every: String,
    pub until_gone: bool,
    pub element: Option<String>,
    pub active: bool,
    /// Why the watch ended by itself (the page was gone).
    pub ended: Option<String>,
    pub captures: u32,
    /// When the next capture is due (UTC), for an active watch.
    pub next: Option<String>,
    pub last: Option<WatchCapture>,
}

/// One capture of a watch.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct WatchCapture {
    pub n: u32,
    /// When it began (this machine's clock; the package has the trusted time).
    pub at: String,
    /// `present`, `gone`, `unreachable` or `failed`.
    pub outcome: String,
    /// For `gone`: `status`, `element_removed` or `redirected_home`.
    pub why: Option<String>,
    /// For `gone`: the status, the selector or where the URL led; for `unreachable` the
    /// error, for `failed` the reason.
    pub detail: Option<String>,
    /// The package's full path.
    pub package: Option<String>,
    /// For `gone`: the full path of the last package in which the page was present.
    pub last_present: Option<String>,
    pub title: String,
    pub http_status: Option<u16>,
}

/// The systemd user timer that runs the watches.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct WatchService {
    pub active: bool,
    /// What the engine said.
    pub text: String,
}

/// `rel`, a path in the watch's directory `dir`, as a full path.
fn in_dir(dir: &str, rel: &str) -> String {
    Path::new(dir).join(rel).display().to_string()
}

fn capture_view(dir: &str, e: &Entry) -> WatchCapture {
    use webproof_watch::Gone;
    let (outcome, why, detail, last_present) = match &e.outcome {
        Outcome::Present => ("present", None, None, None),
        Outcome::Gone { gone, last_present } => {
            let (why, detail) = match gone {
                Gone::Status { status } => ("status", status.to_string()),
                Gone::ElementRemoved { selector } => ("element_removed", selector.clone()),
                Gone::RedirectedHome { to } => ("redirected_home", to.clone()),
            };
            (
                "gone",
                Some(why),
                Some(detail),
                last_present.as_deref().map(|p| in_dir(dir, p)),
            )
        }
        Outcome::Unreachable { error } => ("unreachable", None, Some(error.clone()), None),
        Outcome::Failed { reason } => ("failed", None, Some(reason.clone()), None),
    };
    WatchCapture {
        n: e.n,
        at: e.at.to_string(),
        outcome: outcome.to_owned(),
        why: why.map(str::to_owned),
        detail,
        package: e.package.as_deref().map(|p| in_dir(dir, p)),
        last_present,
        title: e.title.clone(),
        http_status: e.http_status,
    }
}

fn view(l: &Listed) -> WatchView {
    WatchView {
        id: l.spec.id.clone(),
        url: l.spec.url.clone(),
        every: l.spec.every.clone(),
        until_gone: l.spec.until_gone,
        element: l.spec.element.clone(),
        active: l.spec.active,
        ended: l.spec.ended.clone(),
        captures: u32::try_from(l.captures).unwrap_or(u32::MAX),
        next: l.next.clone(),
        last: l.last.as_ref().map(|e| capture_view(&l.dir, e)),
    }
}

/// The engine's exit codes of `watch` and `watch tick`: 0 every capture judged, 4 a capture
/// failed (its reason is in the history, the watch is kept); anything else is an error.
fn ran(what: &str, out: engine::Output) -> AppResult<engine::Output> {
    match out.code {
        Some(0) | Some(4) => Ok(out),
        _ => Err(AppError::new(
            ErrorKind::Command,
            format!("{what}: {}", engine::failure(&out.stderr)),
        )),
    }
}

/// What the engine's `--json` command `what` printed.
fn json_of<T: serde::de::DeserializeOwned>(what: &str, out: &engine::Output) -> AppResult<T> {
    serde_json::from_str(&out.stdout)
        .map_err(|e| AppError::new(ErrorKind::Command, format!("{what}: {e}")))
}

/// Every watch (`watch list --json`; a damaged one is left out by the engine, which says so).
fn listed(state: &AppState) -> AppResult<Vec<Listed>> {
    let out = ran(
        "webproof watch list",
        engine::run(state.engine(&["watch", "list", "--json"]))?,
    )?;
    json_of("webproof watch list --json", &out)
}

/// Whether a watch is `case`'s: started for it in the window, or started with its matter
/// (`webproof watch … --case MATTER`) and claimed by no case.
fn belongs(
    case: &webproof_cases::Case,
    claimed: &std::collections::HashSet<String>,
    spec: &webproof_watch::history::Spec,
) -> bool {
    case.watches.contains(&spec.id)
        || (!claimed.contains(&spec.id) && spec.case.as_deref() == Some(case.matter.as_str()))
}

/// A watch's history (`watch history ID --json`).
fn history(state: &AppState, id: &str) -> AppResult<Vec<Entry>> {
    let out = engine::run_ok(
        "webproof watch history",
        state.engine(&["watch", "history", id, "--json"]),
    )?;
    json_of("webproof watch history --json", &out)
}

/// The case's watches, their packages joined to the case (those the timer made since the
/// screen last looked, too).
fn case_watches(state: &AppState, case_id: &str) -> AppResult<Vec<WatchView>> {
    let case = state.cases.get(case_id)?;
    let claimed: std::collections::HashSet<String> = state
        .cases
        .list("")?
        .into_iter()
        .flat_map(|c| c.watches)
        .collect();
    let mine: Vec<Listed> = listed(state)?
        .into_iter()
        .filter(|l| belongs(&case, &claimed, &l.spec))
        .collect();
    // Only what the case does not hold yet is written (a look at the screen changes nothing
    // when no capture was made since).
    let held: std::collections::HashSet<&str> =
        case.packages.iter().map(|p| p.path.as_str()).collect();
    for l in &mine {
        for e in history(state, &l.spec.id)? {
            let Some(p) = e.package.as_deref().map(|p| in_dir(&l.dir, p)) else {
                continue;
            };
            if held.contains(p.as_str()) {
                continue;
            }
            let status = match e.outcome {
                Outcome::Failed { .. } => PackageStatus::Failed,
                _ => PackageStatus::Sealed,
            };
            let c = capture_view(&l.dir, &e);
            let detail = format!(
                "watch {} #{}: {}{}",
                l.spec.id,
                e.n,
                c.outcome,
                c.detail.map(|w| format!(" ({w})")).unwrap_or_default()
            );
            state
                .cases
                .add_package_once(&case.id, &p, &l.spec.url, status, Some(detail))?;
        }
    }
    Ok(mine.iter().map(view).collect())
}

/// Runs the engine command `c` (`what` names it in errors) off the window's thread, then
/// answers with the case's watches as they are after it.
async fn then_list(
    state: &AppState,
    what: &'static str,
    c: std::process::Command,
    case_id: String,
) -> AppResult<Vec<WatchView>> {
    let st = state.clone_for_worker();
    engine::in_background(move || {
        ran(what, engine::run(c)?)?;
        case_watches(&st, &case_id)
    })
    .await
}

/// The case's watches (and their packages joined to the case).
#[tauri::command]
#[specta::specta]
pub async fn list_watches(
    state: State<'_, AppState>,
    case_id: String,
) -> AppResult<Vec<WatchView>> {
    let st = state.inner().clone_for_worker();
    engine::in_background(move || case_watches(&st, &case_id)).await
}

/// Starts watching `req.url` for the case; its first capture is made before this returns.
#[tauri::command]
#[specta::specta]
pub async fn start_watch(
    state: State<'_, AppState>,
    req: WatchRequest,
) -> AppResult<Vec<WatchView>> {
    let url = crate::capture::check_url(&req.url)?;
    crate::error::need_passphrase(&req.passphrase)?;
    let case = state.cases.get(&req.case)?;
    let mut args: Vec<String> = vec![
        "watch".into(),
        url,
        "--every".into(),
        req.every.trim().to_owned(),
        "--case".into(),
        case.matter.clone(),
        // The timer is the Watch screen's to install, once for all watches.
        "--no-service".into(),
    ];
    if req.until_gone {
        args.push("--until-gone".into());
    }
    if let Some(el) = req
        .element
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        args.extend(["--element".into(), el.to_owned()]);
    }
    if req.headless {
        args.extend(["--".into(), "--headless".into(), "--no-video".into()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = state.engine(&argv);
    c.env("WEBPROOF_PASSPHRASE", &req.passphrase);
    let id = webproof_watch::history::watch_id(&args[1]).map_err(|e| {
        AppError::said(
            ErrorKind::Input,
            "app-err-not-url",
            e.to_string(),
            &[("url", &args[1])],
        )
    })?;
    let st = state.clone_for_worker();
    engine::in_background(move || {
        ran("webproof watch", engine::run(c)?)?;
        // The watch is this case's (another case of the same matter does not show it); one
        // the engine refused to make (another case's, of the same URL) is not.
        st.cases.add_watch(&case.id, &id)?;
        case_watches(&st, &case.id)
    })
    .await
}

/// Captures watch `id` now, due or not.
#[tauri::command]
#[specta::specta]
pub async fn capture_watch_now(
    state: State<'_, AppState>,
    case_id: String,
    id: String,
    passphrase: String,
) -> AppResult<Vec<WatchView>> {
    crate::error::need_passphrase(&passphrase)?;
    let mut c = state.engine(&["watch", "tick", &id]);
    c.env("WEBPROOF_PASSPHRASE", &passphrase);
    then_list(&state, "webproof watch tick", c, case_id).await
}

/// Stops watch `id` (`active` false) or starts it again.
#[tauri::command]
#[specta::specta]
pub async fn set_watch_active(
    state: State<'_, AppState>,
    case_id: String,
    id: String,
    active: bool,
) -> AppResult<Vec<WatchView>> {
    let c = state.engine(&["watch", if active { "start" } else { "stop" }, &id]);
    then_list(&state, "webproof watch stop/start", c, case_id).await
}

/// The timer as `watch service status` (run by `status`) says it is: exit 0 when active.
fn service_state(status: std::process::Command) -> AppResult<WatchService> {
    let out = engine::run(status)?;
    Ok(WatchService {
        active: out.code == Some(0),
        text: out.stdout.trim().to_owned(),
    })
}

/// Whether the systemd user timer runs the watches.
#[tauri::command]
#[specta::specta]
pub async fn watch_service(state: State<'_, AppState>) -> AppResult<WatchService> {
    let c = state.engine(&["watch", "service", "status"]);
    engine::in_background(move || service_state(c)).await
}

/// Installs the timer (`on`; it keeps the operator's passphrase for the captures nobody
/// attends, readable by this user only) or removes it and the kept passphrase.
#[tauri::command]
#[specta::specta]
pub async fn set_watch_service(
    state: State<'_, AppState>,
    on: bool,
    passphrase: String,
) -> AppResult<WatchService> {
    if on {
        crate::error::need_passphrase(&passphrase)?;
    }
    let mut c = state.engine(&["watch", "service", if on { "install" } else { "remove" }]);
    if on {
        c.env("WEBPROOF_PASSPHRASE", &passphrase);
    }
    let status = state.engine(&["watch", "service", "status"]);
    engine::in_background(move || {
        engine::run_ok("webproof watch service", c)?;
        service_state(status)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A watch is the case's that started it; one a terminal user started with the matter
    /// is every such case's until one claims it.
    #[test]
    fn a_watch_belongs_to_the_case_that_started_it() {
        let case = |watches: &[&str]| -> webproof_cases::Case {
            serde_json::from_value(serde_json::json!({"id": "c", "matter": "CASE-7",
                "created": "t", "updated": "t", "watches": watches}))
            .unwrap()
        };
        let spec = |id: &str, matter: Option<&str>| -> webproof_watch::history::Spec {
            serde_json::from_value(serde_json::json!({"id": id, "url": "https://x.example/",
                "every": "6h", "every_secs": 21600, "until_gone": false, "case": matter,
                "profile": "auto", "created": "2026-12-06T14:00:00.000000Z", "active": true}))
            .unwrap()
        };
        let none = std::collections::HashSet::new();
        let claimed: std::collections::HashSet<String> = ["w1".to_owned()].into();
        assert!(belongs(
            &case(&["w1"]),
            &claimed,
            &spec("w1", Some("CASE-7"))
        ));
        // Another case of the same matter: not its watch.
        assert!(!belongs(&case(&[]), &claimed, &spec("w1", Some("CASE-7"))));
        // Started with the matter on the command line, claimed by none: the matter's.
        assert!(belongs(&case(&[]), &none, &spec("w2", Some("CASE-7"))));
        assert!(!belongs(&case(&[]), &none, &spec("w2", Some("CASE-8"))));
        assert!(!belongs(&case(&[]), &none, &spec("w2", None)));
    }

    /// `watch list --json` as the engine writes it (docs/watch.md), read into the screen's view.
    #[test]
    fn a_listed_watch_is_read_with_its_packages_as_full_paths() {
        let json = r##"[{"id":"shop.example-1a2b3c4d","url":"https://shop.example/item/42",
          "every":"6h","every_secs":21600,"until_gone":true,"element":"#listing img",
          "case":"CASE-7","profile":"auto","created":"2026-12-06T14:00:00.000000Z",
          "active":false,"ended":"ended: the page was gone in capture 3",
          "dir":"/h/watches/shop.example-1a2b3c4d","captures":3,
          "last":{"n":3,"at":"2026-12-06T20:00:04.131072Z","package":"0003-20261206T200004Z.wacz",
            "outcome":"gone","why":"status","status":404,"last_present":"0002-20261206T140002Z.wacz",
            "http_status":404,"title":"Not found"},
          "next":null}]"##;
        let l: Vec<Listed> = serde_json::from_str(json).unwrap();
        let v = view(&l[0]);
        assert_eq!(v.captures, 3);
        assert!(!v.active);
        let last = v.last.unwrap();
        assert_eq!(last.outcome, "gone");
        assert_eq!(last.why.as_deref(), Some("status"));
        assert_eq!(last.detail.as_deref(), Some("404"));
        assert_eq!(
            last.package.as_deref(),
            Some("/h/watches/shop.example-1a2b3c4d/0003-20261206T200004Z.wacz")
        );
        assert_eq!(
            last.last_present.as_deref(),
            Some("/h/watches/shop.example-1a2b3c4d/0002-20261206T140002Z.wacz")
        );
        assert_eq!(last.http_status, Some(404));
    }

    #[test]
    fn a_failed_tick_keeps_the_watch_and_an_error_is_said() {
        let out = |code| engine::Output {
            code: Some(code),
            stdout: String::new(),
            stderr: "webproof: error: there is no watch x\n".into(),
        };
        assert!(ran("t", out(0)).is_ok());
        assert!(
            ran("t", out(4)).is_ok(),
            "a failed capture is in the history"
        );
        let e = ran("t", out(2)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Command);
        assert!(e.message.contains("there is no watch x"), "{}", e.message);
    }
}
