//! Settings screen: the language, WEBPROOF_HOME's `config.toml` (TSAs and their trusted
//! roots, the evidence log, witness keys and quorum, the operator CA), the operator identity
//! and its enrollment in a log (through the engine), the notary's home.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tauri::State;

use crate::AppState;
use crate::error::{AppError, AppResult, ErrorKind};

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct IdentityView {
    pub name: String,
    pub organisation: Option<String>,
    pub fingerprint: String,
    pub algorithm: String,
    /// Enrolled: the log's operator CA certified this key (`operator/certificate.pem`).
    pub enrolled: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct SettingsView {
    pub home: String,
    pub engine: String,
    pub lang: String,
    pub config_path: String,
    /// config.toml as it is on disk (empty when there is none).
    pub config: String,
    pub operator: Option<IdentityView>,
    pub notary_home: String,
    pub cases_path: String,
}

/// Settings the app itself keeps (`WEBPROOF_HOME/app.json`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AppPrefs {
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub notary_home: Option<String>,
    /// The first-run wizard was finished (or put off).
    #[serde(default)]
    pub setup_done: bool,
    /// The app runs the local development alliance (`dev up`) while it runs.
    #[serde(default)]
    pub dev_alliance: bool,
    /// Where the app asks for signed updates (Settings → Updates).
    #[serde(default)]
    pub update_feed: Option<String>,
}

pub fn prefs(home: &Path) -> AppPrefs {
    std::fs::read(home.join("app.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub fn save_prefs(home: &Path, p: &AppPrefs) -> AppResult<()> {
    let bytes = serde_json::to_vec_pretty(p)
        .map_err(|e| AppError::io("app-err-io-write", "app.json", e))?;
    write_atomically(&home.join("app.json"), &bytes)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let tmp = path.with_extension("tmp");
    webproof_evidence::journal::write_durably(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .and_then(|_| webproof_evidence::journal::sync_parent(path))
        .map_err(|e| AppError::io("app-err-io-write", path.display(), e))
}

/// The language the window speaks: the one chosen in Settings, else `WEBPROOF_LANG` or the
/// OS locale.
pub fn lang(home: &Path) -> String {
    prefs(home)
        .lang
        .filter(|l| webproof_i18n::Lang::parse(l).is_ok())
        .unwrap_or_else(|| {
            webproof_i18n::Lang::detect(None)
                .unwrap_or(webproof_i18n::Lang::En)
                .tag()
                .to_owned()
        })
}

pub fn identity(home: &Path, role: &str) -> Option<IdentityView> {
    let dir = home.join(role);
    let doc: webproof_evidence::identity::IdentityDoc =
        serde_json::from_slice(&std::fs::read(dir.join("identity.json")).ok()?).ok()?;
    Some(IdentityView {
        name: doc.name,
        organisation: doc.organisation,
        fingerprint: doc.fingerprint.to_hex(),
        algorithm: serde_json::to_value(doc.algorithm)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        enrolled: dir.join("certificate.pem").is_file(),
    })
}

#[tauri::command]
#[specta::specta]
pub fn settings(state: State<'_, AppState>) -> SettingsView {
    let config_path = state.home.join("config.toml");
    SettingsView {
        home: state.home.display().to_string(),
        engine: state.bin.display().to_string(),
        lang: lang(&state.home),
        config: std::fs::read_to_string(&config_path).unwrap_or_default(),
        config_path: config_path.display().to_string(),
        operator: identity(&state.home, "operator"),
        notary_home: prefs(&state.home).notary_home.unwrap_or_default(),
        cases_path: state.home.join("cases.redb").display().to_string(),
    }
}

#[tauri::command]
#[specta::specta]
pub fn set_lang(state: State<'_, AppState>, lang: String) -> AppResult<()> {
    let l = webproof_i18n::Lang::parse(&lang).map_err(|e| {
        AppError::said(
            ErrorKind::Input,
            "app-err-lang",
            e.to_string(),
            &[("lang", &lang)],
        )
    })?;
    let mut p = prefs(&state.home);
    p.lang = Some(l.tag().to_owned());
    save_prefs(&state.home, &p)
}

#[tauri::command]
#[specta::specta]
pub fn set_notary_home(state: State<'_, AppState>, path: String) -> AppResult<()> {
    let path = path.trim();
    if !path.is_empty() && !Path::new(path).join("notary/identity.json").is_file() {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-no-notary",
            format!("{path} holds no notary identity (notary/identity.json)"),
            &[("path", &path)],
        ));
    }
    let mut p = prefs(&state.home);
    p.notary_home = (!path.is_empty()).then(|| path.to_owned());
    save_prefs(&state.home, &p)
}

/// Saves config.toml after checking it is TOML (the old file is kept as config.toml.bak).
#[tauri::command]
#[specta::specta]
pub fn save_config(state: State<'_, AppState>, text: String) -> AppResult<()> {
    toml::from_str::<toml::Table>(&text).map_err(|e| {
        AppError::said(
            ErrorKind::Input,
            "app-err-toml",
            format!("config.toml is not valid TOML: {e}"),
            &[("error", &e)],
        )
    })?;
    let path = state.home.join("config.toml");
    if path.is_file() {
        std::fs::copy(&path, path.with_extension("toml.bak"))
            .map_err(|e| AppError::io("app-err-io-write", "config.toml.bak", e))?;
    }
    write_atomically(&path, text.as_bytes())
}

#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct NewIdentity {
    pub name: String,
    pub organisation: String,
    pub contact: String,
    /// The key's algorithm: `ed25519` or `sm2` (GM/T 0003); empty: Ed25519.
    pub algorithm: String,
    pub passphrase: String,
}

/// Creates the operator's key and identity (`webproof operator init`).
#[tauri::command]
#[specta::specta]
pub async fn operator_init(state: State<'_, AppState>, id: NewIdentity) -> AppResult<IdentityView> {
    if id.name.trim().is_empty() {
        return Err(AppError::input(
            "app-err-name-empty",
            "the operator's real name is empty",
        ));
    }
    if id.passphrase.chars().count() < 8 {
        return Err(AppError::input(
            "app-err-passphrase-short",
            "the passphrase must have at least 8 characters",
        ));
    }
    let mut args = vec!["operator", "init", "--name", id.name.trim()];
    if !id.organisation.trim().is_empty() {
        args.extend(["--org", id.organisation.trim()]);
    }
    if !id.contact.trim().is_empty() {
        args.extend(["--contact", id.contact.trim()]);
    }
    match id.algorithm.trim() {
        "" => {}
        a @ ("ed25519" | "sm2") => args.extend(["--algorithm", a]),
        other => {
            return Err(AppError::said(
                ErrorKind::Input,
                "app-err-algorithm",
                format!("unknown key algorithm {other:?}"),
                &[("algorithm", &other)],
            ));
        }
    }
    let mut c = state.engine(&args);
    c.env("WEBPROOF_PASSPHRASE", &id.passphrase);
    let home = state.home.clone();
    crate::engine::in_background(move || crate::engine::run_ok("operator init", c)).await?;
    identity(&home, "operator")
        .ok_or_else(|| AppError::new(ErrorKind::Command, "operator init wrote no identity"))
}

/// Enrolls the operator's key in the configured evidence log with a registrar's one-time
/// code (`webproof operator enroll`).
#[tauri::command]
#[specta::specta]
pub async fn operator_enroll(
    state: State<'_, AppState>,
    code: String,
    passphrase: String,
) -> AppResult<IdentityView> {
    if code.trim().is_empty() {
        return Err(AppError::input(
            "app-err-code-empty",
            "the enrollment code is empty",
        ));
    }
    let mut c = state.engine(&["operator", "enroll", "--code", code.trim()]);
    c.env("WEBPROOF_PASSPHRASE", &passphrase);
    let home = state.home.clone();
    crate::engine::in_background(move || crate::engine::run_ok("operator enroll", c)).await?;
    identity(&home, "operator").ok_or_else(|| {
        AppError::said(
            ErrorKind::NotFound,
            "app-err-no-identity",
            "no operator identity",
            &[],
        )
    })
}
