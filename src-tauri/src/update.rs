//! Signed updates (tauri-plugin-updater): the app asks the update feed the user configured
//! (Settings; `WEBPROOF_HOME/app.json`) for a newer release, downloads it, and installs it only
//! if its minisign signature verifies under the update key whose public half was built into
//! this app (`package.sh` with `WEBPROOF_UPDATE_PUBKEY`) and the signed comment names the
//! version the feed offers. A build without a key has no updater: it says so and installs
//! nothing. docs/updates.md is the feed's format and how releases are signed.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_plugin_updater::UpdaterExt;

use crate::AppState;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::settings::{prefs, save_prefs};

#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct UpdateView {
    /// This build carries an update key (without one, nothing is ever installed).
    pub key: bool,
    /// The feed's URL, as configured (empty: none).
    pub feed: String,
    /// The running version.
    pub current: String,
}

/// What the feed answered: the running version, and a newer release when it offers one.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct UpdateCheck {
    pub current: String,
    pub offer: Option<UpdateOffer>,
}

/// A newer release the feed offers.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type)]
pub struct UpdateOffer {
    pub version: String,
    pub date: Option<String>,
    pub notes: Option<String>,
}

/// Whether the app was built with an update key (`plugins.updater` in its configuration).
pub fn has_key(config: &tauri::Config) -> bool {
    config.plugins.0.contains_key("updater")
}

#[tauri::command]
#[specta::specta]
pub fn update_status(app: AppHandle, state: State<'_, AppState>) -> UpdateView {
    UpdateView {
        key: has_key(app.config()),
        feed: prefs(&state.home).update_feed.unwrap_or_default(),
        current: app.package_info().version.to_string(),
    }
}

/// Sets the update feed's URL (http(s); empty: none).
#[tauri::command]
#[specta::specta]
pub fn set_update_feed(state: State<'_, AppState>, url: String) -> AppResult<()> {
    let url = url.trim();
    if !url.is_empty() {
        feed_url(url)?;
    }
    let mut p = prefs(&state.home);
    p.update_feed = (!url.is_empty()).then(|| url.to_owned());
    save_prefs(&state.home, &p)
}

fn feed_url(url: &str) -> AppResult<tauri::Url> {
    tauri::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            AppError::said(
                ErrorKind::Input,
                "app-err-update-feed",
                format!("{url} is not an http(s) URL"),
                &[("url", &url)],
            )
        })
}

fn updater(app: &AppHandle, home: &std::path::Path) -> AppResult<tauri_plugin_updater::Updater> {
    if !has_key(app.config()) {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-update-no-key",
            "this build has no update key: it installs no update",
            &[],
        ));
    }
    let feed = prefs(home).update_feed.unwrap_or_default();
    if feed.is_empty() {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-update-no-feed",
            "no update feed is configured",
            &[],
        ));
    }
    app.updater_builder()
        .endpoints(vec![feed_url(&feed)?])
        .and_then(|b| b.build())
        .map_err(said)
}

/// The updater's error, in its words (a bad signature says so).
fn said(e: tauri_plugin_updater::Error) -> AppError {
    AppError::new(ErrorKind::Command, format!("update: {e}"))
}

/// Asks the feed for a newer release.
#[tauri::command]
#[specta::specta]
pub async fn check_update(app: AppHandle, state: State<'_, AppState>) -> AppResult<UpdateCheck> {
    let u = updater(&app, &state.home)?;
    let offer = u.check().await.map_err(said)?;
    Ok(UpdateCheck {
        current: app.package_info().version.to_string(),
        offer: offer.map(|o| UpdateOffer {
            version: o.version,
            date: o.date.map(|d| d.to_string()),
            notes: o.body,
        }),
    })
}

/// Downloads the newer release, verifies its signature and installs it (for a .deb,
/// `dpkg -i` through pkexec or sudo). Returns the version installed: the app runs it from its
/// next start.
#[tauri::command]
#[specta::specta]
pub async fn install_update(app: AppHandle, state: State<'_, AppState>) -> AppResult<String> {
    let u = updater(&app, &state.home)?;
    let offer = u.check().await.map_err(said)?.ok_or_else(|| {
        AppError::said(
            ErrorKind::NotFound,
            "app-err-update-none",
            "the feed offers no newer release",
            &[],
        )
    })?;
    offer
        .download_and_install(|_, _| {}, || {})
        .await
        .map_err(said)?;
    Ok(offer.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_is_an_http_url() {
        for good in [
            "https://releases.example.org/latest.json",
            "http://127.0.0.1:8/x.json",
        ] {
            assert!(feed_url(good).is_ok(), "{good}");
        }
        for bad in [
            "file:///etc/passwd",
            "releases.example.org",
            "ftp://x/latest.json",
            "",
        ] {
            let e = feed_url(bad).err().map(|e| e.key);
            assert_eq!(e, Some(Some("app-err-update-feed".into())), "{bad}");
        }
    }

    #[test]
    fn only_a_build_with_a_key_has_an_updater() {
        let mut config: tauri::Config =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert!(
            !has_key(&config),
            "the committed configuration carries no key"
        );
        config.plugins.0.insert(
            "updater".into(),
            serde_json::json!({"pubkey": "RWQ…", "requireSignedVersion": true}),
        );
        assert!(has_key(&config));
    }
}
