//! # webproof-browser
//!
//! [`Chromium`]: webproof's own chromedriver and Chromium, with a fresh temporary profile, no
//! extensions, a fixed window size and the flags that work as root, driven over WebDriver by
//! fantoccini. CDP calls go through chromedriver's `goog/cdp/execute` endpoint. Headful runs use
//! a private Xvfb display that webproof starts (so a recording shows the real window).
//! Every child process is killed when the value is dropped.
//!
//! Architecture invariant: implements `webproof_capture::Browser`; nothing above it knows
//! Chromium.

pub mod cdp;
pub mod group;
pub mod manual;
pub mod network;
pub mod screencast;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use group::Group;
use serde_json::{Map, Value, json};
use tokio::process::Command;
use webproof_capture::{Browser, BrowserError, PageState};

/// How to start the browser.
#[derive(Clone, Debug)]
pub struct LaunchOptions {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub headless: bool,
    /// Show the browser on this X display (the operator's own, for manual mode) instead of a
    /// private Xvfb.
    pub display: Option<String>,
    pub width: u32,
    pub height: u32,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        LaunchOptions {
            chromium: PathBuf::from("/usr/bin/chromium"),
            chromedriver: PathBuf::from("/usr/bin/chromedriver"),
            headless: false,
            display: None,
            width: 1280,
            height: 720,
        }
    }
}

/// A running Chromium session.
/// How long a navigation's download may take to finish.
const DOWNLOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

pub struct Chromium {
    client: Client,
    // Dropped in this order: chromedriver's group (Chromium with it), then the display.
    driver: Group,
    _xvfb: Option<Xvfb>,
    _profile: tempfile::TempDir,
    description: Map<String, Value>,
    display: Option<String>,
    /// Where a navigation that ends in a download puts the file ([`Chromium::allow_downloads`]).
    downloads: Option<PathBuf>,
}

/// The variables a browser-side child (Xvfb, chromedriver and so Chromium) may inherit: what
/// they need to run and draw, and nothing else — never a passphrase or token of webproof's
/// (`WEBPROOF_PASSPHRASE`, `WEBPROOF_NOTARY_PASSPHRASE`, …), which a renderer exploit on a
/// hostile page would otherwise read from its own environment.
const CHILD_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
    "LC_TIME",
    "TZ",
    "TMPDIR",
    "XDG_RUNTIME_DIR",
    "XAUTHORITY",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
];

/// Starts `cmd` from an empty environment plus [`CHILD_ENV`].
fn clean_env(cmd: &mut Command) {
    cmd.env_clear();
    for k in CHILD_ENV {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
}

fn err<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    action: &str,
) -> impl Fn(E) -> BrowserError + '_ {
    move |m| BrowserError::new(action, m)
}

fn free_port() -> Result<u16, BrowserError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| BrowserError::new("finding a free port", e))
}

async fn version(bin: &Path) -> String {
    match Command::new(bin).arg("--version").output().await {
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        Err(e) => format!("unknown ({e})"),
    }
}

/// Whether this process runs as root: then Chromium's sandbox cannot run, the browser starts
/// without it, and step 0 says so.
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Whether X display `n` is free: no live server holds its lock. A lock or socket left by a
/// server that was killed (its PID gone) is removed, so killed sessions do not use up the
/// displays.
pub fn display_free(n: u32) -> bool {
    let lock = format!("/tmp/.X{n}-lock");
    let sock = format!("/tmp/.X11-unix/X{n}");
    if let Ok(text) = std::fs::read_to_string(&lock) {
        let alive = text
            .trim()
            .parse::<u32>()
            .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if alive {
            return false;
        }
        if std::fs::remove_file(&lock).is_err() {
            return false;
        }
    } else if Path::new(&lock).exists() {
        return false; // unreadable: someone else's
    }
    if Path::new(&sock).exists() && std::fs::remove_file(&sock).is_err() {
        return false;
    }
    true
}

/// webproof's own X display: the Xvfb process and the private directory of its authorization
/// file (both go when the browser does).
struct Xvfb {
    _group: Group,
    _auth: tempfile::TempDir,
    /// The authorization file (`MIT-MAGIC-COOKIE-1`), for the browser's children.
    file: std::path::PathBuf,
}

/// One Xauthority entry (the format libXau reads: big-endian lengths before each field) that
/// grants `cookie` on display `n` of any host (family "wild", 0xffff).
fn xauth_entry(n: u32, cookie: &[u8; 16]) -> Vec<u8> {
    let mut e = 0xffffu16.to_be_bytes().to_vec();
    for field in [
        &b""[..],
        n.to_string().as_bytes(),
        b"MIT-MAGIC-COOKIE-1",
        &cookie[..],
    ] {
        e.extend_from_slice(&(field.len() as u16).to_be_bytes());
        e.extend_from_slice(field);
    }
    e
}

/// This process's user id (the owner of `/proc/self`).
fn own_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Starts Xvfb on the first free display from :90 and waits for its socket. The display
/// admits only holders of a fresh random cookie (written to a private file, given to the
/// browser's children as `XAUTHORITY`) and processes of this user (server-interpreted
/// `localuser`, added with `xhost`, which is how webproof's own in-process screen recorder
/// connects): another local user can neither watch nor drive the capture. `-noreset` keeps
/// that grant when the last client leaves.
async fn start_xvfb(width: u32, height: u32) -> Result<(Xvfb, String), BrowserError> {
    let action = "starting Xvfb with an authorization file";
    let auth = tempfile::Builder::new()
        .prefix("webproof-x-")
        .tempdir()
        .map_err(|e| BrowserError::new(action, e))?;
    let file = auth.path().join("xauthority");
    let mut cookie = [0u8; 16];
    getrandom::fill(&mut cookie).map_err(|e| BrowserError::new(action, e))?;
    let uid = own_uid().ok_or_else(|| BrowserError::new(action, "cannot tell this user's id"))?;
    for n in 90..140 {
        if !display_free(n) {
            continue;
        }
        write_private(&file, &xauth_entry(n, &cookie)).map_err(|e| BrowserError::new(action, e))?;
        let mut xvfb = Command::new("Xvfb");
        clean_env(&mut xvfb);
        xvfb.arg(format!(":{n}"))
            .args([
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
                "-noreset",
                "-auth",
            ])
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut group = Group::spawn(&mut xvfb).map_err(|e| {
            BrowserError::new(
                "starting Xvfb (install the xvfb package, or use --headless)",
                e,
            )
        })?;
        let sock = format!("/tmp/.X11-unix/X{n}");
        let lock = format!("/tmp/.X{n}-lock");
        let display = format!(":{n}");
        let ours = group.child().id();
        for _ in 0..100 {
            // The display is ours once its lock names our server (another webproof may have
            // started one on the same display a moment earlier: then ours exits, below).
            let locked_by_us = std::fs::read_to_string(&lock)
                .ok()
                .and_then(|t| t.trim().parse::<u32>().ok())
                .is_some_and(|pid| Some(pid) == ours);
            if locked_by_us && Path::new(&sock).exists() {
                let mut xhost = Command::new("xhost");
                clean_env(&mut xhost);
                let granted = xhost
                    .arg(format!("+si:localuser:#{uid}"))
                    .env("DISPLAY", &display)
                    .env("XAUTHORITY", &file)
                    .stdin(Stdio::null())
                    .output()
                    .await;
                match granted {
                    Ok(o) if o.status.success() => {
                        return Ok((
                            Xvfb {
                                _group: group,
                                _auth: auth,
                                file,
                            },
                            display,
                        ));
                    }
                    Ok(o) => {
                        group.stop(Duration::ZERO);
                        return Err(BrowserError::new(
                            "granting this user the capture display (xhost)",
                            String::from_utf8_lossy(&o.stderr).trim().to_owned(),
                        ));
                    }
                    Err(e) => {
                        group.stop(Duration::ZERO);
                        return Err(BrowserError::new(
                            "running xhost (install the x11-xserver-utils package, or use --headless)",
                            e,
                        ));
                    }
                }
            }
            if let Ok(Some(_)) = group.child().try_wait() {
                break; // lost a race for this display; try the next
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        group.stop(Duration::ZERO);
    }
    Err(BrowserError::new(
        "starting Xvfb",
        "no free display between :90 and :139",
    ))
}

/// Writes `bytes` to a new file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

impl Chromium {
    pub async fn launch(opts: &LaunchOptions) -> Result<Self, BrowserError> {
        let profile = tempfile::Builder::new()
            .prefix("webproof-chromium-")
            .tempdir()
            .map_err(|e| BrowserError::new("creating a fresh browser profile", e))?;
        let (xvfb, display) = if opts.headless {
            (None, None)
        } else if let Some(d) = &opts.display {
            (None, Some(d.clone()))
        } else {
            let (x, d) = start_xvfb(opts.width, opts.height + 120).await?;
            (Some(x), Some(d))
        };
        let port = free_port()?;
        let mut cmd = Command::new(&opts.chromedriver);
        clean_env(&mut cmd);
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(d) = &display {
            cmd.env("DISPLAY", d);
        }
        if let Some(x) = &xvfb {
            cmd.env("XAUTHORITY", &x.file);
        }
        let driver = Group::spawn(&mut cmd).map_err(|e| {
            BrowserError::new(
                format!(
                    "starting {} (install chromium-driver)",
                    opts.chromedriver.display()
                ),
                e,
            )
        })?;
        let sandbox = !running_as_root();
        let mut args = vec![
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-extensions".into(),
            "--no-first-run".into(),
            "--no-default-browser-check".into(),
            "--disable-quic".into(),
            "--hide-scrollbars".into(),
            format!("--window-size={},{}", opts.width, opts.height),
            "--window-position=0,0".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !sandbox {
            args.push("--no-sandbox".into());
        }
        if opts.headless {
            args.push("--headless=new".into());
        }
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": opts.chromium, "args": args}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        let client = client.ok_or_else(|| match last {
            Some(e) => BrowserError::new("starting a Chromium session", e),
            None => BrowserError::new("starting a Chromium session", "no attempt"),
        })?;
        let mut description = Map::new();
        description.insert("browser".into(), json!(version(&opts.chromium).await));
        description.insert("driver".into(), json!(version(&opts.chromedriver).await));
        description.insert("headless".into(), json!(opts.headless));
        description.insert("sandbox".into(), json!(sandbox));
        if xvfb.is_some() {
            description.insert(
                "display_access".into(),
                json!("private Xvfb: MIT-MAGIC-COOKIE-1 and this user only"),
            );
        }
        description.insert("window".into(), json!([opts.width, opts.height]));
        let mut me = Chromium {
            client,
            driver,
            _xvfb: xvfb,
            _profile: profile,
            description,
            display,
            downloads: None,
        };
        if opts.headless {
            // Headless viewports are smaller than the window: pin the size.
            me.cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({"width": opts.width, "height": opts.height, "deviceScaleFactor": 1, "mobile": false}),
            )
            .await?;
        }
        if let Ok(ua) = me
            .client
            .execute("return navigator.userAgent", vec![])
            .await
        {
            me.description.insert("user_agent".into(), ua);
        }
        Ok(me)
    }

    /// The DevTools `host:port` chromedriver reports for this session.
    pub fn debugger_address(&self) -> Option<String> {
        self.client
            .capabilities()?
            .get("goog:chromeOptions")?
            .get("debuggerAddress")?
            .as_str()
            .map(str::to_owned)
    }

    /// The X display of a headful session (for the screen recorder).
    pub fn display(&self) -> Option<&str> {
        self.display.as_deref()
    }

    /// One CDP request/response call through chromedriver.
    pub async fn cdp(&mut self, cmd: &str, params: Value) -> Result<Value, BrowserError> {
        self.client
            .issue_cmd(Cdp {
                cmd: cmd.to_owned(),
                params,
            })
            .await
            .map_err(|e| BrowserError::new(cmd, e))
    }

    /// Lets a navigation that the browser turns into a download (`Content-Disposition:
    /// attachment`, a type it does not show) save the file into `dir`, where
    /// [`Browser::navigation_download`] takes it; without this Chromium refuses such downloads
    /// and shows an empty tab.
    pub async fn allow_downloads(&mut self, dir: &Path) -> Result<(), BrowserError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| BrowserError::new(format!("creating {}", dir.display()), e))?;
        self.cdp(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": dir}),
        )
        .await?;
        self.downloads = Some(dir.to_owned());
        Ok(())
    }

    /// Whether the tab shows Chromium's own error page instead of the page asked for: DevTools
    /// names the URL that could not be loaded (`unreachableUrl` of the main frame), while
    /// WebDriver still reports the requested URL. The error code is read from the error page
    /// when it shows one.
    async fn load_error(&mut self) -> Result<Option<String>, BrowserError> {
        let tree = self.cdp("Page.getFrameTree", json!({})).await?;
        let Some(unreachable) = tree
            .pointer("/frameTree/frame/unreachableUrl")
            .and_then(Value::as_str)
        else {
            return Ok(None);
        };
        let code = self
            .cdp(
                "Runtime.evaluate",
                json!({
                    "expression": "(document.querySelector('.error-code') || {}).textContent || ''",
                    "returnByValue": true,
                }),
            )
            .await
            .ok()
            .and_then(|v| {
                v.pointer("/result/value")
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_owned())
            })
            .filter(|s| !s.is_empty());
        Ok(Some(could_not_load(unreachable, code.as_deref())))
    }

    /// Makes WebDriver commands act on the tab with DevTools target id `target` (chromedriver's
    /// window handles are target ids).
    pub async fn focus_tab(&mut self, target: &str) -> Result<(), BrowserError> {
        let handle = fantoccini::wd::WindowHandle::try_from(target.to_owned())
            .map_err(|e| BrowserError::new("switching tabs", format!("{e:?}")))?;
        self.client
            .switch_to_window(handle)
            .await
            .map_err(|e| BrowserError::new("switching tabs", e))
    }

    /// Ends the WebDriver session (chromedriver then quits Chromium), then stops chromedriver's
    /// process group and the display: every child process is gone when this returns. A browser
    /// that does not answer within a few seconds is not waited for.
    pub async fn close(mut self) -> Result<(), BrowserError> {
        let closed = match tokio::time::timeout(group::GRACE, self.client.clone().close()).await {
            Ok(r) => r.map_err(|e| BrowserError::new("closing the browser", e)),
            Err(_) => Err(BrowserError::new(
                "closing the browser",
                "it did not answer within 3 s; its processes were stopped",
            )),
        };
        self.driver.stop(group::GRACE);
        drop(self);
        closed
    }

    /// Whether the browser is still there to drive: chromedriver runs and Chromium answers
    /// (a list of its windows) within a few seconds. False after a crash, a kill, or the
    /// operator closing the browser.
    pub async fn alive(&mut self) -> bool {
        if !matches!(self.driver.child().try_wait(), Ok(None)) {
            return false;
        }
        matches!(
            tokio::time::timeout(group::GRACE, self.client.windows()).await,
            Ok(Ok(_))
        )
    }
}

#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

fn b64(v: &Value, action: &str) -> Result<Vec<u8>, BrowserError> {
    let s = v
        .get("data")
        .and_then(Value::as_str)
        .ok_or_else(|| BrowserError::new(action, "no data in the CDP reply"))?;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| BrowserError::new(action, e))
}

impl Browser for Chromium {
    async fn navigation_download(
        &mut self,
        before: &str,
    ) -> Result<Option<(String, Vec<u8>)>, BrowserError> {
        let Some(dir) = self.downloads.clone() else {
            return Ok(None);
        };
        let entries = || -> Vec<PathBuf> {
            std::fs::read_dir(&dir)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default()
        };
        // A download begins before the navigation returns (the response's headers decide
        // it); when nothing appeared and the tab still shows what it showed before, give it a
        // moment.
        let now = self.state().await?.url;
        let mut waited = std::time::Duration::ZERO;
        let step = std::time::Duration::from_millis(100);
        let patience = if now == before || now == "about:blank" {
            std::time::Duration::from_secs(3)
        } else {
            std::time::Duration::ZERO
        };
        while entries().is_empty() && waited < patience {
            tokio::time::sleep(step).await;
            waited += step;
        }
        if entries().is_empty() {
            return Ok(None);
        }
        // Complete when no partial file is left and the sizes stop changing.
        let sizes = || -> Vec<(PathBuf, u64)> {
            let mut v: Vec<_> = entries()
                .into_iter()
                .map(|p| {
                    (
                        p.clone(),
                        std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0),
                    )
                })
                .collect();
            v.sort();
            v
        };
        let mut last = sizes();
        let mut stable = 0;
        let deadline = std::time::Instant::now() + DOWNLOAD_WAIT;
        while stable < 5 {
            if std::time::Instant::now() > deadline {
                return Err(BrowserError::new(
                    "a download did not finish",
                    format!("still incomplete after {} s", DOWNLOAD_WAIT.as_secs()),
                ));
            }
            tokio::time::sleep(step).await;
            let now = sizes();
            let partial = now
                .iter()
                .any(|(p, _)| p.extension().is_some_and(|e| e == "crdownload"));
            stable = if now == last && !partial {
                stable + 1
            } else {
                0
            };
            last = now;
        }
        let Some((path, _)) = last.into_iter().next() else {
            return Ok(None);
        };
        let bytes = std::fs::read(&path)
            .map_err(|e| BrowserError::new(format!("reading {}", path.display()), e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into());
        // Taken into the capture: the next navigation's download starts from an empty folder.
        std::fs::remove_file(&path)
            .map_err(|e| BrowserError::new(format!("removing {}", path.display()), e))?;
        Ok(Some((name, bytes)))
    }

    async fn navigate(&mut self, url: &str) -> Result<PageState, BrowserError> {
        // A network error is what the browser found, not a failure of the browser: chromedriver
        // reports some (a reset connection) as an error of the command and others (an empty
        // answer) not at all, showing the error page instead. Both are the same finding.
        let refused = match self.client.goto(url).await {
            Ok(()) => None,
            Err(e) => match net_error(&e.to_string()) {
                Some(code) => Some(could_not_load(url, Some(code))),
                None => return Err(err("navigate")(e)),
            },
        };
        let mut st = self.state().await?;
        st.load_error = match refused {
            Some(e) => Some(e),
            None => self.load_error().await?,
        };
        Ok(st)
    }

    async fn state(&mut self) -> Result<PageState, BrowserError> {
        let url = self
            .client
            .current_url()
            .await
            .map_err(err("reading the URL"))?;
        let title = self
            .client
            .title()
            .await
            .map_err(err("reading the title"))?;
        Ok(PageState {
            url: url.to_string(),
            title,
            load_error: None,
        })
    }

    async fn screenshot_viewport(&mut self) -> Result<Vec<u8>, BrowserError> {
        self.client
            .screenshot()
            .await
            .map_err(err("viewport screenshot"))
    }

    async fn screenshot_full(&mut self) -> Result<Vec<u8>, BrowserError> {
        let m = self.cdp("Page.getLayoutMetrics", json!({})).await?;
        let size = m.get("cssContentSize").or_else(|| m.get("contentSize"));
        let (w, h) = match size {
            Some(s) => (
                s.get("width").and_then(Value::as_f64).unwrap_or(0.0).ceil(),
                s.get("height")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0)
                    .ceil(),
            ),
            None => (0.0, 0.0),
        };
        let mut params =
            json!({"format": "png", "captureBeyondViewport": true, "fromSurface": true});
        if w > 0.0 && h > 0.0 {
            params["clip"] = json!({"x": 0, "y": 0, "width": w, "height": h, "scale": 1});
        }
        let r = self.cdp("Page.captureScreenshot", params).await?;
        b64(&r, "full-page screenshot")
    }

    async fn html(&mut self) -> Result<String, BrowserError> {
        self.client.source().await.map_err(err("reading the DOM"))
    }

    async fn mhtml(&mut self) -> Result<String, BrowserError> {
        let r = self
            .cdp("Page.captureSnapshot", json!({"format": "mhtml"}))
            .await?;
        r.get("data")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| BrowserError::new("MHTML snapshot", "no data in the CDP reply"))
    }

    async fn eval(&mut self, script: &str, args: Vec<Value>) -> Result<Value, BrowserError> {
        self.client
            .execute(script, args)
            .await
            .map_err(err("running a script"))
    }

    async fn eval_async(&mut self, script: &str, args: Vec<Value>) -> Result<Value, BrowserError> {
        self.client
            .execute_async(script, args)
            .await
            .map_err(err("running an async script"))
    }

    async fn click(&mut self, selector: &str) -> Result<(), BrowserError> {
        let el = self
            .client
            .find(fantoccini::Locator::Css(selector))
            .await
            .map_err(|e| BrowserError::new(format!("finding {selector}"), e))?;
        el.click()
            .await
            .map_err(|e| BrowserError::new(format!("clicking {selector}"), e))
    }

    async fn click_at(&mut self, x: u32, y: u32) -> Result<(), BrowserError> {
        // A real mouse: move, press, release (Input domain), where the page sees the pointer.
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            let mut p = json!({"type": kind, "x": x, "y": y, "buttons": buttons});
            if kind != "mouseMoved" {
                p["button"] = json!("left");
                p["clickCount"] = json!(1);
            }
            self.cdp("Input.dispatchMouseEvent", p).await?;
        }
        Ok(())
    }

    async fn type_text(&mut self, selector: &str, text: &str) -> Result<(), BrowserError> {
        let el = self
            .client
            .find(fantoccini::Locator::Css(selector))
            .await
            .map_err(|e| BrowserError::new(format!("finding {selector}"), e))?;
        el.send_keys(text)
            .await
            .map_err(|e| BrowserError::new(format!("typing into {selector}"), e))
    }

    fn describe(&self) -> Map<String, Value> {
        self.description.clone()
    }
}

/// A navigation's `load_error`, the words the journal records: the URL the browser could not
/// load, and its network error code when known.
fn could_not_load(url: &str, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("the browser could not load {url} ({code})"),
        None => format!("the browser could not load {url}"),
    }
}

/// The Chromium network error code (`ERR_CONNECTION_RESET`) in a WebDriver error's text.
fn net_error(text: &str) -> Option<&str> {
    let at = text.find("net::ERR_")? + "net::".len();
    let code = &text[at..];
    let end = code
        .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(code.len());
    Some(&code[..end])
}

#[cfg(test)]
mod tests {
    use super::net_error;

    #[test]
    fn network_errors_are_read_from_webdriver_errors() {
        let e = "webdriver returned error: unknown error: net::ERR_CONNECTION_RESET\n  (Session info: chrome=156.0.8078.114)";
        assert_eq!(net_error(e), Some("ERR_CONNECTION_RESET"));
        assert_eq!(
            net_error("unknown error: net::ERR_NAME_NOT_RESOLVED"),
            Some("ERR_NAME_NOT_RESOLVED")
        );
        assert_eq!(net_error("webdriver returned error: no such window"), None);
    }
}
