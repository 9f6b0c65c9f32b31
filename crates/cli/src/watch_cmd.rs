//! `webproof watch URL --every 6h [--until-gone] --case C`: re-capture a URL on a schedule
//! until it is taken down (docs/watch.md). A watch is a directory,
//! `WEBPROOF_HOME/watches/ID/`: `watch.json` (what and how often), the packages
//! (`NNNN-TIME.wacz`, one per capture), `history.jsonl` (per capture: what it showed, what
//! changed since the one before, whether the page was gone; fsynced line by line) and the
//! text diffs (`NNNN.diff`). `watch tick` captures every watch that is due; the systemd user
//! timer that `watch service install` writes runs it every five minutes, and after a boot.

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use webproof_evidence::utc::Utc;
use webproof_watch::history::{self, Entry, Listed, Outcome, Spec};
use webproof_watch::{Observation, service};

/// `webproof watch`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct WatchArgs {
    #[command(subcommand)]
    cmd: Option<WatchCmd>,
    /// The URL to watch (its first capture is made at once).
    #[arg(required = true)]
    url: Option<String>,
    /// How often to re-capture it: 30m, 6h, 1d, … (a minute at least).
    #[arg(long, required = true)]
    every: Option<String>,
    /// End the watch by itself once the page is gone (404 or 410, the tracked element
    /// removed, a redirect to the site's home page).
    #[arg(long)]
    until_gone: bool,
    /// The CSS selector of the element that shows the infringement (a listing, a picture):
    /// the page counts as gone once it is no longer there.
    #[arg(long, value_name = "CSS")]
    element: Option<String>,
    /// The case every capture belongs to.
    #[arg(long)]
    case: Option<String>,
    /// The capture profile, or auto: the profile whose URL patterns match the URL.
    #[arg(long, default_value = "auto")]
    profile: String,
    /// Do not install the systemd user timer (captures then happen when `watch tick` runs).
    #[arg(long)]
    no_service: bool,
    /// More arguments for every `webproof capture`, after `--` (e.g. -- --headless --no-video).
    #[arg(last = true)]
    capture_args: Vec<String>,
}

#[derive(clap::Subcommand)]
enum WatchCmd {
    /// Capture every watch that is due (what the systemd timer runs), or the watches named
    /// now, due or not.
    Tick {
        /// Watches to capture now (their IDs, see `watch list`), whether due or not.
        ids: Vec<String>,
    },
    /// The watches: URL, interval, state, captures, last outcome, next capture.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A watch's history: each capture's package, outcome and what changed.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop a watch: no more captures (its packages and history stay).
    Stop { id: String },
    /// Start a stopped watch again.
    Start { id: String },
    /// The systemd user timer that runs the watches.
    #[command(subcommand)]
    Service(ServiceCmd),
}

#[derive(clap::Subcommand)]
enum ServiceCmd {
    /// Write and enable the timer (every five minutes and after a boot). Captures nobody
    /// attends need the operator's passphrase: it is kept in WEBPROOF_HOME/watches/passphrase,
    /// readable by this user only.
    Install,
    /// Disable and remove the timer and the kept passphrase.
    Remove,
    /// Whether the timer is installed and active.
    Status,
}

pub(crate) fn watch(a: WatchArgs) -> Result<ExitCode> {
    let home = crate::config::home()?;
    let watches = home.join("watches");
    match a.cmd {
        Some(WatchCmd::Tick { ids }) => tick(&watches, &ids),
        Some(WatchCmd::List { json }) => list(&watches, json),
        Some(WatchCmd::History { id, json }) => show_history(&watches, &id, json),
        Some(WatchCmd::Stop { id }) => set_active(&watches, &id, false),
        Some(WatchCmd::Start { id }) => set_active(&watches, &id, true),
        Some(WatchCmd::Service(ServiceCmd::Install)) => service_install(&home, &watches),
        Some(WatchCmd::Service(ServiceCmd::Remove)) => service_remove(&watches),
        Some(WatchCmd::Service(ServiceCmd::Status)) => service_status(),
        None => add(&home, &watches, a),
    }
}

/// `watch URL --every …`: the watch's directory, its first capture, the timer.
fn add(home: &Path, watches: &Path, a: WatchArgs) -> Result<ExitCode> {
    let url = a.url.ok_or_else(|| anyhow!(tr!("cli-watch-usage")))?;
    let every = a.every.ok_or_else(|| anyhow!(tr!("cli-watch-usage")))?;
    let every_secs = history::parse_every(&every)?;
    if let Some(sel) = &a.element
        && !webproof_watch::observe::valid_selector(sel)
    {
        bail!(webproof_watch::WatchError::Selector(sel.clone()));
    }
    crate::batch_cmd::check_capture_args(&a.capture_args)?;
    let id = history::watch_id(&url)?;
    let dir = watches.join(&id);
    if spec_path(&dir).exists() {
        bail!(tr!("cli-watch-exists", url = &url, id = &id));
    }
    std::fs::create_dir_all(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    let spec = Spec {
        id: id.clone(),
        url,
        every,
        every_secs,
        until_gone: a.until_gone,
        element: a.element,
        case: a.case,
        profile: a.profile,
        capture_args: a.capture_args,
        created: Utc::now(),
        active: true,
        ended: None,
    };
    save_spec(&dir, &spec)?;
    println!(
        "{}",
        tr!(
            "cli-watch-added",
            url = &spec.url,
            id = &id,
            every = &spec.every,
            dir = dir.display()
        )
    );
    let code = tick(watches, std::slice::from_ref(&id))?;
    if !a.no_service
        && !service_path(service::TIMER)?.exists()
        && let Err(e) = service_install(home, watches)
    {
        eprintln!(
            "{}",
            tr!("cli-watch-no-service", error = format!("{e:#}"), id = &id)
        );
    }
    Ok(code)
}

fn spec_path(dir: &Path) -> PathBuf {
    dir.join("watch.json")
}

fn load_spec(dir: &Path) -> Result<Spec> {
    let p = spec_path(dir);
    let text = std::fs::read(&p).with_context(|| tr!("ctx-reading", path = p.display()))?;
    serde_json::from_slice(&text).with_context(|| tr!("ctx-reading", path = p.display()))
}

/// Writes `watch.json` whole or not at all.
fn save_spec(dir: &Path, spec: &Spec) -> Result<()> {
    let p = spec_path(dir);
    let mut bytes = serde_json::to_vec_pretty(spec)?;
    bytes.push(b'\n');
    // A new file beside it, renamed over it: a kill leaves the old or the new, never half.
    let tmp = dir.join("watch.json.new");
    let _ = std::fs::remove_file(&tmp);
    webproof_evidence::journal::write_durably(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, &p))
        .with_context(|| tr!("ctx-writing", path = p.display()))
}

fn load_history(dir: &Path) -> Result<Vec<Entry>> {
    let p = dir.join("history.jsonl");
    match std::fs::read_to_string(&p) {
        Ok(t) => Ok(history::parse(&t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| tr!("ctx-reading", path = p.display())),
    }
}

/// Appends a line to `history.jsonl` and syncs it.
fn append_history(dir: &Path, e: &Entry) -> Result<()> {
    crate::batch_cmd::Log::open(&dir.join("history.jsonl"))?.append(e)
}

/// The watch directories under `watches`, by ID.
fn all_ids(watches: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(watches)
        .map(|d| {
            d.flatten()
                .filter(|e| spec_path(&e.path()).is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

fn watch_dir(watches: &Path, id: &str) -> Result<PathBuf> {
    let dir = watches.join(id);
    if id.contains(['/', '\\']) || id.starts_with('.') || !spec_path(&dir).is_file() {
        bail!(tr!("cli-watch-unknown", id = id));
    }
    Ok(dir)
}

/// `watch tick`: captures the watches due now (or those named, due or not). Exit 0 when
/// every capture made ended in a package that could be judged, 4 otherwise. A watch that
/// cannot be read or captured (its `watch.json` damaged, its disk full) is reported and the
/// tick goes on to the others: one broken watch must not stop the captures of the rest.
fn tick(watches: &Path, ids: &[String]) -> Result<ExitCode> {
    let now = Utc::now();
    let chosen: Vec<String> = if ids.is_empty() {
        all_ids(watches)
    } else {
        ids.to_vec()
    };
    // IDs named: captured now, due or not.
    let asked = !ids.is_empty();
    let mut env: Option<Vec<(String, String)>> = None;
    let mut failed = false;
    let mut captured = 0;
    for id in &chosen {
        let captured_now = match due_watch(watches, id, asked, &now) {
            Ok(None) => continue,
            // A watch named by the user that cannot be captured is the user's to fix now.
            Err(e) if asked => return Err(e),
            Err(e) => Err(e),
            Ok(Some(due)) => {
                // Without the operator's passphrase no watch can be captured: the tick stops.
                let env = match &env {
                    Some(e) => e,
                    None => env.insert(capture_env()?),
                };
                capture_due(due, env)
            }
        };
        match captured_now {
            Ok(outcome) => {
                captured += 1;
                failed |= matches!(outcome, Outcome::Failed { .. });
            }
            Err(e) => {
                failed = true;
                say_broken(id, &e);
            }
        }
    }
    if captured == 0 && !asked {
        println!("{}", tr!("cli-watch-none-due"));
    }
    Ok(if failed {
        ExitCode::from(4)
    } else {
        ExitCode::SUCCESS
    })
}

/// Says on stderr that watch `id` could not be read or captured, and why.
fn say_broken(id: &str, e: &anyhow::Error) {
    eprintln!(
        "{}",
        tr!("cli-watch-broken", id = id, error = format!("{e:#}"))
    );
}

/// A watch to capture now, locked against other ticks until it is dropped.
struct Due {
    dir: PathBuf,
    spec: Spec,
    past: Vec<Entry>,
    _lock: std::fs::File,
}

/// The watch `id` if it is to be captured now: due (or `asked` for), active, and not being
/// captured by another tick.
fn due_watch(watches: &Path, id: &str, asked: bool, now: &Utc) -> Result<Option<Due>> {
    let dir = watch_dir(watches, id)?;
    // One capture of a watch at a time: a tick finding it locked leaves it to the other.
    let lock_path = dir.join("watch.lock");
    let lock = std::fs::File::create(&lock_path)
        .with_context(|| tr!("ctx-opening", path = lock_path.display()))?;
    if lock.try_lock().is_err() {
        println!("{}", tr!("cli-watch-busy", id = id));
        return Ok(None);
    }
    let spec = load_spec(&dir)?;
    let past = load_history(&dir)?;
    if asked && !spec.active {
        bail!(tr!("cli-watch-stopped", id = id));
    }
    if !(asked || history::due(&spec, &past, now)) {
        return Ok(None);
    }
    Ok(Some(Due {
        dir,
        spec,
        past,
        _lock: lock,
    }))
}

/// Captures a due watch and records the capture in its history.
fn capture_due(due: Due, env: &[(String, String)]) -> Result<Outcome> {
    // The lock is held until the capture is recorded.
    let Due {
        dir,
        spec,
        past,
        _lock,
    } = due;
    let entry = capture_once(&dir, &spec, &past, env)?;
    println!("{}", said(&spec, &entry));
    append_history(&dir, &entry)?;
    if spec.until_gone && matches!(entry.outcome, Outcome::Gone { .. }) {
        let ended = Spec {
            active: false,
            ended: Some(tr!("cli-watch-ended-gone", n = entry.n)),
            ..spec
        };
        save_spec(&dir, &ended)?;
    }
    Ok(entry.outcome)
}

/// The captures' variables: the operator's passphrase, asked (or read) once per tick.
fn capture_env() -> Result<Vec<(String, String)>> {
    let (pass, _) = crate::identity_cmd::operator_passphrase(&crate::config::home()?)?;
    Ok(vec![("WEBPROOF_PASSPHRASE".to_owned(), pass)])
}

/// One capture of the watch in `dir`, judged against the captures before it.
fn capture_once(
    dir: &Path,
    spec: &Spec,
    past: &[Entry],
    env: &[(String, String)],
) -> Result<Entry> {
    let n = u32::try_from(past.len() + 1)?;
    let at = Utc::now();
    let name = history::package_name(n, &at);
    let package = dir.join(&name);
    let exe = std::env::current_exe().context(tr!("cli-batch-exe"))?;
    let capture = crate::capture_child::Capture {
        exe: &exe,
        url: &spec.url,
        package: &package,
        profile: &spec.profile,
        case: spec.case.as_deref(),
        extra: &spec.capture_args,
        env,
        max_mb: None,
    };
    let mut entry = Entry {
        n,
        at,
        package: None,
        outcome: Outcome::Failed {
            reason: String::new(),
        },
        http_status: None,
        final_url: None,
        title: String::new(),
        changes: None,
        diff: None,
    };
    let ended = match capture.spawn() {
        Ok(child) => crate::capture_child::finish(child)?,
        Err(e) => {
            entry.outcome = Outcome::Failed {
                reason: tr!("cli-batch-spawn", error = e),
            };
            return Ok(entry);
        }
    };
    if !package.is_file() {
        entry.outcome = Outcome::Failed {
            reason: if ended.reason.is_empty() {
                tr!("cli-batch-no-package", status = ended.status)
            } else {
                ended.reason
            },
        };
        return Ok(entry);
    }
    entry.package = Some(name);
    let element = spec.element.as_deref();
    let cur = match observe(&package, element) {
        Ok(o) => o,
        Err(e) => {
            entry.outcome = Outcome::Failed {
                reason: format!("{e:#}"),
            };
            return Ok(entry);
        }
    };
    entry.http_status = cur.status;
    entry.final_url = cur.final_url.clone();
    entry.title = cur.title.clone();
    // The capture before it with a page to compare with, and the first with the page present.
    let before_package = past
        .iter()
        .rev()
        .filter(|e| {
            !matches!(
                e.outcome,
                Outcome::Failed { .. } | Outcome::Unreachable { .. }
            )
        })
        .find_map(|e| e.package.as_ref());
    let first_package = history::first_present(past).and_then(|e| e.package.as_ref());
    let before = before_package.and_then(|p| observe(&dir.join(p), element).ok());
    // Often the same package (a watch's second capture): read once.
    let first = if first_package == before_package {
        before.clone()
    } else {
        first_package.and_then(|p| observe(&dir.join(p), element).ok())
    };
    entry.outcome = if let Some(error) = &cur.load_error {
        Outcome::Unreachable {
            error: error.clone(),
        }
    } else if let Some(g) = webproof_watch::gone(&cur, element, first.as_ref()) {
        Outcome::Gone {
            gone: g,
            last_present: history::last_present(past).and_then(|e| e.package.clone()),
        }
    } else {
        Outcome::Present
    };
    if let Some(prev) = &before {
        let (changes, diff) = webproof_watch::compare(prev, &cur);
        if !diff.is_empty() {
            let file = format!("{n:04}.diff");
            let p = dir.join(&file);
            // Left by a tick killed before its history line: this capture's diff replaces it.
            let _ = std::fs::remove_file(&p);
            webproof_evidence::journal::write_durably(&p, diff.as_bytes())
                .with_context(|| tr!("ctx-writing", path = p.display()))?;
            entry.diff = Some(file);
        }
        entry.changes = Some(changes);
    }
    Ok(entry)
}

fn observe(package: &Path, element: Option<&str>) -> Result<Observation> {
    let src =
        webproof_evidence::package::open(package, &webproof_evidence::package::Limits::default())
            .with_context(|| tr!("ctx-opening", path = package.display()))?;
    webproof_watch::observe(src.as_ref(), element)
        .with_context(|| tr!("ctx-reading", path = package.display()))
}

/// A capture's line for people.
fn said(spec: &Spec, e: &Entry) -> String {
    let package = e.package.as_deref().unwrap_or("-");
    let mut s = match &e.outcome {
        Outcome::Present => tr!(
            "cli-watch-present",
            n = e.n,
            url = &spec.url,
            package = package
        ),
        Outcome::Gone { gone, last_present } => tr!(
            "cli-watch-gone",
            n = e.n,
            url = &spec.url,
            why = gone_said(gone),
            package = package,
            last = last_present.as_deref().unwrap_or("-")
        ),
        Outcome::Unreachable { error } => {
            tr!(
                "cli-watch-unreachable",
                n = e.n,
                url = &spec.url,
                error = error,
                package = package
            )
        }
        Outcome::Failed { reason } => {
            tr!(
                "cli-watch-failed",
                n = e.n,
                url = &spec.url,
                reason = reason
            )
        }
    };
    if let Some(c) = &e.changes {
        s.push_str("\n  ");
        s.push_str(&changes_said(c, e.diff.as_deref()));
    }
    s
}

fn gone_said(g: &webproof_watch::Gone) -> String {
    match g {
        webproof_watch::Gone::Status { status } => tr!("cli-watch-gone-status", status = status),
        webproof_watch::Gone::ElementRemoved { selector } => {
            tr!("cli-watch-gone-element", selector = selector)
        }
        webproof_watch::Gone::RedirectedHome { to } => tr!("cli-watch-gone-home", to = to),
    }
}

fn changes_said(c: &webproof_watch::Changes, diff: Option<&str>) -> String {
    if !c.any() {
        return tr!("cli-watch-unchanged");
    }
    let mut parts = Vec::new();
    if let Some([a, b]) = &c.title {
        parts.push(tr!("cli-watch-changed-title", before = a, after = b));
    }
    if let Some([a, b]) = &c.status {
        let s = |x: &Option<u16>| x.map_or("-".to_owned(), |v| v.to_string());
        parts.push(tr!("cli-watch-changed-status", before = s(a), after = s(b)));
    }
    if c.text_added + c.text_removed > 0 {
        parts.push(tr!(
            "cli-watch-changed-text",
            added = c.text_added,
            removed = c.text_removed,
            diff = diff.unwrap_or("-")
        ));
    }
    if c.screenshot_changed() {
        parts.push(tr!(
            "cli-watch-changed-screenshot",
            bits = c.screenshot_distance.unwrap_or(0)
        ));
    }
    let media = c.media_added.len() + c.media_removed.len() + c.media_changed.len();
    if media > 0 {
        parts.push(tr!(
            "cli-watch-changed-media",
            added = c.media_added.len(),
            removed = c.media_removed.len(),
            changed = c.media_changed.len()
        ));
    }
    parts.join("; ")
}

fn list(watches: &Path, json: bool) -> Result<ExitCode> {
    let mut rows = Vec::new();
    let mut broken = false;
    for id in all_ids(watches) {
        let dir = watches.join(&id);
        let (spec, h) = match load_spec(&dir).and_then(|s| Ok((s, load_history(&dir)?))) {
            Ok(read) => read,
            Err(e) => {
                broken = true;
                say_broken(&id, &e);
                continue;
            }
        };
        let next = if spec.active {
            Some(
                history::next_at(&spec, &h)
                    .and_then(|t| u64::try_from(t).ok())
                    .and_then(Utc::from_unix)
                    .unwrap_or_else(Utc::now)
                    .to_string(),
            )
        } else {
            None
        };
        rows.push(Listed {
            dir: dir.display().to_string(),
            captures: h.len(),
            last: h.last().cloned(),
            next,
            spec,
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(listed_code(broken));
    }
    if rows.is_empty() {
        println!("{}", tr!("cli-watch-list-empty"));
    }
    for r in &rows {
        let state = match (&r.spec.ended, r.spec.active) {
            (Some(why), _) => why.clone(),
            (None, true) => tr!(
                "cli-watch-state-active",
                next = r.next.as_deref().unwrap_or("-")
            ),
            (None, false) => tr!("cli-watch-state-stopped"),
        };
        let last = r
            .last
            .as_ref()
            .map(|e| said(&r.spec, e).lines().next().unwrap_or("").to_owned())
            .unwrap_or_default();
        println!(
            "{}\n  {} · {} · {}\n  {last}",
            r.spec.id,
            r.spec.url,
            tr!(
                "cli-watch-every",
                every = &r.spec.every,
                captures = r.captures
            ),
            state
        );
    }
    Ok(listed_code(broken))
}

/// `watch list` exits 4 when a watch could not be read (it is named on stderr).
fn listed_code(broken: bool) -> ExitCode {
    if broken {
        ExitCode::from(4)
    } else {
        ExitCode::SUCCESS
    }
}

fn show_history(watches: &Path, id: &str, json: bool) -> Result<ExitCode> {
    let dir = watch_dir(watches, id)?;
    let spec = load_spec(&dir)?;
    let h = load_history(&dir)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&h)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} ({})", spec.url, dir.display());
    for e in &h {
        println!("{}  {}", e.at, said(&spec, e));
    }
    Ok(ExitCode::SUCCESS)
}

fn set_active(watches: &Path, id: &str, active: bool) -> Result<ExitCode> {
    let dir = watch_dir(watches, id)?;
    let spec = load_spec(&dir)?;
    save_spec(
        &dir,
        &Spec {
            active,
            ended: None,
            ..spec
        },
    )?;
    println!(
        "{}",
        if active {
            tr!("cli-watch-started", id = id)
        } else {
            tr!("cli-watch-stopped-now", id = id)
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Where systemd looks for this user's units.
fn service_path(name: &str) -> Result<PathBuf> {
    let config = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(c) if !c.is_empty() => PathBuf::from(c),
        _ => PathBuf::from(std::env::var_os("HOME").ok_or_else(|| anyhow!(tr!("cli-no-home")))?)
            .join(".config"),
    };
    Ok(config.join("systemd/user").join(name))
}

/// `systemctl --user ARGS`, its failure said with what it printed.
fn systemctl(args: &[&str]) -> Result<String> {
    let out = std::process::Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .context(tr!("cli-watch-systemctl", args = args.join(" ")))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() {
        bail!(
            "{}: {}",
            tr!("cli-watch-systemctl", args = args.join(" ")),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(text)
}

fn service_install(home: &Path, watches: &Path) -> Result<ExitCode> {
    // The passphrase is checked against the key before it is kept.
    let pass_file = watches.join("passphrase");
    let (pass, _) = crate::identity_cmd::operator_passphrase(home)?;
    std::fs::create_dir_all(watches)
        .with_context(|| tr!("ctx-creating", path = watches.display()))?;
    write_private(&pass_file, pass.as_bytes())?;
    let exe = std::env::current_exe().context(tr!("cli-batch-exe"))?;
    let home = std::fs::canonicalize(home).unwrap_or_else(|_| home.to_path_buf());
    let s = service::Service {
        program: exe.display().to_string(),
        home: home.display().to_string(),
        passphrase_file: Some(pass_file.display().to_string()),
    };
    let (unit, timer) = (
        service_path(service::SERVICE)?,
        service_path(service::TIMER)?,
    );
    if let Some(d) = unit.parent() {
        std::fs::create_dir_all(d).with_context(|| tr!("ctx-creating", path = d.display()))?;
    }
    std::fs::write(&unit, s.service_unit())
        .with_context(|| tr!("ctx-writing", path = unit.display()))?;
    std::fs::write(&timer, s.timer_unit())
        .with_context(|| tr!("ctx-writing", path = timer.display()))?;
    println!(
        "{}",
        tr!(
            "cli-watch-units-written",
            service = unit.display(),
            timer = timer.display()
        )
    );
    systemctl(&["daemon-reload"])?;
    systemctl(&["enable", "--now", service::TIMER])?;
    println!("{}", tr!("cli-watch-service-on"));
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to a file only this user may read, in place of one kept before.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let _ = std::fs::remove_file(path);
    crate::identity_cmd::write_private(path, bytes)
}

fn service_remove(watches: &Path) -> Result<ExitCode> {
    // Disabling fails where there is no user manager; the files go either way.
    let disabled = systemctl(&["disable", "--now", service::TIMER]);
    for name in [service::TIMER, service::SERVICE] {
        let p = service_path(name)?;
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| tr!("ctx-writing", path = p.display())),
        }
    }
    let pass = watches.join("passphrase");
    if pass.exists() {
        std::fs::remove_file(&pass).with_context(|| tr!("ctx-writing", path = pass.display()))?;
    }
    if let Err(e) = disabled.and_then(|_| systemctl(&["daemon-reload"])) {
        eprintln!("{e:#}");
    }
    println!("{}", tr!("cli-watch-service-off"));
    Ok(ExitCode::SUCCESS)
}

fn service_status() -> Result<ExitCode> {
    let timer = service_path(service::TIMER)?;
    if !timer.exists() {
        println!("{}", tr!("cli-watch-service-absent"));
        return Ok(ExitCode::from(1));
    }
    let active = systemctl(&["is-active", service::TIMER]).unwrap_or_else(|e| format!("{e:#}"));
    println!(
        "{}",
        tr!(
            "cli-watch-service-state",
            timer = timer.display(),
            state = active
        )
    );
    Ok(if active == "active" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
