//! One browser-level DevTools connection shared by the network archive, the manual-mode
//! watcher and the headless screencast.
//!
//! The hub connects to the browser target (`/json/version` on the debugger address chromedriver
//! reports), turns on auto-attach in flat mode, and prepares every page and out-of-process
//! iframe the moment it appears — before it runs (`waitForDebuggerOnStart`) — so no request of
//! a new tab or frame is missed. Subscribers get the events they asked for on their own
//! channel, so a slow subscriber never makes another lose events: unbounded for the network
//! archive (whose events the browser bounds), bounded for what a page can cause at will (the
//! manual-mode recorder's reports), where events past the bound are dropped and counted.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use webproof_capture::BrowserError;

/// A DevTools event, with the session (target) it came from.
#[derive(Clone, Debug)]
pub struct Event {
    pub method: String,
    pub params: Value,
    pub session: Option<String>,
}

/// A command run on every page and iframe session as soon as it is attached, before the
/// target runs.
#[derive(Clone, Debug)]
pub struct SetupCommand {
    pub method: String,
    pub params: Value,
}

impl SetupCommand {
    pub fn new(method: &str, params: Value) -> Self {
        SetupCommand {
            method: method.to_owned(),
            params,
        }
    }
}

struct Outgoing {
    method: String,
    params: Value,
    session: Option<String>,
    reply: Option<oneshot::Sender<Result<Value, DevtoolsError>>>,
}

enum Sink {
    Unbounded(mpsc::UnboundedSender<Event>),
    Bounded(mpsc::Sender<Event>, Arc<std::sync::atomic::AtomicU64>),
}

impl Sink {
    fn is_closed(&self) -> bool {
        match self {
            Sink::Unbounded(tx) => tx.is_closed(),
            Sink::Bounded(tx, _) => tx.is_closed(),
        }
    }

    /// Delivers `ev`; false when the subscriber is gone.
    fn deliver(&self, ev: &Event) -> bool {
        match self {
            Sink::Unbounded(tx) => tx.send(ev.clone()).is_ok(),
            Sink::Bounded(tx, dropped) => match tx.try_send(ev.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            },
        }
    }
}

struct Subscriber {
    prefixes: Vec<String>,
    tx: Sink,
}

type Subscribers = Arc<Mutex<Vec<Subscriber>>>;
type Setup = Arc<Mutex<Vec<SetupCommand>>>;

/// A page target the hub is attached to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageTarget {
    pub session: String,
    pub target_id: String,
}

/// Sends commands on the shared connection; cheap to clone into tasks.
#[derive(Clone)]
pub struct Caller {
    out: mpsc::UnboundedSender<Outgoing>,
}

/// The shared connection.
pub struct Hub {
    caller: Caller,
    subs: Subscribers,
    pages: Arc<Mutex<Vec<PageTarget>>>,
    setup: Setup,
    task: tokio::task::JoinHandle<()>,
}

impl Hub {
    /// Connects to the browser target at `debugger` (host:port). Nothing is enabled until
    /// [`Hub::attach`], so subscribe first.
    pub async fn connect(debugger: &str) -> Result<Self, BrowserError> {
        let version: Value = serde_json::from_str(&http_get(debugger, "/json/version").await?)
            .map_err(|e| BrowserError::new("reading the DevTools version", e))?;
        let ws = version["webSocketDebuggerUrl"]
            .as_str()
            .ok_or_else(|| {
                BrowserError::new(
                    "finding the browser's DevTools target",
                    "no webSocketDebuggerUrl",
                )
            })?
            .to_owned();
        let (sock, _) = tokio_tungstenite::connect_async(ws.as_str())
            .await
            .map_err(|e| BrowserError::new("connecting to DevTools", e))?;
        let (out, out_rx) = mpsc::unbounded_channel();
        let subs: Subscribers = Arc::default();
        let pages: Arc<Mutex<Vec<PageTarget>>> = Arc::default();
        let setup: Setup = Arc::default();
        let task = tokio::spawn(run(
            sock,
            out_rx,
            subs.clone(),
            pages.clone(),
            setup.clone(),
        ));
        Ok(Hub {
            caller: Caller { out },
            subs,
            pages,
            setup,
            task,
        })
    }

    /// Events whose method starts with one of `prefixes` (e.g. `"Network."`), from now on.
    pub fn subscribe(&self, prefixes: &[&str]) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.add_subscriber(prefixes, Sink::Unbounded(tx));
        rx
    }

    /// Like [`Hub::subscribe`], holding at most `capacity` undelivered events: more are
    /// dropped, and counted in the returned counter.
    pub fn subscribe_bounded(
        &self,
        prefixes: &[&str],
        capacity: usize,
    ) -> (mpsc::Receiver<Event>, Arc<std::sync::atomic::AtomicU64>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let dropped = Arc::new(std::sync::atomic::AtomicU64::new(0));
        self.add_subscriber(prefixes, Sink::Bounded(tx, dropped.clone()));
        (rx, dropped)
    }

    fn add_subscriber(&self, prefixes: &[&str], tx: Sink) {
        if let Ok(mut s) = self.subs.lock() {
            s.push(Subscriber {
                prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
                tx,
            });
        }
    }

    /// Attaches to every existing and future page and iframe, running `setup` (after
    /// `Network.enable`, `Page.enable`, `Runtime.enable`) on each before it runs.
    pub async fn attach(&self, setup: Vec<SetupCommand>) -> Result<(), BrowserError> {
        if let Ok(mut s) = self.setup.lock() {
            *s = setup;
        }
        self.call(
            "Target.setAutoAttach",
            json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
            None,
        )
        .await?;
        self.call("Target.setDiscoverTargets", json!({"discover": true}), None)
            .await?;
        // The pages that existed before are attached now; wait until at least one is ready.
        for _ in 0..100 {
            if !self.pages().is_empty() {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Err(BrowserError::new(
            "attaching to the browser's pages",
            "no page target within 2 s",
        ))
    }

    /// Adds commands to the setup of future pages and frames and runs them on the pages
    /// already attached.
    pub async fn add_setup(&self, cmds: Vec<SetupCommand>) -> Result<(), BrowserError> {
        if let Ok(mut s) = self.setup.lock() {
            s.extend(cmds.iter().cloned());
        }
        for page in self.pages() {
            for c in &cmds {
                self.call(&c.method, c.params.clone(), Some(&page.session))
                    .await?;
            }
        }
        Ok(())
    }

    /// The page sessions attached so far, oldest first.
    pub fn pages(&self) -> Vec<PageTarget> {
        self.pages.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// One command and its result.
    pub async fn call(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, BrowserError> {
        self.caller.call(method, params, session).await
    }

    /// A handle for sending commands from other tasks.
    pub fn caller(&self) -> Caller {
        self.caller.clone()
    }
}

/// The browser's answer that a command failed (a CDP error object: its code and message).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DevtoolsError {
    pub code: i64,
    pub message: String,
}

impl DevtoolsError {
    fn of(e: &Value) -> Self {
        DevtoolsError {
            code: e["code"].as_i64().unwrap_or(0),
            message: e["message"].as_str().unwrap_or("DevTools error").to_owned(),
        }
    }
}

impl Caller {
    /// One command and its result.
    pub async fn call(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, BrowserError> {
        let (tx, rx) = oneshot::channel();
        self.out
            .send(Outgoing {
                method: method.to_owned(),
                params,
                session: session.map(str::to_owned),
                reply: Some(tx),
            })
            .map_err(|_| BrowserError::new(method, "the DevTools connection is closed"))?;
        match tokio::time::timeout(std::time::Duration::from_secs(30), rx).await {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(BrowserError::new(method, e)),
            Ok(Err(_)) => Err(BrowserError::new(
                method,
                "the DevTools connection closed before the answer",
            )),
            Err(_) => Err(BrowserError::new(method, "no answer within 30 s")),
        }
    }

    /// A command whose answer does not matter.
    pub fn send(&self, method: &str, params: Value, session: Option<&str>) {
        let _ = self.out.send(Outgoing {
            method: method.to_owned(),
            params,
            session: session.map(str::to_owned),
            reply: None,
        });
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn run(
    mut sock: Socket,
    mut out_rx: mpsc::UnboundedReceiver<Outgoing>,
    subs: Subscribers,
    pages: Arc<Mutex<Vec<PageTarget>>>,
    setup: Setup,
) {
    let mut next_id = 0u64;
    let mut waiting: std::collections::HashMap<u64, oneshot::Sender<Result<Value, DevtoolsError>>> =
        std::collections::HashMap::new();
    let mut attached: HashSet<String> = HashSet::new();
    let mut queue: Vec<Outgoing> = Vec::new();
    loop {
        for o in queue.drain(..) {
            next_id += 1;
            let mut msg = json!({"id": next_id, "method": o.method, "params": o.params});
            if let Some(s) = o.session {
                msg["sessionId"] = Value::String(s);
            }
            if let Some(r) = o.reply {
                waiting.insert(next_id, r);
            }
            if sock.send(Message::text(msg.to_string())).await.is_err() {
                return;
            }
        }
        tokio::select! {
            o = out_rx.recv() => match o {
                Some(o) => queue.push(o),
                None => return,
            },
            m = sock.next() => {
                let text = match m {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(_)) => continue,
                    _ => return,
                };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if let Some(id) = v.get("id").and_then(Value::as_u64) {
                    if let Some(r) = waiting.remove(&id) {
                        let res = match v.get("error") {
                            Some(e) => Err(DevtoolsError::of(e)),
                            None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                        };
                        let _ = r.send(res);
                    }
                    continue;
                }
                let method = v["method"].as_str().unwrap_or("").to_owned();
                let params = v.get("params").cloned().unwrap_or(Value::Null);
                let session = v.get("sessionId").and_then(Value::as_str).map(str::to_owned);
                if method == "Target.attachedToTarget" {
                    let sid = params["sessionId"].as_str().unwrap_or("").to_owned();
                    let ty = params["targetInfo"]["type"].as_str().unwrap_or("");
                    if (ty == "page" || ty == "iframe") && attached.insert(sid.clone()) {
                        let mut cmds = vec![
                            ("Network.enable".to_owned(), json!({"maxPostDataSize": 1048576})),
                            ("Page.enable".to_owned(), json!({})),
                            ("Runtime.enable".to_owned(), json!({})),
                        ];
                        if let Ok(s) = setup.lock() {
                            cmds.extend(s.iter().map(|c| (c.method.clone(), c.params.clone())));
                        }
                        cmds.push(("Target.setAutoAttach".to_owned(), json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true})));
                        for (m, p) in cmds {
                            queue.push(Outgoing { method: m, params: p, session: Some(sid.clone()), reply: None });
                        }
                        if ty == "page"
                            && let Ok(mut p) = pages.lock()
                        {
                            p.push(PageTarget {
                                session: sid.clone(),
                                target_id: params["targetInfo"]["targetId"].as_str().unwrap_or("").to_owned(),
                            });
                        }
                    }
                    queue.push(Outgoing { method: "Runtime.runIfWaitingForDebugger".into(), params: json!({}), session: Some(sid), reply: None });
                } else if method == "Target.detachedFromTarget" {
                    let sid = params["sessionId"].as_str().unwrap_or("");
                    attached.remove(sid);
                    if let Ok(mut p) = pages.lock() {
                        p.retain(|t| t.session != sid);
                    }
                }
                let ev = Event { method, params, session };
                if let Ok(mut s) = subs.lock() {
                    s.retain(|sub| {
                        if sub.prefixes.iter().any(|p| ev.method.starts_with(p.as_str())) {
                            sub.tx.deliver(&ev)
                        } else {
                            !sub.tx.is_closed()
                        }
                    });
                }
            }
        }
    }
}

/// GET http://{addr}{path} on the local DevTools endpoint (which may keep the connection
/// open: the body is read by its Content-Length).
pub(crate) async fn http_get(addr: &str, path: &str) -> Result<String, BrowserError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let e = |m: std::io::Error| BrowserError::new("reading the DevTools endpoint", m);
    let fut = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.map_err(e)?;
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .map_err(e)?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).await.map_err(e)?;
            buf.extend_from_slice(&chunk[..n]);
            if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..h]).to_ascii_lowercase();
                let len = head.lines().find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                });
                if let Some(len) = len
                    && buf.len() >= h + 4 + len
                {
                    return Ok(String::from_utf8_lossy(&buf[h + 4..h + 4 + len]).into_owned());
                }
            }
            if n == 0 {
                let text = String::from_utf8_lossy(&buf).into_owned();
                return Ok(text
                    .split_once("\r\n\r\n")
                    .map(|(_, b)| b.to_owned())
                    .unwrap_or_default());
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fut)
        .await
        .map_err(|_| BrowserError::new("reading the DevTools endpoint", "no answer within 10 s"))?
}
