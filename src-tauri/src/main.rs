//! # webproof-app
//!
//! The desktop window over webproof: cases, new capture, environment check, live session,
//! sealing, verification and settings. It holds no evidence logic: captures, seals,
//! verification, deposits and enrollment run in the `webproof` engine (the command-line
//! binary, [`engine`]), so the window and the terminal make and judge packages with one
//! code path; the window keeps the local case store ([`webproof_cases`]) and shows what the
//! engine reports. Commands are thin and typed; `ui/src/bindings.ts` is generated from them
//! (tauri-specta), never written by hand.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod batch;
mod capture;
mod cases;
mod engine;
mod error;
mod replay;
mod review;
mod seal;
mod settings;
mod setup;
mod supervise;
mod update;
mod verify;
mod watch;

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tauri::State;
use webproof_cases::CaseStore;

/// What every command can reach.
pub struct AppState {
    pub home: PathBuf,
    pub bin: PathBuf,
    pub cases: Arc<CaseStore>,
    pub live: Arc<Mutex<Option<capture::Live>>>,
    /// The notary's side of a live supervision, while one runs: its answers' pipe.
    pub supervising: Arc<Mutex<Option<std::process::ChildStdin>>>,
    /// A batch, while one runs: its stdin (for Stop).
    pub batching: Arc<Mutex<Option<std::process::ChildStdin>>>,
    pub replays: Arc<replay::Replays>,
    /// The local development alliance, when the app runs it.
    pub alliance: Arc<Mutex<Option<setup::DevAlliance>>>,
}

impl AppState {
    /// An engine command with this app's WEBPROOF_HOME and language.
    pub fn engine(&self, args: &[&str]) -> Command {
        engine::command(&self.bin, &self.home, &settings::lang(&self.home), args)
    }

    /// Where a new package of `case` goes: `WEBPROOF_HOME/cases/<case id>/<kind>-<UTC time>.wacz`.
    pub fn new_package_path(&self, case: &str, kind: &str) -> error::AppResult<PathBuf> {
        let dir = self.home.join("cases").join(case);
        std::fs::create_dir_all(&dir)
            .map_err(|e| error::AppError::io("app-err-io-create", dir.display(), e))?;
        let stamp = webproof_evidence::utc::Utc::now()
            .to_string()
            .replace([':', '-'], "")
            .replace('.', "-");
        Ok(dir.join(format!("{kind}-{stamp}.wacz")))
    }

    /// A handle for a worker thread.
    pub fn clone_for_worker(&self) -> AppState {
        AppState {
            home: self.home.clone(),
            bin: self.bin.clone(),
            cases: self.cases.clone(),
            live: self.live.clone(),
            supervising: self.supervising.clone(),
            batching: self.batching.clone(),
            replays: self.replays.clone(),
            alliance: self.alliance.clone(),
        }
    }
}

/// A report language the engine takes: `en`, `zh-CN` or `both`.
pub fn report_lang(l: &str) -> error::AppResult<String> {
    match l {
        "en" | "zh-CN" | "both" => Ok(l.to_owned()),
        other => Err(error::AppError::said(
            error::ErrorKind::Input,
            "app-err-report-lang",
            format!("unknown report language {other:?}"),
            &[("lang", &other)],
        )),
    }
}

#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub home: String,
    pub lang: String,
    pub engine: String,
    /// Whether the engine answered `--version` (else the message says why not).
    pub engine_ok: bool,
    pub engine_message: String,
    /// What time and the log are trusted by (a development alliance is said on every screen).
    pub trust: setup::TrustView,
}

#[tauri::command]
#[specta::specta]
fn app_info(state: State<'_, AppState>) -> AppInfo {
    let probe = engine::run(state.engine(&["--version"]));
    let (engine_ok, engine_message) = match probe {
        Ok(o) if o.code == Some(0) => (true, o.stdout.trim().to_owned()),
        Ok(o) => (false, engine::failure(&o.stderr)),
        Err(e) => (false, e.message),
    };
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        home: state.home.display().to_string(),
        lang: settings::lang(&state.home),
        engine: state.bin.display().to_string(),
        engine_ok,
        engine_message,
        trust: setup::trust_view(&state.home, setup::dev_running(&state)),
    }
}

/// The typed bindings: every command and event the window may use.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_info,
            cases::list_cases,
            cases::get_case,
            cases::create_case,
            cases::edit_case,
            cases::add_package_file,
            seal::seal_files,
            capture::profiles,
            capture::suggest_profile,
            capture::check_environment,
            capture::start_capture,
            capture::capture_command,
            capture::live_capture,
            supervise::start_supervision,
            supervise::answer_supervision,
            supervise::supervision_picture,
            batch::start_batch,
            batch::stop_batch,
            batch::export_catalogue,
            watch::list_watches,
            watch::start_watch,
            watch::capture_watch_now,
            watch::set_watch_active,
            watch::watch_service,
            watch::set_watch_service,
            verify::verify_package,
            verify::remember_verdict,
            review::countersign_package,
            settings::settings,
            settings::set_lang,
            settings::set_notary_home,
            settings::save_config,
            settings::operator_init,
            settings::operator_enroll,
            setup::setup_state,
            setup::finish_setup,
            setup::join_alliance,
            setup::start_dev_alliance,
            update::update_status,
            update::set_update_feed,
            update::check_update,
            update::install_update,
        ])
        .events(tauri_specta::collect_events![
            capture::CaptureEvent,
            supervise::SuperviseEvent,
            batch::BatchScreenEvent
        ])
        // One TypeScript type per Rust type (none of ours serialises differently each way).
        .disable_serde_phases()
}

/// Where the generated bindings live, relative to this crate.
pub const BINDINGS: &str = "../ui/src/bindings.ts";

fn main() -> std::process::ExitCode {
    let home = match webproof_engine::home::home() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("webproof-app: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&home) {
        eprintln!("webproof-app: {}: {e}", home.display());
        return std::process::ExitCode::from(2);
    }
    let cases = match CaseStore::open(&home.join("cases.redb")) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("webproof-app: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Err(e) = cases.settle_running(
        "the app stopped during this capture; if no package appears, `webproof captures list` shows the capture directory and `webproof captures resume` seals it",
    ) {
        eprintln!("webproof-app: {e}");
    }
    let state = AppState {
        home,
        bin: engine::locate(),
        cases: Arc::new(cases),
        live: Arc::new(Mutex::new(None)),
        supervising: Arc::new(Mutex::new(None)),
        batching: Arc::new(Mutex::new(None)),
        replays: Arc::new(replay::Replays::default()),
        alliance: Arc::new(Mutex::new(None)),
    };
    // The development alliance chosen at the first run starts with the app (in the
    // background: the window opens at once and says whether it is up).
    if settings::prefs(&state.home).dev_alliance {
        let worker = state.clone_for_worker();
        std::thread::spawn(move || {
            if let Err(e) = setup::run_dev_alliance(&worker, None) {
                eprintln!("webproof-app: {}", e.message);
            }
        });
    }
    let replays = state.replays.clone();
    let builder = specta_builder();
    let context = tauri::generate_context!();
    let mut app = tauri::Builder::default().plugin(tauri_plugin_dialog::init());
    // The updater only in a build that carries an update key (docs/updates.md).
    if update::has_key(context.config()) {
        app = app.plugin(tauri_plugin_updater::Builder::new().build());
    }
    let app = app
        .manage(state)
        .invoke_handler(builder.invoke_handler())
        .register_uri_scheme_protocol("evidence", |_ctx, request| {
            let (status, mime, body) = verify::serve(&request.uri().to_string());
            tauri::http::Response::builder()
                .status(status)
                .header("Content-Type", mime)
                .header("Cache-Control", "no-store")
                // The window (another origin) reads video segments into blobs: WebKitGTK's
                // media player cannot read custom schemes itself.
                .header("Access-Control-Allow-Origin", "*")
                .body(body)
                .unwrap_or_else(|_| tauri::http::Response::new(Vec::new()))
        })
        .register_uri_scheme_protocol("replay", move |_ctx, request| {
            let a = replays.serve(&request.uri().to_string());
            tauri::http::Response::builder()
                .status(a.status)
                .header("Content-Type", a.mime)
                // What the archive holds, shown, never run: no scripts, nothing from outside.
                .header(
                    "Content-Security-Policy",
                    "default-src replay: data: 'unsafe-inline'; script-src 'none'",
                )
                .header("Cache-Control", "no-store")
                .body(a.body)
                .unwrap_or_else(|_| tauri::http::Response::new(Vec::new()))
        })
        .setup(move |app| {
            builder.mount_events(app);
            Ok(())
        })
        .run(context);
    match app {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("webproof-app: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The committed TypeScript bindings are exactly what the commands generate
    /// (`WEBPROOF_BLESS=1 cargo test -p webproof-app bindings` rewrites them).
    #[test]
    fn bindings_are_current() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let fresh = dir.path().join("bindings.ts");
        specta_builder().export(
            specta_typescript::Typescript::default().header("// Generated by tauri-specta from src-tauri (cargo test -p webproof-app bindings). Do not edit.\n"),
            &fresh,
        )?;
        let fresh = std::fs::read_to_string(&fresh)?;
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS);
        if std::env::var_os("WEBPROOF_BLESS").is_some() {
            std::fs::write(&committed, &fresh)?;
        }
        let old = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            old == fresh,
            "ui/src/bindings.ts is stale: run WEBPROOF_BLESS=1 cargo test -p webproof-app bindings"
        );
        Ok(())
    }

    /// Every message key the app's errors carry is in app.ftl, in both languages (the window
    /// says them; a missing one would show the bare key).
    #[test]
    fn error_keys_are_in_the_app_catalogue() -> Result<(), Box<dyn std::error::Error>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut keys = Vec::new();
        for e in std::fs::read_dir(dir.join("src"))? {
            let text = std::fs::read_to_string(e?.path())?;
            for part in text.split("\"app-err-").skip(1) {
                if let Some(k) = part.split('"').next()
                    && !k.is_empty()
                    && k.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                {
                    keys.push(format!("app-err-{k}"));
                }
            }
        }
        assert!(keys.len() > 15, "{keys:?}");
        for lang in ["en", "zh-CN"] {
            let ftl = std::fs::read_to_string(
                dir.join(format!("../crates/i18n/locales/{lang}/app.ftl")),
            )?;
            for k in &keys {
                assert!(
                    ftl.lines().any(|l| l.starts_with(&format!("{k} = "))),
                    "{lang} app.ftl lacks {k}"
                );
            }
        }
        Ok(())
    }
}
