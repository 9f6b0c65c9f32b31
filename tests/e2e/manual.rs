//! `webproof capture --manual` under Xvfb: the test plays the operator with xdotool — real X
//! mouse and keyboard events into the real Chromium window — and ends the session on stdin.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::capture::check_video;
use crate::site;
use crate::util::*;

/// Manual-mode tests run one at a time: each drives a headful browser and an encoder on its
/// own screen, and two at once on a 2-core machine starve the operator's clicks.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// An Xvfb display of the test's own (the operator's screen), killed on drop.
struct Screen {
    _child: Reaped,
    display: String,
}

impl Screen {
    fn start() -> Screen {
        for n in 200..260 {
            // A lock whose server is gone (a test's Xvfb killed) frees its display.
            let lock = format!("/tmp/.X{n}-lock");
            let live = std::fs::read_to_string(&lock)
                .is_ok_and(|pid| std::path::Path::new(&format!("/proc/{}", pid.trim())).exists());
            if !live && std::path::Path::new(&lock).exists() {
                let _ = std::fs::remove_file(&lock);
                let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
            }
            if std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                || std::path::Path::new(&lock).exists()
            {
                continue;
            }
            let mut child = Command::new("Xvfb")
                .args([
                    &format!(":{n}"),
                    "-screen",
                    "0",
                    "1280x840x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb (apt-get install xvfb)");
            for _ in 0..100 {
                if std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                    return Screen {
                        _child: Reaped(child),
                        display: format!(":{n}"),
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
        }
        panic!("no free X display");
    }

    /// The operator's hand: xdotool on this screen.
    fn xdotool(&self, args: &[&str]) {
        let s = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .status()
            .expect("xdotool (apt-get install xdotool)");
        assert!(s.success(), "xdotool {args:?}");
    }

    /// Clicks the middle of a `manual.html` row whose top is at page y `top` (rows are 90
    /// px high). Chromium's tab strip, address bar and automation info bar take 143 px above
    /// the page at this window size.
    /// Returns once the capture has journaled the click (so the page has it, and the field
    /// clicked has the focus).
    fn click_row(&self, top: u32, log: &Arc<Mutex<String>>) {
        self.click_at(300, 143 + top + 45, log);
    }

    /// Clicks the screen at (`x`, `y`) and returns once the capture has journaled the click.
    fn click_at(&self, x: u32, y: u32, log: &Arc<Mutex<String>>) {
        let clicks = || log.lock().unwrap().matches(": click http").count();
        let before = clicks();
        let (x, y) = (x.to_string(), y.to_string());
        self.xdotool(&["mousemove", &x, &y, "click", "1"]);
        let t0 = Instant::now();
        while clicks() == before {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "the click at ({x}, {y}) was never journaled; stderr:\n{}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Starts a manual capture (`cmd`) on `screen`, collecting its stderr, and waits until it
/// says the operator may use the browser.
fn start_manual(
    mut cmd: Command,
    screen: &Screen,
) -> (
    std::process::Child,
    Arc<Mutex<String>>,
    std::thread::JoinHandle<()>,
) {
    let mut child = cmd
        .env("DISPLAY", &screen.display)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = log.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            let mut l = sink.lock().unwrap_or_else(|e| e.into_inner());
            l.push_str(&line);
            l.push('\n');
        }
    });
    wait_for(&log, "manual mode: use the browser", 60);
    (child, log, reader)
}

/// Waits until the collected stderr contains `needle`.
fn wait_for(log: &Arc<Mutex<String>>, needle: &str, secs: u64) {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(secs) {
        if log.lock().unwrap().contains(needle) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "no {needle:?} within {secs} s; stderr:\n{}",
        log.lock().unwrap()
    );
}

#[test]
fn manual_mode_records_what_the_operator_does_in_the_browser() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let screen = Screen::start();
    let url = format!("{base}/manual.html");
    let mut cmd = env.cmd();
    cmd.args([
        "capture",
        &url,
        "--manual",
        "--out",
        "m.wacz",
        "--segment-secs",
        "5",
    ]);
    let (mut child, log, reader) = start_manual(cmd, &screen);

    // Type a name, then a password (the change event fires when the field loses focus).
    screen.click_row(20, &log);
    screen.xdotool(&["type", "--delay", "20", "Alice Zhang"]);
    screen.click_row(140, &log);
    screen.xdotool(&["type", "--delay", "20", "hunter2-secret"]);
    // Download the report, then follow a link.
    screen.click_row(260, &log);
    wait_for(&log, "download http", 20);
    screen.click_row(380, &log);
    wait_for(&log, "navigate http", 20);
    wait_for(&log, "/media.html", 20);
    // A full-page screenshot and DOM snapshot on request, a note, and the end.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"s\n").unwrap();
    wait_for(&log, "snapshot http", 30);
    stdin
        .write_all(b"n the video plays the copied photograph\nq\n")
        .unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stderr = log.lock().unwrap().clone();
    assert!(status.success(), "{stderr}");

    let out = env.ok(&["verify", "m.wacz", "--trust-operator", &fpr], 0);
    assert!(out.contains("VERIFIED"), "{out}");
    let wacz = env.path().join("m.wacz");
    let recs = journal(&wacz);
    let by_operator: Vec<(&str, &serde_json::Value)> = recs
        .iter()
        .filter(|r| r["params"]["by"] == "operator")
        .map(|r| (r["kind"].as_str().unwrap(), &r["params"]))
        .collect();
    let kinds: Vec<&str> = by_operator.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            "click", "input", "click", "input", "click", "download", "click", "navigate"
        ],
        "{stderr}"
    );
    assert_eq!(by_operator[1].1["text"], "Alice Zhang");
    assert_eq!(by_operator[1].1["selector"], "input#name");
    // The password is masked in the record, and appears nowhere in the package.
    assert_eq!(by_operator[3].1["masked"], true);
    assert_eq!(by_operator[3].1["text"], "•".repeat("hunter2-secret".len()));
    let dir = env.path().join("x");
    let (_, frames) = check_video(&wacz, &dir, &recs, "x11grab");
    assert!(frames >= 25, "only {frames} frames");
    for e in walk(&dir) {
        let bytes = std::fs::read(&e).unwrap();
        assert!(
            !bytes.windows(7).any(|w| w == b"hunter2"),
            "{} holds the password",
            e.display()
        );
    }
    // The downloaded file, byte for byte, as an artifact and in the WARC.
    let served = std::fs::read(site::root().join("report.pdf")).unwrap();
    let dl = recs.iter().find(|r| r["kind"] == "download").unwrap();
    assert_eq!(dl["params"]["suggested_name"], "report.pdf");
    assert_eq!(
        entry(&wacz, dl["artifacts"][0]["path"].as_str().unwrap()),
        served
    );
    let warc = entry(&wacz, "archive/data.warc");
    assert!(warc.windows(served.len()).any(|w| w == served.as_slice()));
    // Every operator step but the download keeps a screenshot of what followed.
    for r in recs
        .iter()
        .filter(|r| r["params"]["by"] == "operator" && r["kind"] != "download")
    {
        assert_eq!(r["artifacts"][0]["media_type"], "image/png", "{r}");
    }
    // The requested screenshot and snapshot of the page the operator ended on, the note, and
    // why the session ended.
    let after: Vec<&str> = recs
        .iter()
        .skip_while(|r| r["params"]["by"] != "operator")
        .filter(|r| r["params"]["by"] != "operator")
        .filter(|r| !["video-segment"].contains(&r["kind"].as_str().unwrap()))
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &after[..4],
        ["screenshot", "snapshot", "note", "note"],
        "{after:?}"
    );
    let notes: Vec<&str> = recs
        .iter()
        .filter(|r| r["kind"] == "note")
        .filter_map(|r| r["params"]["text"].as_str())
        .collect();
    assert!(notes.contains(&"the video plays the copied photograph"));
    assert!(notes.contains(&"manual session ended: the operator ended the session"));
    let snap = recs.iter().find(|r| r["kind"] == "snapshot").unwrap();
    assert_eq!(snap["url"], format!("{base}/media.html"));

    assert_wacz_valid(&env, "m.wacz");
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_hostile_page_cannot_forge_operator_steps_nor_read_a_passphrase() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let screen = Screen::start();
    let url = format!("{base}/hostile.html");
    let mut cmd = env.cmd();
    cmd.args(["capture", &url, "--manual", "--out", "h.wacz"])
        .env("WEBPROOF_NOTARY_PASSPHRASE", "notary-secret-for-the-test");
    let (mut child, log, reader) = start_manual(cmd, &screen);
    let rss_before = rss_kib(child.id());

    // No child of webproof — chromedriver, Chromium's processes — inherits a passphrase.
    let kids = descendants(child.id());
    let mut names = Vec::new();
    for pid in &kids {
        let name = comm(*pid);
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue; // already gone
        };
        for var in environ.split(|b| *b == 0) {
            let var = String::from_utf8_lossy(var);
            assert!(
                !var.starts_with("WEBPROOF_PASSPHRASE=")
                    && !var.starts_with("WEBPROOF_NOTARY_PASSPHRASE=")
                    && !var.contains(PASS)
                    && !var.contains("notary-secret-for-the-test"),
                "{name} ({pid}) inherited {var}"
            );
        }
        names.push(name);
    }
    assert_browser_among(&names);

    // The page forges for five seconds; then the operator asks for a snapshot and ends.
    std::thread::sleep(Duration::from_secs(7));
    let rss_after = rss_kib(child.id());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"s\n").unwrap();
    wait_for(&log, "snapshot http", 30);
    stdin.write_all(b"q\n").unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stderr = log.lock().unwrap().clone();
    assert!(status.success(), "{stderr}");
    env.ok(&["verify", "h.wacz", "--trust-operator", &fpr], 0);

    let wacz = env.path().join("h.wacz");
    let recs = journal(&wacz);
    let forged: Vec<&serde_json::Value> = recs
        .iter()
        .filter(|r| r["params"]["by"] == "operator")
        .collect();
    assert!(
        forged.is_empty(),
        "steps the operator never took: {forged:#?}"
    );
    // The page did run its forgeries (its own count, read from the snapshot), and the
    // binding was out of its reach.
    let snap = recs.iter().find(|r| r["kind"] == "snapshot").unwrap();
    let dom_path = snap["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .find(|p| p.ends_with("dom.html"))
        .unwrap();
    let dom = String::from_utf8(entry(&wacz, dom_path)).unwrap();
    assert!(dom.contains("done: 0 direct, "), "{dom}");
    assert!(!dom.contains(", 0 synthetic"), "{dom}");
    // Nothing of the flood stayed in webproof's memory.
    assert!(
        rss_after < rss_before + 64 * 1024,
        "webproof grew from {rss_before} KiB to {rss_after} KiB during the flood"
    );
}

#[test]
fn manual_mode_without_a_screen_says_so() {
    let env = Env::new();
    env.init_operator("ed25519");
    let out = env
        .cmd()
        .args([
            "capture",
            "http://127.0.0.1:9/",
            "--manual",
            "--out",
            "m.wacz",
        ])
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("manual mode shows the browser on your screen"),
        "{err}"
    );
    assert!(!env.path().join("m.wacz").exists());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A password the operator types by hand (no `{{ask:…}}` behind it) is masked in the journal
/// and redacted from the network archive: it is nowhere in the package.
#[test]
fn a_password_typed_by_hand_never_reaches_the_package() {
    const PASSWORD: &str = "s3cret-typed-by-hand-42";
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let screen = Screen::start();
    let url = format!("{base}/login.html");
    let mut cmd = env.cmd();
    cmd.args(["capture", &url, "--manual", "--out", "l.wacz"]);
    let (mut child, log, reader) = start_manual(cmd, &screen);
    // Into the page, then the keyboard only: Tab to the user field, Tab to the password,
    // Return submits the form.
    screen.click_at(900, 600, &log);
    screen.xdotool(&["key", "Tab"]);
    screen.xdotool(&["type", "--delay", "20", "li-si"]);
    screen.xdotool(&["key", "Tab"]);
    screen.xdotool(&["type", "--delay", "20", PASSWORD]);
    screen.xdotool(&["key", "Return"]);
    wait_for(&log, "/account.html", 30);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"q\n").unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stderr = log.lock().unwrap().clone();
    assert!(status.success(), "{stderr}");
    env.ok(&["verify", "l.wacz", "--trust-operator", &fpr], 0);
    let wacz = env.path().join("l.wacz");
    // The sign-in happened (the site let the password in), the field's step is masked…
    let recs = journal(&wacz);
    let pass = recs
        .iter()
        .find(|r| r["kind"] == "input" && r["params"]["selector"] == "input#pass")
        .unwrap_or_else(|| panic!("no input step for the password: {stderr}"));
    assert_eq!(pass["params"]["masked"], true);
    // …the request that sent it is archived redacted, saying why…
    let warc = String::from_utf8_lossy(&entry(&wacz, "archive/data.warc")).into_owned();
    assert!(warc.contains("POST /login HTTP/1.1"), "{warc}");
    assert!(
        warc.contains("the operator typed into a password field"),
        "no redaction record for the typed password"
    );
    // …and it is nowhere in the package.
    assert_nowhere_in_package(&env, &wacz, PASSWORD.as_bytes());
}
