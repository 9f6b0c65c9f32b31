//! The first run, without scripts: language, identity, and how time and the log are trusted —
//! an alliance's trust bundle imported (`webproof trust import`, from a file or its log's URL)
//! and the operator enrolled with the registrar's code, or a local development alliance
//! (`webproof dev up`), which the app runs while it runs and marks "not for court use"
//! everywhere. Nothing needs a restart: every engine command reads config.toml anew.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tauri::State;
use webproof_engine::home::{ConfigOrigin, config_origin};

use crate::AppState;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::settings::{IdentityView, identity, prefs, save_prefs};

/// What this home trusts for time and the log.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct TrustView {
    /// Who wrote config.toml: `missing`, `development` (`dev up`), `imported` (an alliance's
    /// bundle) or `own`.
    pub origin: String,
    /// The alliance's name, from its bundle (imported or development).
    pub alliance: Option<String>,
    /// The evidence log deposits go to.
    pub log: Option<String>,
    /// A development alliance: every key made on one machine, never for court use.
    pub development: bool,
    /// The development alliance the app runs is up now.
    pub running: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct SetupView {
    /// The first-run wizard is to be shown: it was never finished or put off, and the home
    /// has neither an identity nor a configuration (one set up by the command line is not
    /// asked again).
    pub needed: bool,
    pub operator: Option<IdentityView>,
    pub trust: TrustView,
}

/// The development alliance the app runs (`dev up --until-stdin-closes`): it ends when its
/// stdin closes, that is with the app, even a killed one.
pub struct DevAlliance {
    child: Child,
}

impl DevAlliance {
    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// What the app knows of its home's trust.
pub fn trust_view(home: &Path, running: bool) -> TrustView {
    let text = std::fs::read_to_string(home.join("config.toml")).ok();
    let origin = config_origin(text.as_deref());
    let bundle_file = match origin {
        ConfigOrigin::Development => Some(home.join("dev/trust-bundle.json")),
        ConfigOrigin::Imported => Some(home.join("trust/trust-bundle.json")),
        ConfigOrigin::Missing | ConfigOrigin::Own => None,
    };
    let bundle: Option<webproof_ledger::bundle::TrustBundle> = bundle_file
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|b| serde_json::from_slice(&b).ok());
    let log = text
        .as_deref()
        .and_then(|t| toml::from_str::<toml::Table>(t).ok())
        .and_then(|t| t.get("log")?.get("url")?.as_str().map(str::to_owned));
    TrustView {
        origin: serde_json::to_value(origin)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        alliance: bundle.as_ref().map(|b| b.alliance.clone()),
        log,
        development: origin == ConfigOrigin::Development
            || bundle.as_ref().is_some_and(|b| b.development),
        running,
    }
}

/// Whether the development alliance the app runs is up. Never waits: while it is being
/// started (the slot held until `ready`), it is not up yet.
pub fn dev_running(state: &AppState) -> bool {
    state
        .alliance
        .try_lock()
        .map(|mut a| a.as_mut().is_some_and(DevAlliance::running))
        .unwrap_or(false)
}

#[tauri::command]
#[specta::specta]
pub fn setup_state(state: State<'_, AppState>) -> SetupView {
    let operator = identity(&state.home, "operator");
    let trust = trust_view(&state.home, dev_running(&state));
    SetupView {
        needed: !prefs(&state.home).setup_done && operator.is_none() && trust.origin == "missing",
        operator,
        trust,
    }
}

/// The wizard is done (or put off: Settings does the same later).
#[tauri::command]
#[specta::specta]
pub fn finish_setup(state: State<'_, AppState>) -> AppResult<()> {
    let mut p = prefs(&state.home);
    p.setup_done = true;
    save_prefs(&state.home, &p)
}

#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct JoinRequest {
    /// The alliance's trust bundle: a file, or its log's URL.
    pub source: String,
    /// The evidence log, when the bundle is a file.
    pub log: String,
    /// The alliance's TSAs, one URL per entry.
    pub tsas: Vec<String>,
    /// The registrar's one-time enrollment code (empty: enroll later in Settings).
    pub code: String,
    pub passphrase: String,
}

/// Trusts an alliance (`webproof trust import`) and enrolls the operator with the registrar's
/// code (`webproof operator enroll`).
#[tauri::command]
#[specta::specta]
pub async fn join_alliance(state: State<'_, AppState>, req: JoinRequest) -> AppResult<TrustView> {
    if req.source.trim().is_empty() {
        return Err(AppError::input(
            "app-err-bundle-empty",
            "give the alliance's trust bundle: a file or its log's URL",
        ));
    }
    let tsas: Vec<&str> = req
        .tsas
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if tsas.is_empty() {
        return Err(AppError::input(
            "app-err-tsa-empty",
            "give at least one time-stamp authority's URL",
        ));
    }
    let mut args = vec!["trust", "import", req.source.trim()];
    if !req.log.trim().is_empty() {
        args.extend(["--log", req.log.trim()]);
    }
    for t in &tsas {
        args.extend(["--tsa", t]);
    }
    let import = state.engine(&args);
    let enroll = (!req.code.trim().is_empty()).then(|| {
        let mut c = state.engine(&["operator", "enroll", "--code", req.code.trim()]);
        c.env("WEBPROOF_PASSPHRASE", &req.passphrase);
        c
    });
    crate::engine::in_background(move || {
        crate::engine::run_ok("trust import", import)?;
        if let Some(c) = enroll {
            crate::engine::run_ok("operator enroll", c)?;
        }
        Ok(())
    })
    .await?;
    Ok(trust_view(&state.home, dev_running(&state)))
}

/// Starts the local development alliance for this app's life, and remembers to start it at
/// every start. With the operator's passphrase, `dev up` enrolls the operator.
#[tauri::command]
#[specta::specta]
pub async fn start_dev_alliance(
    state: State<'_, AppState>,
    passphrase: String,
) -> AppResult<TrustView> {
    let worker = state.clone_for_worker();
    crate::engine::in_background(move || {
        let mut p = prefs(&worker.home);
        p.dev_alliance = true;
        save_prefs(&worker.home, &p)?;
        run_dev_alliance(&worker, Some(&passphrase))
    })
    .await?;
    Ok(trust_view(&state.home, dev_running(&state)))
}

/// How long `dev up` may take to say `ready` (keys made, services listening, the operator
/// enrolled).
const DEV_READY: Duration = Duration::from_secs(90);

/// Starts `webproof dev up` unless it runs already, and waits for its `ready`; its output
/// goes to WEBPROOF_HOME/dev-up.log.
pub fn run_dev_alliance(state: &AppState, passphrase: Option<&str>) -> AppResult<()> {
    let mut slot = state.alliance.lock().map_err(|_| {
        AppError::new(
            ErrorKind::Busy,
            "the development alliance's state is poisoned",
        )
    })?;
    if slot.as_mut().is_some_and(DevAlliance::running) {
        return Ok(());
    }
    let log_path = state.home.join("dev-up.log");
    let log = File::create(&log_path)
        .map_err(|e| AppError::io("app-err-io-create", log_path.display(), e))?;
    let err_log = log
        .try_clone()
        .map_err(|e| AppError::io("app-err-io-create", log_path.display(), e))?;
    let mut c = state.engine(&["dev", "up", "--until-stdin-closes"]);
    c.stdin(Stdio::piped()).stdout(log).stderr(err_log);
    match passphrase {
        Some(p) => c.env("WEBPROOF_PASSPHRASE", p),
        None => c.env_remove("WEBPROOF_PASSPHRASE"),
    };
    let mut child = c
        .spawn()
        .map_err(|e| crate::engine::not_started(&state.bin.display().to_string(), &e))?;
    let t0 = Instant::now();
    loop {
        let said = std::fs::read_to_string(&log_path).unwrap_or_default();
        if said.lines().any(|l| l == "ready") {
            *slot = Some(DevAlliance { child });
            return Ok(());
        }
        let ended = match child.try_wait() {
            Ok(Some(_)) => true,
            Ok(None) => false,
            Err(_) => true,
        };
        if ended || t0.elapsed() > DEV_READY {
            let _ = child.kill();
            let _ = child.wait();
            return Err(AppError::new(
                ErrorKind::Command,
                format!("dev up: {}", crate::engine::failure(&said)),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_view_reads_who_wrote_the_configuration() {
        let t = tempfile::tempdir().unwrap();
        let h = t.path();
        let v = trust_view(h, false);
        assert_eq!(v.origin, "missing");
        assert!(!v.development && v.alliance.is_none() && v.log.is_none());
        std::fs::write(
            h.join("config.toml"),
            "# Written by `webproof dev up` (x)\n[log]\nurl = \"http://127.0.0.1:9/\"\n",
        )
        .unwrap();
        let v = trust_view(h, true);
        assert_eq!(v.origin, "development");
        assert!(
            v.development && v.running,
            "dev up's is development by its mark"
        );
        assert_eq!(v.log.as_deref(), Some("http://127.0.0.1:9/"));
        std::fs::create_dir_all(h.join("trust")).unwrap();
        std::fs::write(
            h.join("trust/trust-bundle.json"),
            serde_json::json!({"format": "webproof-trust-bundle", "v": 1,
                "alliance": "Hangzhou evidence alliance", "development": false, "logs": [],
                "witnesses": [], "quorum": 0, "operator_cas": [], "tsa_roots": []})
            .to_string(),
        )
        .unwrap();
        std::fs::write(
            h.join("config.toml"),
            "# Written by `webproof trust import` from x\n",
        )
        .unwrap();
        let v = trust_view(h, false);
        assert_eq!(v.origin, "imported");
        assert_eq!(v.alliance.as_deref(), Some("Hangzhou evidence alliance"));
        assert!(!v.development);
        std::fs::write(h.join("config.toml"), "[log]\n").unwrap();
        let v = trust_view(h, false);
        assert_eq!(v.origin, "own");
        assert!(v.alliance.is_none());
    }
}
