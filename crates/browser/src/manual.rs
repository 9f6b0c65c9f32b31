//! Manual mode at the browser edge: installs the in-page recorder in every tab and frame,
//! turns DevTools events (binding calls, downloads, targets) into
//! [`ManualEvent`](webproof_capture::manual::ManualEvent)s, and takes the screenshot after
//! each one from the tab it happened in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use webproof_capture::BrowserError;
use webproof_capture::manual::{BINDING, ManualEvent, RECORDER_SCRIPT, RECORDER_WORLD};

use crate::cdp::{Caller, Event, Hub, SetupCommand};

/// Most unread DevTools events the watcher holds (a burst beyond is dropped and counted).
const QUEUE: usize = 4096;

/// Watches what the operator does.
pub struct Watcher {
    rx: mpsc::Receiver<Event>,
    /// Events dropped because the page produced them faster than they were taken.
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// (session, execution context id) of the recorder's own isolated worlds: the only
    /// contexts whose reports count.
    worlds: std::collections::HashSet<(String, i64)>,
    caller: Caller,
    dir: PathBuf,
    /// Page target id → DevTools session.
    tabs: HashMap<String, String>,
    /// The tab the operator acted in last.
    active: Option<String>,
    downloads: HashMap<String, (String, String)>,
}

/// One thing the watcher saw.
#[derive(Debug)]
pub enum Seen {
    /// An operator action, and the tab (target id) it happened in, if known.
    Action(ManualEvent, Option<String>),
    /// The browser closed its DevTools connection (the operator quit it).
    BrowserGone,
}

impl Watcher {
    /// Starts watching: downloads go to `download_dir` (a file per download, named by its
    /// DevTools guid), and the recorder is installed in every tab from now on.
    pub async fn start(hub: &Hub, download_dir: &Path) -> Result<Self, BrowserError> {
        // Bounded: a page cannot make webproof hold more than this many unread events.
        let (rx, dropped) = hub.subscribe_bounded(
            &[
                "Runtime.bindingCalled",
                "Runtime.executionContextCreated",
                "Browser.download",
                "Target.",
            ],
            QUEUE,
        );
        std::fs::create_dir_all(download_dir)
            .map_err(|e| BrowserError::new(format!("creating {}", download_dir.display()), e))?;
        hub.call(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allowAndName", "downloadPath": download_dir, "eventsEnabled": true}),
            None,
        )
        .await?;
        // The recorder runs in an isolated world of its own, and only that world sees the
        // binding: the page's scripts can neither call it nor touch the recorder.
        hub.add_setup(vec![
            SetupCommand::new(
                "Runtime.addBinding",
                json!({"name": BINDING, "executionContextName": RECORDER_WORLD}),
            ),
            SetupCommand::new(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({"source": RECORDER_SCRIPT, "runImmediately": true, "worldName": RECORDER_WORLD}),
            ),
        ])
        .await?;
        let tabs: HashMap<String, String> = hub
            .pages()
            .into_iter()
            .map(|p| (p.target_id, p.session))
            .collect();
        let active = tabs.keys().next().cloned();
        Ok(Watcher {
            rx,
            dropped,
            worlds: Default::default(),
            caller: hub.caller(),
            dir: download_dir.to_owned(),
            tabs,
            active,
            downloads: HashMap::new(),
        })
    }

    /// Events dropped so far because a page produced them faster than they were taken.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Open tabs.
    pub fn open_tabs(&self) -> usize {
        self.tabs.len()
    }

    /// The tab the operator acted in last (a WebDriver window handle in chromedriver).
    pub fn active_tab(&self) -> Option<&str> {
        self.active.as_deref()
    }

    fn tab_of_session(&self, session: Option<&str>) -> Option<String> {
        let s = session?;
        self.tabs
            .iter()
            .find(|(_, v)| v.as_str() == s)
            .map(|(k, _)| k.clone())
    }

    /// The next operator action (cancel-safe: call it in a `select!`).
    pub async fn next(&mut self) -> Seen {
        loop {
            let Some(ev) = self.rx.recv().await else {
                return Seen::BrowserGone;
            };
            let p = &ev.params;
            match ev.method.as_str() {
                "Runtime.executionContextCreated" if p["context"]["name"] == RECORDER_WORLD => {
                    if let (Some(s), Some(id)) = (ev.session.clone(), p["context"]["id"].as_i64()) {
                        // Bounded: contexts of closed documents are not forgotten, so cap.
                        if self.worlds.len() >= 100_000 {
                            self.worlds.clear();
                        }
                        self.worlds.insert((s, id));
                    }
                }
                "Runtime.bindingCalled" if p["name"] == BINDING => {
                    // Only the recorder's own world counts (the binding is exposed to no
                    // other; this holds even if a browser exposed it more widely).
                    let from_recorder = match (&ev.session, p["executionContextId"].as_i64()) {
                        (Some(s), Some(id)) => self.worlds.contains(&(s.clone(), id)),
                        _ => false,
                    };
                    if !from_recorder {
                        continue;
                    }
                    let Some(action) = ManualEvent::from_page(p["payload"].as_str().unwrap_or(""))
                    else {
                        continue;
                    };
                    // Events of an iframe's own session belong to the tab acted in last.
                    let tab = self
                        .tab_of_session(ev.session.as_deref())
                        .or_else(|| self.active.clone());
                    if tab.is_some() {
                        self.active = tab.clone();
                    }
                    return Seen::Action(action, tab);
                }
                "Target.attachedToTarget" if p["targetInfo"]["type"] == "page" => {
                    if let (Some(t), Some(s)) = (
                        p["targetInfo"]["targetId"].as_str(),
                        p["sessionId"].as_str(),
                    ) {
                        self.tabs.insert(t.to_owned(), s.to_owned());
                    }
                }
                "Target.targetCreated" if p["targetInfo"]["type"] == "page" => {
                    let target = p["targetInfo"]["targetId"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned();
                    let url = p["targetInfo"]["url"].as_str().unwrap_or("").to_owned();
                    return Seen::Action(ManualEvent::TabOpened { target, url }, None);
                }
                "Target.targetDestroyed" => {
                    let target = p["targetId"].as_str().unwrap_or("").to_owned();
                    if self.tabs.remove(&target).is_some() {
                        if self.active.as_deref() == Some(target.as_str()) {
                            self.active = self.tabs.keys().next().cloned();
                        }
                        return Seen::Action(ManualEvent::TabClosed { target }, None);
                    }
                }
                "Browser.downloadWillBegin" => {
                    self.downloads.insert(
                        p["guid"].as_str().unwrap_or("").to_owned(),
                        (
                            p["url"].as_str().unwrap_or("").to_owned(),
                            p["suggestedFilename"]
                                .as_str()
                                .unwrap_or("download")
                                .to_owned(),
                        ),
                    );
                }
                "Browser.downloadProgress" => {
                    let guid = p["guid"].as_str().unwrap_or("");
                    let state = p["state"].as_str().unwrap_or("");
                    if state == "inProgress" {
                        continue;
                    }
                    let Some((url, name)) = self.downloads.remove(guid) else {
                        continue;
                    };
                    let file = self.dir.join(guid);
                    if state == "completed" && !guid.contains(['/', '\\']) && file.is_file() {
                        return Seen::Action(
                            ManualEvent::Download {
                                url,
                                suggested_name: name,
                                file,
                            },
                            None,
                        );
                    }
                    return Seen::Action(
                        ManualEvent::DownloadFailed {
                            url,
                            state: state.to_owned(),
                        },
                        None,
                    );
                }
                _ => {}
            }
        }
    }

    /// PNG of what `tab` (or the active tab) shows now.
    pub async fn screenshot(&self, tab: Option<&str>) -> Result<Vec<u8>, BrowserError> {
        let tab = tab.or(self.active.as_deref());
        let session = tab
            .and_then(|t| self.tabs.get(t))
            .ok_or_else(|| BrowserError::new("screenshot", "no open tab"))?;
        // A tab in the background may not paint: do not wait for it long.
        let r = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            self.caller.call(
                "Page.captureScreenshot",
                json!({"format": "png"}),
                Some(session),
            ),
        )
        .await
        .map_err(|_| BrowserError::new("screenshot", "the tab did not paint within 5 s"))??;
        let data = r
            .get("data")
            .and_then(Value::as_str)
            .ok_or_else(|| BrowserError::new("screenshot", "no data in the CDP reply"))?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| BrowserError::new("screenshot", e))
    }
}
