//! Where webproof keeps a user's keys, configuration, captures and cases (WEBPROOF_HOME): one
//! rule for the command line and the desktop app, so that a package made in the window is
//! verified by the terminal with the same trust.
//!
//! 1. `WEBPROOF_HOME`, when set and not empty;
//! 2. `~/.webproof`, when it exists (homes made before the XDG layout keep working);
//! 3. on Unix, `$XDG_DATA_HOME/webproof` (an absolute XDG_DATA_HOME), else
//!    `~/.local/share/webproof` (the XDG Base Directory specification's default);
//!    on Windows, `%APPDATA%\webproof`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The directory has no rule that applies: none of the variables is set.
#[derive(Debug, thiserror::Error)]
#[error("set WEBPROOF_HOME (or HOME)")]
pub struct NoHome;

/// The environment the rule reads (a value: the rule itself is pure and tested).
#[derive(Clone, Debug, Default)]
pub struct HomeEnv {
    pub webproof_home: Option<OsString>,
    pub home: Option<OsString>,
    pub xdg_data_home: Option<OsString>,
    pub appdata: Option<OsString>,
}

impl HomeEnv {
    /// This process's environment.
    pub fn current() -> HomeEnv {
        HomeEnv {
            webproof_home: std::env::var_os("WEBPROOF_HOME"),
            home: std::env::var_os("HOME"),
            xdg_data_home: std::env::var_os("XDG_DATA_HOME"),
            appdata: std::env::var_os("APPDATA"),
        }
    }
}

/// WEBPROOF_HOME by the rule of this module; `legacy_exists` says whether `~/.webproof` is a
/// directory.
pub fn resolve(
    env: &HomeEnv,
    unix: bool,
    legacy_exists: impl Fn(&Path) -> bool,
) -> Result<PathBuf, NoHome> {
    let set = |v: &Option<OsString>| v.clone().filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(h) = set(&env.webproof_home) {
        return Ok(h);
    }
    let home = set(&env.home);
    if let Some(h) = &home {
        let legacy = h.join(".webproof");
        if legacy_exists(&legacy) {
            return Ok(legacy);
        }
    }
    if !unix && let Some(a) = set(&env.appdata) {
        return Ok(a.join("webproof"));
    }
    // The specification ignores a relative XDG_DATA_HOME.
    if let Some(x) = set(&env.xdg_data_home).filter(|x| x.is_absolute()) {
        return Ok(x.join("webproof"));
    }
    home.map(|h| h.join(".local/share/webproof")).ok_or(NoHome)
}

/// The first line of a config.toml that `webproof dev up` wrote.
pub const DEV_MARK: &str = "# Written by `webproof dev up`";
/// The first line of a config.toml that `webproof trust import` wrote.
pub const IMPORT_MARK: &str = "# Written by `webproof trust import`";

/// Who wrote a home's config.toml, told by its first line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigOrigin {
    /// There is none: nothing is trusted, nothing deposits.
    Missing,
    /// `dev up`: a local development alliance, never for court use.
    Development,
    /// `trust import`: an alliance's trust bundle (kept in WEBPROOF_HOME/trust/).
    Imported,
    /// The user's own file.
    Own,
}

/// Who wrote config.toml, from its text (`None`: there is no file).
pub fn config_origin(text: Option<&str>) -> ConfigOrigin {
    match text {
        None => ConfigOrigin::Missing,
        Some(t) if t.starts_with(DEV_MARK) => ConfigOrigin::Development,
        Some(t) if t.starts_with(IMPORT_MARK) => ConfigOrigin::Imported,
        Some(_) => ConfigOrigin::Own,
    }
}

/// WEBPROOF_HOME for this process.
pub fn home() -> Result<PathBuf, NoHome> {
    resolve(&HomeEnv::current(), cfg!(unix), |p| p.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HomeEnv {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        };
        HomeEnv {
            webproof_home: get("WEBPROOF_HOME"),
            home: get("HOME"),
            xdg_data_home: get("XDG_DATA_HOME"),
            appdata: get("APPDATA"),
        }
    }

    fn on_unix(pairs: &[(&str, &str)], legacy: bool) -> Option<PathBuf> {
        resolve(&env(pairs), true, |_| legacy).ok()
    }

    #[test]
    fn webproof_home_wins() {
        let all = [
            ("WEBPROOF_HOME", "/w"),
            ("HOME", "/h"),
            ("XDG_DATA_HOME", "/x"),
        ];
        assert_eq!(on_unix(&all, true), Some("/w".into()));
    }

    #[test]
    fn an_existing_dot_webproof_is_kept() {
        let e = [
            ("HOME", "/h"),
            ("XDG_DATA_HOME", "/x"),
            ("WEBPROOF_HOME", ""),
        ];
        assert_eq!(on_unix(&e, true), Some("/h/.webproof".into()));
        let asked = std::cell::RefCell::new(Vec::new());
        let _ = resolve(&env(&e), true, |p| {
            asked.borrow_mut().push(p.to_owned());
            false
        });
        assert_eq!(asked.into_inner(), vec![PathBuf::from("/h/.webproof")]);
    }

    #[test]
    fn else_the_xdg_data_directory() {
        let e = [("HOME", "/h"), ("XDG_DATA_HOME", "/x")];
        assert_eq!(on_unix(&e, false), Some("/x/webproof".into()));
        assert_eq!(
            on_unix(&[("HOME", "/h")], false),
            Some("/h/.local/share/webproof".into())
        );
        // Empty or relative: the specification's default.
        for x in ["", "rel/data"] {
            assert_eq!(
                on_unix(&[("HOME", "/h"), ("XDG_DATA_HOME", x)], false),
                Some("/h/.local/share/webproof".into())
            );
        }
        assert_eq!(
            on_unix(&[("XDG_DATA_HOME", "/x")], false),
            Some("/x/webproof".into())
        );
    }

    #[test]
    fn nothing_set_is_an_error() {
        assert!(on_unix(&[], false).is_none());
        assert!(on_unix(&[("HOME", ""), ("WEBPROOF_HOME", "")], true).is_none());
        assert_eq!(NoHome.to_string(), "set WEBPROOF_HOME (or HOME)");
    }

    #[test]
    fn a_configuration_says_who_wrote_it_in_its_first_line() {
        assert_eq!(config_origin(None), ConfigOrigin::Missing);
        let dev = format!("{DEV_MARK} (a local development alliance)\n[log]\n");
        assert_eq!(config_origin(Some(&dev)), ConfigOrigin::Development);
        let imported = format!("{IMPORT_MARK} from x\n");
        assert_eq!(config_origin(Some(&imported)), ConfigOrigin::Imported);
        for own in ["", "[log]\n", &format!("\n{DEV_MARK}")] {
            assert_eq!(config_origin(Some(own)), ConfigOrigin::Own, "{own:?}");
        }
    }

    #[test]
    fn windows_uses_appdata() {
        let e = env(&[
            ("APPDATA", r"C:\Users\li\AppData\Roaming"),
            ("XDG_DATA_HOME", "/x"),
        ]);
        assert_eq!(
            resolve(&e, false, |_| false).ok(),
            Some(Path::new(r"C:\Users\li\AppData\Roaming").join("webproof"))
        );
    }
}
