//! # webproof-watch
//!
//! Watching a URL until it is taken down (docs/watch.md): a watch re-captures the URL on a
//! schedule, each capture its own sealed package; this crate says what a package shows
//! ([`observe`]), what changed since the capture before ([`compare`]: the text of the page,
//! a perceptual hash of its screenshot, its pictures, video and sound), whether the page is
//! gone ([`gone`]: 404 or 410, the tracked element removed, a redirect to the site's home
//! page), and keeps the watch's history ([`history`]) and the systemd user units that run it
//! ([`service`]).
//!
//! Pure: it reads packages through [`PackageSource`](webproof_evidence::package::PackageSource)
//! and is given the time; the CLI schedules, captures and writes the files.

pub mod compare;
pub mod history;
pub mod observe;
pub mod service;

pub use compare::{Changes, Gone, compare, gone};
pub use history::{Entry, Outcome, Spec};
pub use observe::{Observation, observe};

use webproof_message::{Explain, Message, msg};

/// Why a package could not be read as a capture of the watched URL, or a watch's setting
/// is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    #[error(transparent)]
    Package(#[from] webproof_evidence::package::PackageError),
    #[error(transparent)]
    Journal(#[from] webproof_evidence::journal::JournalError),
    #[error("the package holds no navigation: it is not a capture of a URL")]
    NoNavigation,
    #[error("`{0}` is not a duration (say 30m, 6h or 1d)")]
    Duration(String),
    #[error("a watch re-captures at most every minute, not every {0}")]
    TooOften(String),
    #[error("`{0}` is not a CSS selector")]
    Selector(String),
    #[error("`{0}` is not an http(s) URL")]
    Url(String),
}

impl Explain for WatchError {
    fn message(&self) -> Message {
        match self {
            WatchError::Package(e) => e.message(),
            WatchError::Journal(e) => e.message(),
            WatchError::NoNavigation => msg!("err-watch-no-navigation"),
            WatchError::Duration(s) => msg!("err-watch-duration").arg("value", s),
            WatchError::TooOften(s) => msg!("err-watch-too-often").arg("value", s),
            WatchError::Selector(s) => msg!("err-watch-selector").arg("value", s),
            WatchError::Url(s) => msg!("err-watch-url").arg("value", s),
        }
    }
}
