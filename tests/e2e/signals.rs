//! Stopping a capture from outside: Ctrl-C (SIGINT to the job's process group, as a terminal
//! sends it) and SIGTERM (to webproof alone, as `kill` or a service manager sends it) in the
//! middle of a headful capture, and the browser killed under a running capture. Each time
//! every child — Xvfb, chromedriver, every Chromium process — is gone within 10 s, what was
//! captured is sealed, and the package verifies as interrupted, saying why in plain words.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::site;
use crate::util::*;

/// A profile that navigates, then waits up to two minutes for what never comes.
const WAITING: &[u8] = br##"
name = "wait-test"
description = "navigates, then waits for what never comes, so the capture can be stopped mid-step"

[[steps]]
action = "navigate"

[[steps]]
action = "wait"
selector = "#never-there"
timeout_ms = 120000
"##;

/// A headful capture of the demo site in a process group of its own (a shell job), started
/// and past its navigation step; returns it with its stderr lines so far and the rest to come.
/// The caller signals and waits for the returned child.
#[allow(clippy::zombie_processes)]
fn waiting_capture(env: &Env, out: &str) -> (Child, Vec<String>, mpsc::Receiver<String>) {
    let base = site::serve();
    let profile = env.write("wait.toml", WAITING);
    let url = format!("{base}/index.html");
    let mut child = env
        .cmd()
        .args([
            "capture",
            &url,
            "--out",
            out,
            "--segment-secs",
            "5",
            "--profile",
        ])
        .arg(&profile)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let navigated = line.trim_start().starts_with("step 2:");
                seen.push(line);
                if navigated {
                    // Into the wait step, with a segment or two of video.
                    std::thread::sleep(Duration::from_secs(2));
                    return (child, seen, rx);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the capture never navigated: {seen:#?}");
}

/// Whether process `pid` still runs (a zombie waiting to be reaped runs nothing).
fn running(pid: u32) -> bool {
    proc_stat(pid).is_some_and(|(state, _)| state != "Z")
}

/// webproof's child processes, which must include the display, the driver and the browser.
fn children_of(child: &Child) -> Vec<(u32, String)> {
    let kids: Vec<(u32, String)> = descendants(child.id())
        .into_iter()
        .map(|p| (p, comm(p)))
        .collect();
    let names: Vec<&str> = kids.iter().map(|(_, n)| n.as_str()).collect();
    assert!(names.contains(&"Xvfb"), "no Xvfb among {names:?}");
    assert_browser_among(&names);
    kids
}

/// Waits until none of `kids` runs; panics after `limit`. Returns how long it took.
fn all_gone(kids: &[(u32, String)], since: Instant, limit: Duration) -> Duration {
    loop {
        let left: Vec<&(u32, String)> = kids.iter().filter(|(p, _)| running(*p)).collect();
        if left.is_empty() {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < limit,
            "still running {:?} after the signal: {left:?}",
            since.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits for the capture to end (sealing included); returns its exit code and stderr.
fn finish(mut child: Child, mut seen: Vec<String>, rx: mpsc::Receiver<String>) -> (i32, String) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        while let Ok(line) = rx.try_recv() {
            seen.push(line);
        }
        if let Some(status) = child.try_wait().unwrap() {
            while let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
                seen.push(line);
            }
            return (status.code().unwrap_or(-1), seen.join("\n"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the interrupted capture did not end: {}", seen.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The package verifies as an interrupted capture, for `reason`; the journal ends with the
/// recording, the interruption and the seal, and the screen recording is a playable video.
fn assert_interrupted(env: &Env, fpr: &str, out: &str, reason: &str) {
    let verdict = env.ok(&["verify", out, "--trust-operator", fpr], 4);
    assert!(verdict.contains("INTACT WITH FINDINGS"), "{verdict}");
    assert!(
        verdict.contains("FINDING   capture.outcome") && verdict.contains(reason),
        "{verdict}"
    );
    let wacz = env.path().join(out);
    let kinds = kinds(&wacz);
    let n = kinds.len();
    assert_eq!(kinds[n - 1], "seal", "{kinds:?}");
    assert_eq!(kinds[n - 2], "interruption", "{kinds:?}");
    for k in [
        "environment",
        "navigate",
        "video-segment",
        "network-archive",
    ] {
        assert!(kinds.iter().any(|x| x == k), "no {k} step in {kinds:?}");
    }
    let recs = journal(&wacz);
    let said = recs[n - 2]["params"]["reason"].as_str().unwrap();
    assert!(said.contains(reason), "{said}");
    // The segment under way when the signal came was finished, not cut off.
    let seg = recs
        .iter()
        .rev()
        .find(|r| r["kind"] == "video-segment")
        .unwrap();
    let path = seg["artifacts"][0]["path"].as_str().unwrap();
    let dir = env.path().join("unzipped");
    unzip(&wacz, &dir);
    let probe = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
            path,
        ],
        &dir,
    );
    assert!(
        probe.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    // Nothing is left to resume: the package is the capture.
    assert_eq!(env.ok(&["captures", "list"], 0).trim(), "");
}

/// Stops a waiting capture with `kill ARGS` (`{pid}` in them is the capture's process id),
/// then checks that every child is gone within 10 s, the exit code, what was said, and that
/// the package verifies as interrupted for `reason`.
fn stopped_by(kill: &[&str], out: &str, code: i32, said: &[&str], reason: &str) {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let (child, seen, rx) = waiting_capture(&env, out);
    let kids = children_of(&child);
    let t0 = Instant::now();
    let pid = child.id().to_string();
    let args: Vec<String> = kill.iter().map(|a| a.replace("{pid}", &pid)).collect();
    let sent = std::process::Command::new("kill")
        .args(&args)
        .status()
        .unwrap();
    assert!(sent.success());
    let took = all_gone(&kids, t0, Duration::from_secs(10));
    let (exit, stderr) = finish(child, seen, rx);
    assert_eq!(exit, code, "{stderr}");
    for s in said {
        assert!(stderr.contains(s), "no {s:?} in {stderr}");
    }
    eprintln!("children gone {took:?} after kill {args:?}");
    assert_interrupted(&env, &fpr, out, reason);
}

#[test]
fn ctrl_c_seals_what_was_captured_and_stops_every_child() {
    // Ctrl-C: the terminal signals the whole foreground job (its process group).
    stopped_by(
        &["-INT", "--", "-{pid}"],
        "int.wacz",
        130,
        &["SIGINT: stopping", "capture interrupted (SIGINT)"],
        "the operator pressed Ctrl-C",
    );
}

#[test]
fn sigterm_seals_what_was_captured_and_stops_every_child() {
    stopped_by(
        &["-TERM", "{pid}"],
        "term.wacz",
        143,
        &["capture interrupted (SIGTERM)"],
        "asked to stop (SIGTERM)",
    );
}

#[test]
fn a_second_ctrl_c_stops_at_once_and_says_how_to_resume() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let (child, seen, rx) = waiting_capture(&env, "twice.wacz");
    let kids = children_of(&child);
    let t0 = Instant::now();
    for _ in 0..2 {
        std::process::Command::new("kill")
            .args(["-INT", "--", &format!("-{}", child.id())])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
    }
    all_gone(&kids, t0, Duration::from_secs(10));
    let (code, stderr) = finish(child, seen, rx);
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("stopped at once (SIGINT)"), "{stderr}");
    assert!(!env.path().join("twice.wacz").exists(), "{stderr}");
    // The printed command seals what the directory holds.
    let command = stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("webproof captures resume "))
        .unwrap_or_else(|| panic!("no resume command in {stderr}"));
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let out = env.ok(&args, 0);
    assert!(out.contains("sealed"), "{out}");
    let verdict = env.ok(&["verify", "twice.wacz", "--trust-operator", &fpr], 4);
    assert!(verdict.contains("INTACT WITH FINDINGS"), "{verdict}");
    let kinds = kinds(&env.path().join("twice.wacz"));
    assert!(kinds.iter().any(|k| k == "navigate"), "{kinds:?}");
}

#[test]
fn a_browser_that_dies_is_said_in_plain_words() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let (child, seen, rx) = waiting_capture(&env, "dead.wacz");
    let kids = children_of(&child);
    // Chromium's main process: the one chromedriver started.
    let driver = kids
        .iter()
        .find(|(_, n)| n.contains("chromedriver"))
        .map(|(p, _)| *p)
        .unwrap();
    let browser = descendants(driver)
        .into_iter()
        .find(|p| proc_stat(*p).is_some_and(|(_, parent)| parent == driver))
        .expect("Chromium under chromedriver");
    let t0 = Instant::now();
    std::process::Command::new("kill")
        .args(["-KILL", &browser.to_string()])
        .status()
        .unwrap();
    let (code, stderr) = finish(child, seen, rx);
    all_gone(&kids, t0, Duration::from_secs(30));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the browser closed or crashed during step 3 (wait)"),
        "{stderr}"
    );
    assert_interrupted(&env, &fpr, "dead.wacz", "the browser closed or crashed");
}
