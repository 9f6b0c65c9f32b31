//! The one error type every command returns: a stable kind the window can act on, and a
//! readable message (the cause, in the words of the library or the `webproof` engine, which
//! runs in the window's language); the app's own messages also as a key of
//! `crates/i18n/locales/*/app.ftl` with arguments, which the window says in its language.

use std::collections::BTreeMap;
use std::fmt::Display;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The case store could not be read or written.
    Store,
    /// A case, package or file does not exist.
    NotFound,
    /// What the operator typed cannot be used (the message says why).
    Input,
    /// The `webproof` engine could not be started.
    Engine,
    /// A `webproof` command ran and failed (the message is its own).
    Command,
    /// A capture is already running (one at a time).
    Busy,
    /// No capture is running.
    NoSession,
    /// A file could not be read or written.
    Io,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// In English, or in the engine's words.
    pub message: String,
    /// The app's own message as an `app.ftl` key (absent where `message` is the engine's).
    pub key: Option<String>,
    /// The key's arguments.
    pub args: BTreeMap<String, String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
            key: None,
            args: BTreeMap::new(),
        }
    }
    /// One of the app's own messages: `key` of app.ftl with `args`, and its English text.
    pub fn said(
        kind: ErrorKind,
        key: &str,
        english: impl Into<String>,
        args: &[(&str, &dyn Display)],
    ) -> Self {
        AppError {
            kind,
            message: english.into(),
            key: Some(key.to_owned()),
            args: args
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_string()))
                .collect(),
        }
    }
    /// What the operator typed cannot be used: `key` of app.ftl and its English text.
    pub fn input(key: &str, english: impl Into<String>) -> Self {
        Self::said(ErrorKind::Input, key, english, &[])
    }
    /// A file (or pipe) could not be read or written: `key` of app.ftl says what was being
    /// done to `path`; `e` is the system's reason.
    pub fn io(key: &str, path: impl Display, e: impl Display) -> Self {
        Self::said(
            ErrorKind::Io,
            key,
            format!("{path}: {e}"),
            &[("path", &path), ("error", &e)],
        )
    }
}

/// An empty passphrase is refused before an engine is started for it.
pub fn need_passphrase(p: &str) -> AppResult<()> {
    if p.is_empty() {
        return Err(AppError::input(
            "app-err-passphrase-empty",
            "the operator key's passphrase is empty",
        ));
    }
    Ok(())
}

impl From<webproof_cases::CaseError> for AppError {
    fn from(e: webproof_cases::CaseError) -> Self {
        use webproof_cases::CaseError as C;
        let english = e.to_string();
        match &e {
            C::NoCase(id) => AppError::said(
                ErrorKind::NotFound,
                "app-err-no-case",
                english,
                &[("id", id)],
            ),
            C::NoPackage { case, package } => AppError::said(
                ErrorKind::NotFound,
                "app-err-no-package",
                english,
                &[("case", case), ("package", package)],
            ),
            C::NoMatter => AppError::said(ErrorKind::Input, "app-err-no-matter", english, &[]),
            C::Store(detail) => AppError::said(
                ErrorKind::Store,
                "app-err-store",
                english,
                &[("detail", detail)],
            ),
            C::Damaged { id, reason } => AppError::said(
                ErrorKind::Store,
                "app-err-damaged",
                english,
                &[("id", id), ("reason", reason)],
            ),
            _ => AppError::new(ErrorKind::Store, english),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
