//! # webproof-capture
//!
//! The capture session: browser actions as steps, each one's artifacts hashed and journaled
//! the moment it completes. The browser is a trait ([`Browser`]) so this crate never knows
//! Chromium, WebDriver or the network; `webproof-browser` implements it.
//!
//! Architecture invariant: depends on `webproof-evidence` only.

pub mod environment;
pub mod manual;
pub mod profile;
pub mod vtt;

mod scripts;

use serde_json::{Map, Value};
use webproof_evidence::capture::{Capture, CaptureError};
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::utc::Utc;
use webproof_message::{Explain, Message, msg};

/// Where the browser is and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageState {
    pub url: String,
    pub title: String,
    /// Set when the browser could not load the page and shows its own error page instead:
    /// what the error page says (`net::ERR_CONNECTION_REFUSED`, …) or that it could not load.
    pub load_error: Option<String>,
}

/// A browser failure, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("browser: {action}: {source}")]
pub struct BrowserError {
    pub action: String,
    /// What the browser, its driver or the DevTools connection answered (a text when that is
    /// all there is).
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl BrowserError {
    pub fn new(
        action: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        BrowserError {
            action: action.into(),
            source: source.into(),
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
    /// Runs JavaScript in the page (WebDriver "execute script"); `arguments[i]` are `args`.
    async fn eval(&mut self, script: &str, args: Vec<Value>) -> Result<Value, BrowserError>;
    /// Runs asynchronous JavaScript; the last argument is the callback that returns.
    async fn eval_async(&mut self, script: &str, args: Vec<Value>) -> Result<Value, BrowserError>;
    /// Clicks the first element matching a CSS selector.
    async fn click(&mut self, selector: &str) -> Result<(), BrowserError>;
    /// Clicks the point (x, y) of the viewport, in CSS pixels, as a mouse would.
    async fn click_at(&mut self, x: u32, y: u32) -> Result<(), BrowserError>;
    /// Types text into the first element matching a CSS selector.
    async fn type_text(&mut self, selector: &str, text: &str) -> Result<(), BrowserError>;
    /// The file the last navigation handed to the browser's download manager instead of
    /// showing a page (an attachment, a type the browser does not show), once complete: its
    /// name and bytes; `None` when none (the tab showed `before` before navigating).
    async fn navigation_download(
        &mut self,
        before: &str,
    ) -> Result<Option<(String, Vec<u8>)>, BrowserError>;
    /// Browser and driver versions, user agent: recorded in the session's first step.
    fn describe(&self) -> Map<String, Value>;
}

#[derive(Debug, thiserror::Error)]
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
    /// Scroll to the bottom repeatedly until the page stops growing (lazy loading, infinite
    /// scroll), at most `max_rounds` times.
    Scroll {
        max_rounds: u32,
        pause_ms: u64,
    },
    /// Wait for a selector (or, without one, for a time).
    Wait {
        selector: Option<String>,
        timeout_ms: u64,
    },
    Click(String),
    /// Click the point (x, y) of the viewport (CSS pixels) with a real mouse event.
    ClickAt {
        x: u32,
        y: u32,
    },
    /// Wait until the page has loaded and no resource has started or finished loading for
    /// `idle_ms`, at most `timeout_ms`.
    WaitIdle {
        idle_ms: u64,
        timeout_ms: u64,
    },
    /// Type into a field; a secret is masked in the record.
    Type {
        selector: String,
        text: String,
        secret: bool,
    },
    /// Download page media through the page's own session (cookies apply).
    Download {
        what: profile::MediaKind,
        max_files: u32,
    },
    /// Extract named fields (`selector` or `selector@attribute`) into extract.json.
    Extract(std::collections::BTreeMap<String, String>),
}

impl Action {
    /// What the action does, in a word or two (for messages and the interruption record).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Navigate(_) => "navigate",
            Action::Screenshot => "screenshot",
            Action::Snapshot => "snapshot",
            Action::Note(_) => "note",
            Action::Scroll { .. } => "scroll",
            Action::Wait { .. } => "wait",
            Action::Click(_) | Action::ClickAt { .. } => "click",
            Action::WaitIdle { .. } => "wait for the page to settle",
            Action::Type { .. } => "type",
            Action::Download { .. } => "download",
            Action::Extract(_) => "extract",
        }
    }
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
                let before = b.state().await?.url;
                let st = b.navigate(url).await?;
                params.insert("title".into(), Value::String(st.title.clone()));
                if let Some(e) = &st.load_error {
                    params.insert("load_error".into(), Value::String(e.clone()));
                }
                // A URL that answers with a file rather than a page: the file is the evidence.
                let file = match b.navigation_download(&before).await? {
                    Some((name, bytes)) => {
                        let ctype = media_type_of(&name).to_owned();
                        Some(("download", name, ctype, bytes))
                    }
                    None if st.load_error.is_none() => shown_file(b, &st.url).await?,
                    None => None,
                };
                let shot = b.screenshot_viewport().await?;
                let mut files: Vec<(String, &str, &[u8])> =
                    vec![("viewport.png".into(), "image/png", &shot)];
                let mut at = st.url;
                if let Some((how, name, ctype, bytes)) = &file {
                    params.insert(
                        "file".into(),
                        serde_json::json!({"how": how, "name": name, "content_type": ctype, "size": bytes.len()}),
                    );
                    // A download leaves the tab where it was: the file came from the URL asked for.
                    if *how == "download" {
                        at = url.clone();
                    }
                    files.push((format!("file-{name}"), ctype.as_str(), bytes.as_slice()));
                }
                let refs: Vec<(&str, &str, &[u8])> =
                    files.iter().map(|(n, t, d)| (n.as_str(), *t, *d)).collect();
                self.cap
                    .add_step(StepKind::Navigate, started, Some(at), params, &refs)?
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
            Action::Scroll {
                max_rounds,
                pause_ms,
            } => {
                let mut rounds = 0u32;
                let mut last = -1i64;
                let mut stable = 0;
                let mut height = 0i64;
                while rounds < *max_rounds {
                    rounds += 1;
                    height = b
                        .eval_async(scripts::SCROLL_ROUND, vec![Value::from(*pause_ms)])
                        .await?
                        .as_i64()
                        .unwrap_or(0);
                    if height == last {
                        stable += 1;
                        if stable >= 2 {
                            break;
                        }
                    } else {
                        stable = 0;
                    }
                    last = height;
                }
                b.eval("window.scrollTo(0, 0); return true;", vec![])
                    .await?;
                params.insert("rounds".into(), Value::from(rounds));
                params.insert("page_height".into(), Value::from(height));
                params.insert("reached_end".into(), Value::from(stable >= 2));
                self.screenshot_step(b, StepKind::Scroll, started, params)
                    .await?
            }
            Action::Wait {
                selector,
                timeout_ms,
            } => {
                let found;
                let mut left = *timeout_ms;
                loop {
                    // WebDriver scripts time out after 30 s: wait in slices.
                    let slice = left.min(20_000);
                    let r = b
                        .eval_async(
                            scripts::WAIT_SLICE,
                            vec![Value::from(selector.clone()), Value::from(slice)],
                        )
                        .await?;
                    left -= slice;
                    if r == Value::Bool(true) || left == 0 {
                        found = r;
                        break;
                    }
                }
                if let Some(sel) = selector {
                    params.insert("selector".into(), Value::String(sel.clone()));
                    params.insert("found".into(), found);
                }
                params.insert("timeout_ms".into(), Value::from(*timeout_ms));
                let url = b.state().await.ok().map(|s| s.url);
                self.cap
                    .add_step(StepKind::Wait, started, url, params, &[])?
            }
            Action::Click(selector) => {
                params.insert("selector".into(), Value::String(selector.clone()));
                b.click(selector).await?;
                self.screenshot_step(b, StepKind::Click, started, params)
                    .await?
            }
            Action::ClickAt { x, y } => {
                params.insert("point".into(), serde_json::json!([x, y]));
                b.click_at(*x, *y).await?;
                self.screenshot_step(b, StepKind::Click, started, params)
                    .await?
            }
            Action::WaitIdle {
                idle_ms,
                timeout_ms,
            } => {
                let mut left = *timeout_ms;
                let idle = loop {
                    // WebDriver scripts time out after 30 s: wait in slices.
                    let slice = left.min(20_000);
                    let r = b
                        .eval_async(
                            scripts::NETWORK_IDLE,
                            vec![Value::from(*idle_ms), Value::from(slice)],
                        )
                        .await?;
                    left -= slice;
                    if r == Value::Bool(true) || left == 0 {
                        break r == Value::Bool(true);
                    }
                };
                params.insert("network_idle_ms".into(), Value::from(*idle_ms));
                params.insert("timeout_ms".into(), Value::from(*timeout_ms));
                params.insert("idle".into(), Value::Bool(idle));
                let url = b.state().await.ok().map(|s| s.url);
                self.cap
                    .add_step(StepKind::Wait, started, url, params, &[])?
            }
            Action::Type {
                selector,
                text,
                secret,
            } => {
                params.insert("selector".into(), Value::String(selector.clone()));
                let shown = if *secret {
                    "•".repeat(text.chars().count())
                } else {
                    text.clone()
                };
                params.insert("text".into(), Value::String(shown));
                params.insert("masked".into(), Value::Bool(*secret));
                b.type_text(selector, text).await?;
                self.screenshot_step(b, StepKind::Input, started, params)
                    .await?
            }
            Action::Extract(fields) => {
                let spec = serde_json::to_value(fields).unwrap_or(Value::Null);
                let values = b.eval(scripts::EXTRACT, vec![spec]).await?;
                let st = b.state().await?;
                let bytes = serde_json::to_vec_pretty(
                    &serde_json::json!({"url": st.url, "extracted": values}),
                )
                .map_err(|e| BrowserError::new("extract", e))?;
                params.insert("fields".into(), values);
                self.cap.add_step(
                    StepKind::Snapshot,
                    started,
                    Some(st.url),
                    params,
                    &[("extract.json", "application/json", &bytes)],
                )?
            }
            Action::Download { what, max_files } => {
                let urls = b
                    .eval(
                        scripts::MEDIA_URLS,
                        vec![Value::from(format!("{what:?}").to_lowercase())],
                    )
                    .await?;
                let urls: Vec<String> = urls
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
                let mut listing = Vec::new();
                for (i, url) in urls.iter().take(*max_files as usize).enumerate() {
                    let r = b
                        .eval_async(scripts::FETCH, vec![Value::String(url.clone())])
                        .await?;
                    match decode_fetch(&r) {
                        Ok((ctype, bytes)) => {
                            let name = format!("{:03}-{}", i + 1, file_name(url));
                            listing.push(serde_json::json!({"url": url, "status": r["status"], "content_type": ctype, "size": bytes.len(), "file": name}));
                            files.push((name, ctype, bytes));
                        }
                        Err(e) => listing.push(serde_json::json!({"url": url, "error": e})),
                    }
                }
                params.insert(
                    "what".into(),
                    Value::String(format!("{what:?}").to_lowercase()),
                );
                params.insert("found".into(), Value::from(urls.len()));
                params.insert("files".into(), Value::Array(listing));
                let st = b.state().await?;
                let refs: Vec<(&str, &str, &[u8])> = files
                    .iter()
                    .map(|(n, t, d)| (n.as_str(), t.as_str(), d.as_slice()))
                    .collect();
                self.cap
                    .add_step(StepKind::Download, started, Some(st.url), params, &refs)?
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

    async fn screenshot_step<B: Browser>(
        &mut self,
        b: &mut B,
        kind: StepKind,
        started: Utc,
        mut params: Map<String, Value>,
    ) -> Result<StepRecord, SessionError> {
        let st = b.state().await?;
        params.insert("title".into(), Value::String(st.title));
        let shot = b.screenshot_viewport().await?;
        Ok(self.cap.add_step(
            kind,
            started,
            Some(st.url),
            params,
            &[("viewport.png", "image/png", &shot)],
        )?)
    }

    /// Records the browser's description as the session's opening note.
    pub fn record_browser(&mut self, b: &impl Browser) -> Result<StepRecord, SessionError> {
        let mut params = b.describe();
        params.insert(
            "text".into(),
            Value::String(webproof_evidence::record::BROWSER_STARTED_NOTE.into()),
        );
        Ok(self
            .cap
            .add_step(StepKind::Note, Utc::now(), None, params, &[])?)
    }
}

/// The body of a FETCH script result: `{status, type, data: "data:…;base64,…"}`.
fn decode_fetch(r: &Value) -> Result<(String, Vec<u8>), String> {
    use base64::Engine as _;
    if let Some(e) = r.get("error").and_then(Value::as_str) {
        return Err(e.to_owned());
    }
    let data = r.get("data").and_then(Value::as_str).ok_or("no data")?;
    let b64 = data.split_once(";base64,").map(|(_, d)| d).unwrap_or("");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| e.to_string())?;
    let ctype = r
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok((ctype, bytes))
}

/// The last path segment of a URL, for naming a downloaded file.
/// The file a navigation showed by itself instead of a page (a PDF, a video, an image: the
/// document's type is not HTML), fetched again through the page's own session:
/// `("document", name, type, bytes)`.
async fn shown_file<B: Browser>(
    b: &mut B,
    url: &str,
) -> Result<Option<(&'static str, String, String, Vec<u8>)>, SessionError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Ok(None);
    }
    let ctype = b
        .eval("return document.contentType", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ctype.is_empty() || is_page(&ctype) {
        return Ok(None);
    }
    let r = b
        .eval_async(scripts::FETCH, vec![Value::String(url.to_owned())])
        .await?;
    Ok(match decode_fetch(&r) {
        Ok((fetched, bytes)) => Some((
            "document",
            file_name(url),
            if fetched.is_empty() { ctype } else { fetched },
            bytes,
        )),
        // Not fetched again: the page step still has the screenshot, and the WARC the
        // response.
        Err(_) => None,
    })
}

/// Whether a document of this type is a page (shown and captured as one).
fn is_page(ctype: &str) -> bool {
    matches!(
        ctype.split(';').next().unwrap_or("").trim(),
        "text/html"
            | "application/xhtml+xml"
            | "image/svg+xml"
            | "text/plain"
            | "application/xml"
            | "text/xml"
    )
}

/// A media type for a downloaded file, by its name (the response's own header is in the WARC).
fn media_type_of(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("gz") => "application/gzip",
        Some("7z") => "application/x-7z-compressed",
        Some("rar") => "application/vnd.rar",
        _ => "application/octet-stream",
    }
}

fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    if last.is_empty() {
        "download".into()
    } else {
        last.to_owned()
    }
}

impl Explain for BrowserError {
    /// What the browser said stays in its words.
    fn message(&self) -> Message {
        msg!("err-browser")
            .arg("action", &self.action)
            .arg("detail", self.source.to_string())
    }
}

impl Explain for SessionError {
    fn message(&self) -> Message {
        match self {
            SessionError::Browser(b) => b.message(),
            SessionError::Capture(c) => c.message(),
        }
    }
}
