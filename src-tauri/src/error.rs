//! The one error type every command returns: a stable kind the window can act on, and a
//! readable message (the cause, in the words of the library or the `webproof` engine).

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
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
        }
    }
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message)
    }
    pub fn io(what: &str, e: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Io, format!("{what}: {e}"))
    }
}

impl From<webproof_cases::CaseError> for AppError {
    fn from(e: webproof_cases::CaseError) -> Self {
        use webproof_cases::CaseError as C;
        let kind = match &e {
            C::NoCase(_) | C::NoPackage { .. } => ErrorKind::NotFound,
            C::NoMatter => ErrorKind::Input,
            _ => ErrorKind::Store,
        };
        AppError::new(kind, e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
