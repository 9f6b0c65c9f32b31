//! `webproof batch` at volume (issue 20): captures of the demo site with one and with two
//! captures at a time, under a development alliance (`dev up`: two TSAs, the evidence log and
//! three witnesses, so every capture is time-stamped and deposited through the batch's relay),
//! in one run. Measured from /proc while the batch runs: captures a minute, the batch
//! process's resident memory as it goes (it must stay flat) and its peak, the capture
//! processes' peak (webproof's own: browsers, chromedriver and Xvfb excluded), and CPU seconds
//! per capture — webproof's own, and everything the batch started.
//!
//!   cargo bench -p webproof-e2e --bench batch     # WEBPROOF_BENCH_CAPTURES=N (default 100),
//!                                                  # WEBPROOF_BENCH_FLAT=N (default 200): the
//!                                                  # captures of the last, two-at-a-time run
//!                                                  # WEBPROOF_BENCH_MODE=headless: without
//!                                                  # Xvfb and the screen recording
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../e2e/site.rs"]
mod site;
#[path = "../e2e/util.rs"]
mod util;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use util::*;

/// Clock ticks a second in /proc/*/stat (USER_HZ, 100 on Linux).
const HZ: f64 = 100.0;

/// A field of /proc/PID/status in KiB (VmRSS, VmHWM).
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// (parent pid, command name, user + system ticks) of a process.
fn stat(pid: u32) -> Option<(u32, String, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (open, close) = (s.find('(')?, s.rfind(')')?);
    let comm = s[open + 1..close].to_owned();
    let f: Vec<&str> = s[close + 2..].split_whitespace().collect();
    // After "pid (comm) ": state ppid … utime (14th field overall, 12th here) stime.
    Some((
        f.get(1)?.parse().ok()?,
        comm,
        f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?,
    ))
}

/// The ticks of user and system time of this process's waited-for children (cutime + cstime).
fn children_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s[s.rfind(')').unwrap() + 2..].split_whitespace().collect();
    f[13].parse::<u64>().unwrap() + f[14].parse::<u64>().unwrap()
}

/// What one batch run measured.
struct Run {
    parallel: u16,
    captures: usize,
    sealed: usize,
    secs: f64,
    /// The batch process's resident memory (MiB) after each tenth of the captures.
    rss: Vec<(usize, f64)>,
    batch_peak_mib: f64,
    capture_peak_mib: f64,
    webproof_cpu_s: f64,
    all_cpu_s: f64,
}

/// Captures sealed so far, from the batch's queue.
fn sealed(queue: &Path) -> usize {
    std::fs::read_to_string(queue)
        .map(|q| q.matches("\"event\":\"sealed\"").count())
        .unwrap_or(0)
}

fn run(env: &Env, base: &str, parallel: u16, captures: usize, headless: bool) -> Run {
    let pages = [
        "index.html",
        "gallery.html",
        "zh.html",
        "long.html",
        "media.html",
    ];
    let list: String = (0..captures)
        .map(|i| format!("{base}/{}\n", pages[i % pages.len()]))
        .collect();
    let name = format!("urls-{parallel}.txt");
    env.write(&name, list.as_bytes());
    let out = format!("b{parallel}");
    let mut args = vec![
        "batch".to_owned(),
        name,
        "--out".into(),
        out.clone(),
        "--parallel".into(),
        parallel.to_string(),
        "--".into(),
    ];
    if headless {
        args.extend(["--headless".into(), "--no-video".into()]);
    }
    let before = children_ticks();
    let t = Instant::now();
    let mut child = env
        .cmd()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let queue = env.path().join(&out).join("queue.jsonl");
    let (mut rss, mut batch_peak, mut capture_peak) = (Vec::new(), 0u64, 0u64);
    // Each webproof process's last user + system ticks (they only grow).
    let mut ticks: HashMap<u32, u64> = HashMap::new();
    let mut next_mark = captures.div_ceil(10);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if let Some(h) = status_kib(pid, "VmHWM") {
            batch_peak = batch_peak.max(h);
        }
        if let Some((_, _, t)) = stat(pid) {
            ticks.insert(pid, t);
        }
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if let Some((ppid, comm, t)) = stat(p)
                && ppid == pid
                && comm == "webproof"
            {
                ticks.insert(p, t);
                if let Some(h) = status_kib(p, "VmHWM") {
                    capture_peak = capture_peak.max(h);
                }
            }
        }
        let done = sealed(&queue);
        if done >= next_mark {
            if let Some(r) = status_kib(pid, "VmRSS") {
                rss.push((done, r as f64 / 1024.0));
            }
            next_mark += captures.div_ceil(10);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let secs = t.elapsed().as_secs_f64();
    Run {
        parallel,
        captures,
        sealed: sealed(&queue),
        secs,
        rss,
        batch_peak_mib: batch_peak as f64 / 1024.0,
        capture_peak_mib: capture_peak as f64 / 1024.0,
        webproof_cpu_s: ticks.values().sum::<u64>() as f64 / HZ,
        all_cpu_s: (children_ticks() - before) as f64 / HZ,
    }
}

/// `webproof dev up` in `env` until it is ready; the alliance runs as long as the child.
fn dev_up(env: &Env) -> std::process::Child {
    let mut c = env
        .cmd()
        .args(["dev", "up", "--interval-ms", "200"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(c.stdout.take().unwrap());
    let ready = out
        .lines()
        .map_while(Result::ok)
        .any(|l| l.trim() == "ready");
    if ready {
        return c;
    }
    let _ = c.kill();
    let _ = c.wait();
    panic!("dev up did not start");
}

fn main() {
    let captures: usize = std::env::var("WEBPROOF_BENCH_CAPTURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let flat: usize = std::env::var("WEBPROOF_BENCH_FLAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let headless = std::env::var("WEBPROOF_BENCH_MODE").is_ok_and(|m| m == "headless");
    let base = site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let mut alliance = dev_up(&env);
    let runs = [
        run(&env, &base, 1, captures, headless),
        run(&env, &base, 2, flat.max(captures), headless),
    ];
    let _ = alliance.kill();
    let _ = alliance.wait();
    println!(
        "webproof batch of the demo site ({}; dev up: trusted time and the log for every capture), {} cores",
        if headless {
            "headless, no recording"
        } else {
            "in webproof's Xvfb display, recorded"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:>3} {:>8} {:>7} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "N",
        "captures",
        "sealed",
        "per min",
        "batch MiB",
        "capture MiB",
        "wp cpu/cap",
        "all cpu/cap"
    );
    for r in &runs {
        println!(
            "{:>3} {:>8} {:>7} {:>8.1} {:>10.1} {:>10.1} {:>9.2}s {:>9.2}s",
            r.parallel,
            r.captures,
            r.sealed,
            r.sealed as f64 / (r.secs / 60.0),
            r.batch_peak_mib,
            r.capture_peak_mib,
            r.webproof_cpu_s / r.captures as f64,
            r.all_cpu_s / r.captures as f64,
        );
    }
    for r in &runs {
        let line: Vec<String> = r.rss.iter().map(|(n, m)| format!("{n}: {m:.1}")).collect();
        println!(
            "batch RSS (MiB) after N captures, --parallel {}: {}",
            r.parallel,
            line.join(", ")
        );
    }
    for r in &runs {
        assert_eq!(r.sealed, r.captures, "every capture sealed");
    }
}
