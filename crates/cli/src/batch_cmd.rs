//! `webproof batch URLS.csv --out DIR`: many captures as one durable queue. Each URL is
//! captured by its own `webproof capture` child (its own browser, display, recorder and work
//! directory; up to `--parallel` at a time), into `DIR/NNNN-HOST.wacz`. What happens is
//! appended to `DIR/queue.jsonl`, each line fsynced, so a batch killed at any moment (even
//! `kill -9`) goes on where it stopped when run again: every URL ends in exactly one package
//! or one recorded failure with its reason, and `DIR/summary.csv` lists them.

use crate::say::tr;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use webproof_engine::events::{BatchEvent, UrlState};

/// `webproof batch`.
#[derive(clap::Args)]
pub(crate) struct BatchArgs {
    /// The URLs to capture: a CSV file with the URL in its first column (a header line,
    /// empty lines and lines starting with # are skipped), or one URL per line.
    urls: PathBuf,
    /// The directory for the packages, the queue (queue.jsonl) and the summary
    /// (summary.csv); run the same command again to go on where a batch stopped.
    #[arg(long)]
    out: PathBuf,
    /// The case every capture belongs to.
    #[arg(long)]
    case: Option<String>,
    /// The capture profile of every URL, or auto: the profile whose URL patterns match each.
    #[arg(long, default_value = "auto")]
    profile: String,
    /// How many captures run at the same time (each with its own browser and display).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    parallel: u16,
    /// The disk quota of the whole batch, in MiB of packages: each capture may write at most
    /// what is left (besides its own --max-mb), and once it is used up the URLs left are
    /// skipped, with the reason (run again with a larger quota to capture them).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    max_total_mb: Option<u64>,
    /// JSON lines on stdout as things happen (the queue, each URL's state, the summary), for
    /// the desktop app; see docs/app-events.md. A line `stop` on stdin then starts no more
    /// captures (those under way end as they do).
    #[arg(long)]
    events: bool,
    /// More arguments for every `webproof capture`, after `--` (e.g. -- --headless --no-video).
    #[arg(last = true)]
    capture_args: Vec<String>,
}

/// One line of queue.jsonl.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Entry {
    /// Capture `n` (1-based) of `url` began, in process `pid`.
    Started { n: usize, url: String, pid: u32 },
    /// Capture `n` ended in its package (`interrupted`: sealed after a stop, with why).
    Sealed {
        n: usize,
        package: String,
        head: Option<String>,
        interrupted: Option<String>,
    },
    /// Capture `n` ended without a package, for `reason`.
    Failed { n: usize, reason: String },
    /// An earlier attempt of capture `n`, stopped with the batch, kept aside at `package`.
    Aside { n: usize, package: String },
    /// Capture `n` was not started, for `reason` (the batch's quota): it is tried again when
    /// the batch is run again.
    Skipped { n: usize, reason: String },
}

/// The queue's log: appended and fsynced line by line.
/// A JSON-lines file appended and fsynced line by line: a batch's queue, a watch's history.
pub(crate) struct Log {
    file: std::fs::File,
    path: PathBuf,
}

impl Log {
    /// Opens `path` for appending, creating it.
    pub(crate) fn open(path: &Path) -> Result<Log> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| tr!("ctx-opening", path = path.display()))?;
        Ok(Log {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends `e` as one line and syncs it.
    pub(crate) fn append(&mut self, e: &impl Serialize) -> Result<()> {
        let mut line = serde_json::to_vec(e)?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .with_context(|| tr!("ctx-writing", path = self.path.display()))
    }
}

/// The URLs of the list, in order.
fn read_urls(path: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    let urls: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"')
                .to_owned()
        })
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .collect();
    if urls.is_empty() {
        bail!(tr!("cli-batch-no-urls", path = path.display()));
    }
    Ok(urls)
}

/// `NNNN-host.wacz` for capture `n` of `url`.
fn package_name(n: usize, url: &str) -> String {
    let host = webproof_watch::history::host_slug(url.split("://").nth(1).unwrap_or(""));
    format!("{n:04}-{host}.wacz")
}

/// Where each capture stands after the log so far: its last entry.
fn replay(log: &Path) -> Result<BTreeMap<usize, Entry>> {
    let mut last = BTreeMap::new();
    let Ok(f) = std::fs::File::open(log) else {
        return Ok(last);
    };
    for line in BufReader::new(f).lines() {
        let line = line?;
        // A line torn by a kill is the end of the log.
        let Ok(e) = serde_json::from_str::<Entry>(&line) else {
            break;
        };
        let n = match &e {
            Entry::Started { n, .. }
            | Entry::Sealed { n, .. }
            | Entry::Failed { n, .. }
            | Entry::Aside { n, .. }
            | Entry::Skipped { n, .. } => *n,
        };
        last.insert(n, e);
    }
    Ok(last)
}

/// Whether process `pid` is still a `webproof capture` writing `package`.
fn still_capturing(pid: u32, package: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| {
            let c = String::from_utf8_lossy(&c);
            c.contains("capture") && c.contains(package)
        })
        .unwrap_or(false)
}

/// The arguments every capture of the batch gets, parsed as `webproof capture` parses them
/// (so a mistake among them is said once, before anything is captured).
#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct ChildArgs {
    #[command(flatten)]
    capture: crate::capture_args::CaptureArgs,
}

fn child_args(extra: &[String]) -> Result<ChildArgs> {
    use clap::Parser as _;
    let probe = ["http://batch.invalid/", "--out", "batch.wacz", "--events"];
    ChildArgs::try_parse_from(
        probe
            .iter()
            .map(|s| s.to_string())
            .chain(extra.iter().cloned()),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context(tr!("cli-batch-capture-args"))
}

/// Checks arguments meant for every `webproof capture` of a batch or a watch.
pub(crate) fn check_capture_args(extra: &[String]) -> Result<()> {
    child_args(extra).map(|_| ())
}

/// Variables every capture child gets.
type ChildEnv = Vec<(String, String)>;

/// What every capture child inherits: the operator's passphrase (asked once, for the whole
/// batch) and, when a log is configured, the relay its deposits go through.
fn child_env(child: &ChildArgs) -> Result<(ChildEnv, Option<crate::batch_relay::Relay>)> {
    let home = crate::config::home()?;
    // Unlocked here once: a wrong passphrase stops the batch before its first capture.
    let (pass, key) = crate::identity_cmd::operator_passphrase(&home)?;
    let mut env = vec![("WEBPROOF_PASSPHRASE".to_owned(), pass)];
    let relay = match child.capture.log.settings()? {
        Some(s) => {
            let origin = s
                .trust
                .logs
                .first()
                .map(|k| k.name.clone())
                .ok_or_else(|| anyhow::anyhow!(tr!("cli-no-log-key", url = &s.url)))?;
            let r = crate::batch_relay::start(&s.url, &origin, key)?;
            env.push((crate::batch_relay::VIA_VAR.to_owned(), r.url.clone()));
            Some(r)
        }
        None => None,
    };
    Ok((env, relay))
}

pub(crate) fn batch(mut a: BatchArgs) -> Result<ExitCode> {
    let urls = read_urls(&a.urls)?;
    let child = child_args(&a.capture_args)?;
    let (env, relay) = child_env(&child)?;
    let child_max_mb = child.capture.max_mb;
    std::fs::create_dir_all(&a.out).with_context(|| tr!("ctx-creating", path = a.out.display()))?;
    // Named absolutely in the log and the summary (a batch may be resumed from elsewhere).
    a.out = std::fs::canonicalize(&a.out)
        .with_context(|| tr!("ctx-opening", path = a.out.display()))?;
    let log_path = a.out.join("queue.jsonl");
    let before = replay(&log_path)?;
    let mut log = Log::open(&log_path)?;
    // What an earlier run left: ended captures stay as they are; one that was under way is
    // waited for if its process still runs, else its partial package is kept aside.
    let mut todo = VecDeque::new();
    for (i, url) in urls.iter().enumerate() {
        let n = i + 1;
        let name = package_name(n, url);
        match before.get(&n) {
            Some(Entry::Sealed { .. } | Entry::Failed { .. }) => continue,
            Some(Entry::Started { pid, .. }) => {
                // The batch was killed, its capture perhaps not: it ends, and seals.
                while still_capturing(*pid, &name) {
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
                if let Some(e) = finished_meanwhile(n, &a.out.join(&name)) {
                    log.append(&e)?;
                    continue;
                }
                set_aside(&a.out, n, &name, &mut log)?;
            }
            Some(Entry::Skipped { .. }) => {}
            _ => set_aside(&a.out, n, &name, &mut log)?,
        }
        todo.push_back((n, url.clone()));
    }
    let total = urls.len();
    let done_before = total - todo.len();
    let bar = if a.events {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(total as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_position(done_before as u64);
    let say = Say {
        bar,
        events: a.events,
    };
    if a.events {
        let queued: std::collections::BTreeSet<usize> = todo.iter().map(|(n, _)| *n).collect();
        say.event(&BatchEvent::Queue {
            urls: urls.clone(),
            done: (1..=total).filter(|n| !queued.contains(n)).collect(),
            text: tr!("cli-batch-queue", total = total, done = done_before),
        });
    }
    let started = Instant::now();
    let shared = Arc::new(Mutex::new((todo, log)));
    // The app's Stop: no more captures are started; run again to go on.
    let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
    if a.events {
        let stopping = stopping.clone();
        std::thread::spawn(move || {
            for l in std::io::stdin().lock().lines().map_while(Result::ok) {
                if l.trim() == "stop" {
                    stopping.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
        });
    }
    let exe = std::env::current_exe().context(tr!("cli-batch-exe"))?;
    let workers: Vec<_> = (0..a.parallel)
        .map(|_| {
            let (shared, say, exe, env) = (shared.clone(), say.clone(), exe.clone(), env.clone());
            let stopping = stopping.clone();
            let (out, case, profile, extra) = (
                a.out.clone(),
                a.case.clone(),
                a.profile.clone(),
                a.capture_args.clone(),
            );
            let (quota, own_max) = (a.max_total_mb, child_max_mb);
            std::thread::spawn(move || -> Result<()> {
                loop {
                    if stopping.load(std::sync::atomic::Ordering::SeqCst) {
                        return Ok(());
                    }
                    let next = {
                        let mut s = shared.lock().map_err(|_| anyhow::anyhow!("queue"))?;
                        s.0.pop_front()
                    };
                    let Some((n, url)) = next else {
                        return Ok(());
                    };
                    let max_mb = match share(quota, own_max, &out) {
                        Share::Left(m) => m,
                        Share::UsedUp(reason) => {
                            let text =
                                tr!("cli-batch-skipped", n = n, url = &url, reason = &reason);
                            say.url(n, &url, UrlState::Skipped, None, Some(&reason), text);
                            let mut s = shared.lock().map_err(|_| anyhow::anyhow!("queue"))?;
                            s.1.append(&Entry::Skipped { n, reason })?;
                            continue;
                        }
                    };
                    let job = Job {
                        n,
                        url: &url,
                        out: &out,
                        case: case.as_deref(),
                        profile: &profile,
                        extra: &extra,
                        exe: &exe,
                        env: &env,
                        max_mb,
                    };
                    let ended = job.run(&shared, &say)?;
                    match &ended {
                        Entry::Sealed {
                            package,
                            interrupted,
                            ..
                        } => say.url(
                            n,
                            &url,
                            if interrupted.is_some() {
                                UrlState::Interrupted
                            } else {
                                UrlState::Sealed
                            },
                            Some(package),
                            interrupted.as_deref(),
                            tr!("cli-batch-sealed", n = n, url = &url, package = package),
                        ),
                        Entry::Failed { reason, .. } => say.url(
                            n,
                            &url,
                            UrlState::Failed,
                            None,
                            Some(reason),
                            tr!("cli-batch-failed", n = n, url = &url, reason = reason),
                        ),
                        _ => {}
                    }
                    let mut s = shared.lock().map_err(|_| anyhow::anyhow!("queue"))?;
                    s.1.append(&ended)?;
                }
            })
        })
        .collect();
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!(tr!("cli-batch-worker")))??;
    }
    say.bar.finish_and_clear();
    if let Some(r) = &relay {
        use std::sync::atomic::Ordering::Relaxed;
        let text = tr!(
            "cli-batch-deposits",
            deposits = r.counts.deposits.load(Relaxed),
            requests = r.counts.requests.load(Relaxed)
        );
        // Beside the events, not among them.
        if a.events {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }
    summary(&a.out, &urls, &log_path, done_before, started, &say)
}

/// Where the batch says what happens: a progress bar and a line per URL on the terminal, or
/// [`BatchEvent`] lines for the app (`--events`).
#[derive(Clone)]
struct Say {
    bar: indicatif::ProgressBar,
    events: bool,
}

impl Say {
    fn event(&self, e: &BatchEvent) {
        println!("{}", e.to_line());
    }

    /// URL `n` changed `state`; `text` says so to people. A state other than `started` ends
    /// the URL's part of the run.
    fn url(
        &self,
        n: usize,
        url: &str,
        state: UrlState,
        package: Option<&str>,
        reason: Option<&str>,
        text: String,
    ) {
        if self.events {
            self.event(&BatchEvent::Url {
                n,
                url: url.to_owned(),
                state,
                package: package.map(str::to_owned),
                reason: reason.map(str::to_owned),
                text,
            });
        } else if state != UrlState::Started {
            self.bar.println(text);
        }
        if state != UrlState::Started {
            self.bar.inc(1);
        }
    }
}

/// What a capture may write under the batch's quota.
enum Share {
    /// At most this many MiB (`None`: no limit).
    Left(Option<u64>),
    /// Nothing: the quota is used up, for this reason.
    UsedUp(String),
}

/// The share of capture's own quota `own` (MiB) and what is left of the batch's `quota`
/// (MiB) after the packages in `out`.
fn share(quota: Option<u64>, own: Option<u64>, out: &Path) -> Share {
    let Some(quota) = quota else {
        return Share::Left(own);
    };
    let used = packages_size(out);
    let left = (quota << 20).saturating_sub(used) >> 20;
    if left == 0 {
        return Share::UsedUp(format!(
            "the batch's disk quota of {quota} MiB is used up ({:.1} MiB of packages)",
            used as f64 / f64::from(1u32 << 20)
        ));
    }
    Share::Left(Some(own.map_or(left, |o| o.min(left))))
}

/// The bytes of the batch's packages in `out` (those kept aside count too).
fn packages_size(out: &Path) -> u64 {
    let size = |dir: &Path| -> u64 {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".wacz"))
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    size(out) + size(&out.join("interrupted"))
}

/// The capture arguments without `--max-mb` (the batch gives each capture its own).
fn without_max_mb(extra: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(extra.len());
    let mut skip = false;
    for a in extra {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a == "--max-mb" {
            skip = true;
        } else if !a.starts_with("--max-mb=") {
            out.push(a.clone());
        }
    }
    out
}

/// The package of capture `n` that its process, outliving a killed batch, finished: it is
/// a package when it is whole (its verification does not fail).
fn finished_meanwhile(n: usize, package: &Path) -> Option<Entry> {
    if !package.is_file() {
        return None;
    }
    let report = webproof_verify::verify_path(package, &webproof_verify::Policy::default()).ok()?;
    (report.verdict() != webproof_verify::Verdict::Fail).then(|| Entry::Sealed {
        n,
        package: package.display().to_string(),
        head: None,
        interrupted: None,
    })
}

/// Moves a partial package of capture `n` (from a run that stopped) aside, into
/// `DIR/interrupted/`, and logs it.
fn set_aside(out: &Path, n: usize, name: &str, log: &mut Log) -> Result<()> {
    let p = out.join(name);
    if !p.exists() {
        return Ok(());
    }
    let dir = out.join("interrupted");
    std::fs::create_dir_all(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    let mut k = 1;
    let mut to = dir.join(format!("{}.{k}.wacz", name.trim_end_matches(".wacz")));
    while to.exists() {
        k += 1;
        to = dir.join(format!("{}.{k}.wacz", name.trim_end_matches(".wacz")));
    }
    std::fs::rename(&p, &to).with_context(|| tr!("ctx-writing", path = to.display()))?;
    log.append(&Entry::Aside {
        n,
        package: to.display().to_string(),
    })
}

struct Job<'a> {
    n: usize,
    url: &'a str,
    out: &'a Path,
    case: Option<&'a str>,
    profile: &'a str,
    extra: &'a [String],
    exe: &'a Path,
    env: &'a [(String, String)],
    /// The capture's disk quota (its own --max-mb, or what is left of the batch's).
    max_mb: Option<u64>,
}

impl Job<'_> {
    /// Runs the capture to its end: how it ended.
    fn run(&self, shared: &Mutex<(VecDeque<(usize, String)>, Log)>, say: &Say) -> Result<Entry> {
        let package = self.out.join(package_name(self.n, self.url));
        let extra = without_max_mb(self.extra);
        let capture = crate::capture_child::Capture {
            exe: self.exe,
            url: self.url,
            package: &package,
            profile: self.profile,
            case: self.case,
            extra: &extra,
            env: self.env,
            max_mb: self.max_mb,
        };
        let child = match capture.spawn() {
            Ok(ch) => ch,
            Err(e) => {
                return Ok(Entry::Failed {
                    n: self.n,
                    reason: tr!("cli-batch-spawn", error = e),
                });
            }
        };
        {
            let mut s = shared.lock().map_err(|_| anyhow::anyhow!("queue"))?;
            s.1.append(&Entry::Started {
                n: self.n,
                url: self.url.to_owned(),
                pid: child.id(),
            })?;
        }
        say.url(
            self.n,
            self.url,
            UrlState::Started,
            Some(&package.display().to_string()),
            None,
            tr!("cli-batch-started", n = self.n, url = self.url),
        );
        let ended = crate::capture_child::finish(child)?;
        let complete = ended.complete();
        Ok(if package.is_file() {
            Entry::Sealed {
                n: self.n,
                package: package.display().to_string(),
                head: ended.head,
                interrupted: (!complete).then_some(ended.reason),
            }
        } else {
            Entry::Failed {
                n: self.n,
                reason: if ended.reason.is_empty() {
                    tr!("cli-batch-no-package", status = ended.status)
                } else {
                    ended.reason
                },
            }
        })
    }
}

/// Writes `DIR/summary.csv` (every URL: number, URL, outcome, package, chain head, reason)
/// from the log, and says the totals.
fn summary(
    out: &Path,
    urls: &[String],
    log: &Path,
    done_before: usize,
    started: Instant,
    say: &Say,
) -> Result<ExitCode> {
    let last = replay(log)?;
    let mut csv = String::from("n,url,outcome,package,chain_head,reason\n");
    let (mut sealed, mut interrupted, mut failed, mut skipped, mut pending) = (0, 0, 0, 0, 0);
    let q = webproof_report::catalogue::csv_field;
    for (i, url) in urls.iter().enumerate() {
        let n = i + 1;
        let (outcome, package, head, reason) = match last.get(&n) {
            Some(Entry::Sealed {
                package,
                head,
                interrupted: None,
                ..
            }) => {
                sealed += 1;
                ("sealed", package.clone(), head.clone(), String::new())
            }
            Some(Entry::Sealed {
                package,
                head,
                interrupted: Some(why),
                ..
            }) => {
                interrupted += 1;
                ("interrupted", package.clone(), head.clone(), why.clone())
            }
            Some(Entry::Failed { reason, .. }) => {
                failed += 1;
                ("failed", String::new(), None, reason.clone())
            }
            Some(Entry::Skipped { reason, .. }) => {
                skipped += 1;
                ("skipped", String::new(), None, reason.clone())
            }
            _ => {
                pending += 1;
                ("pending", String::new(), None, String::new())
            }
        };
        csv.push_str(&format!(
            "{n},{},{outcome},{},{},{}\n",
            q(url),
            q(&package),
            head.unwrap_or_default(),
            q(&reason)
        ));
    }
    let path = out.join("summary.csv");
    std::fs::write(&path, csv).with_context(|| tr!("ctx-writing", path = path.display()))?;
    let ran = urls.len() - done_before;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let mut text = tr!(
        "cli-batch-summary",
        total = urls.len(),
        sealed = sealed,
        interrupted = interrupted,
        failed = failed,
        ran = ran,
        per_minute = format!(
            "{:.1}",
            if minutes > 0.0 {
                ran as f64 / minutes
            } else {
                0.0
            }
        ),
        path = path.display()
    );
    if skipped > 0 {
        text.push('\n');
        text.push_str(&tr!("cli-batch-skipped-total", count = skipped));
    }
    if pending > 0 {
        text.push('\n');
        text.push_str(&tr!("cli-batch-pending", count = pending));
    }
    if say.events {
        say.event(&BatchEvent::Summary {
            total: urls.len(),
            sealed,
            interrupted,
            failed,
            skipped,
            pending,
            path: path.display().to_string(),
            text,
        });
    } else {
        println!("{text}");
    }
    Ok(if failed + interrupted + skipped + pending == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(4)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_from_a_csv_or_a_list_and_packages_named_by_number_and_host() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("u.csv");
        std::fs::write(
            &p,
            "url,note\n# skipped\n\"https://shop.example/item?id=1\",copied photos\n\nhttp://127.0.0.1:8000/a.html\nnot a url\n",
        )
        .unwrap();
        assert_eq!(
            read_urls(&p).unwrap(),
            [
                "https://shop.example/item?id=1",
                "http://127.0.0.1:8000/a.html"
            ]
        );
        assert_eq!(
            package_name(7, "http://127.0.0.1:8000/a.html"),
            "0007-127.0.0.1_8000.wacz"
        );
        std::fs::write(&p, "url\n").unwrap();
        assert!(read_urls(&p).is_err());
    }

    #[test]
    fn the_capture_arguments_are_checked_before_anything_is_captured() {
        let args = |a: &[&str]| child_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let ok = args(&["--headless", "--no-video", "--log", "http://127.0.0.1:1/"]).unwrap();
        assert_eq!(ok.capture.log.log.as_deref(), Some("http://127.0.0.1:1/"));
        assert!(args(&["--no-such-flag"]).is_err());
        // The batch names each package itself.
        assert!(args(&["--out", "x.wacz"]).is_err());
    }

    #[test]
    fn the_log_says_where_each_capture_stands_up_to_a_torn_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("queue.jsonl");
        let lines = [
            r#"{"event":"started","n":1,"url":"http://a/","pid":10}"#,
            r#"{"event":"sealed","n":1,"package":"0001-a.wacz","head":null,"interrupted":null}"#,
            r#"{"event":"started","n":2,"url":"http://b/","pid":11}"#,
            r#"{"event":"failed","n":3,"reason":"x"}"#,
            r#"{"event":"sealed","n":2,"pack"#,
        ];
        std::fs::write(&p, lines.join("\n")).unwrap();
        let last = replay(&p).unwrap();
        assert!(matches!(last.get(&1), Some(Entry::Sealed { .. })));
        assert!(matches!(last.get(&2), Some(Entry::Started { pid: 11, .. })));
        assert!(matches!(last.get(&3), Some(Entry::Failed { .. })));
    }
}
