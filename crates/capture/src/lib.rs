//! # webproof-capture
//!
//! The capture session: browser actions as steps, each one's artifacts hashed and journaled
//! the moment it completes. The browser is a trait ([`Browser`]) so this crate never knows
//! Chromium, WebDriver or the network; `webproof-browser` implements it.
//!
//! Architecture invariant: depends on `webproof-evidence` only.

pub mod environment;
pub mod vtt;

use serde_json::{Map, Value};
use webproof_evidence::capture::{Capture, CaptureError};
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::utc::Utc;

/// Where the browser is and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageState {
    pub url: String,
    pub title: String,
}

/// A browser failure, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("browser: {action}: {message}")]
pub struct BrowserError {
    pub action: String,
    pub message: String,
}

impl BrowserError {
    pub fn new(action: impl Into<String>, message: impl std::fmt::Display) -> Self {
        BrowserError {
            action: action.into(),
            message: message.to_string(),
        }
    }
}

/// What webproof needs from a browser.
#[allow(async_fn_in_trait)] // used with concrete types only
pub trait Browser {
    /// Loads `url` and waits for the load to finish; returns the final URL (after redirects).
    async fn navigate(&mut self, url: &str) -> Result<PageState, BrowserError>;
    async fn state(&mut self) -> Result<PageState, BrowserError>;
    /// PNG of the visible viewport.
    async fn screenshot_viewport(&mut self) -> Result<Vec<u8>, BrowserError>;
    /// PNG of the whole page, beyond the viewport.
    async fn screenshot_full(&mut self) -> Result<Vec<u8>, BrowserError>;
    /// The DOM serialised as HTML.
    async fn html(&mut self) -> Result<String, BrowserError>;
    /// The page as an MHTML archive (HTML with its resources).
    async fn mhtml(&mut self) -> Result<String, BrowserError>;
    /// Browser and driver versions, user agent: recorded in the session's first step.
    fn describe(&self) -> Map<String, Value>;
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    #[error(transparent)]
    Browser(#[from] BrowserError),
    #[error(transparent)]
    Capture(#[from] CaptureError),
}

/// One thing to do in the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Go to a URL; the step keeps a viewport screenshot of the result.
    Navigate(String),
    /// Screenshot of the whole page (and the viewport).
    Screenshot,
    /// DOM snapshot as HTML and MHTML.
    Snapshot,
    /// An operator's note.
    Note(String),
}

/// Runs actions against a browser, journaling each as a step.
pub struct Session<'c> {
    cap: &'c mut Capture,
}

impl<'c> Session<'c> {
    pub fn new(cap: &'c mut Capture) -> Self {
        Session { cap }
    }

    /// Performs one action and journals it (with its artifacts) before returning.
    pub async fn run<B: Browser>(
        &mut self,
        b: &mut B,
        action: &Action,
    ) -> Result<StepRecord, SessionError> {
        let started = Utc::now();
        let mut params = Map::new();
        let record = match action {
            Action::Navigate(url) => {
                params.insert("requested_url".into(), Value::String(url.clone()));
                let st = b.navigate(url).await?;
                params.insert("title".into(), Value::String(st.title.clone()));
                let shot = b.screenshot_viewport().await?;
                self.cap.add_step(
                    StepKind::Navigate,
                    started,
                    Some(st.url),
                    params,
                    &[("viewport.png", "image/png", &shot)],
                )?
            }
            Action::Screenshot => {
                let st = b.state().await?;
                params.insert("title".into(), Value::String(st.title));
                let full = b.screenshot_full().await?;
                let view = b.screenshot_viewport().await?;
                self.cap.add_step(
                    StepKind::Screenshot,
                    started,
                    Some(st.url),
                    params,
                    &[
                        ("full-page.png", "image/png", &full),
                        ("viewport.png", "image/png", &view),
                    ],
                )?
            }
            Action::Snapshot => {
                let st = b.state().await?;
                params.insert("title".into(), Value::String(st.title));
                let html = b.html().await?;
                let mhtml = b.mhtml().await?;
                self.cap.add_step(
                    StepKind::Snapshot,
                    started,
                    Some(st.url),
                    params,
                    &[
                        ("dom.html", "text/html", html.as_bytes()),
                        ("page.mhtml", "multipart/related", mhtml.as_bytes()),
                    ],
                )?
            }
            Action::Note(text) => {
                params.insert("text".into(), Value::String(text.clone()));
                let url = b.state().await.ok().map(|s| s.url);
                self.cap
                    .add_step(StepKind::Note, started, url, params, &[])?
            }
        };
        Ok(record)
    }

    /// Records the browser's description as the session's opening note.
    pub fn record_browser(&mut self, b: &impl Browser) -> Result<StepRecord, SessionError> {
        let mut params = b.describe();
        params.insert(
            "text".into(),
            Value::String("browser session started".into()),
        );
        Ok(self
            .cap
            .add_step(StepKind::Note, Utc::now(), None, params, &[])?)
    }
}
