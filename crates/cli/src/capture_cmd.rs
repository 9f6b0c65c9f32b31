//! `webproof capture`: step 0 (the environment), then the browser session — by a capture
//! profile or by the operator's own hands (`--manual`) — with the screen recording and the
//! network archive running, every step journaled as it completes, then seal.

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Map, Value, json};
use webproof_browser::cdp::Hub;
use webproof_browser::manual::{Seen, Watcher};
use webproof_capture::manual::ManualEvent;
use webproof_capture::{Action, Session};
use webproof_engine::events::{EnvFinding, Event};
use webproof_evidence::capture::Capture;
use webproof_evidence::journal::{NewStep, Recovery};
use webproof_evidence::layout;
use webproof_evidence::manifest::Case;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::utc::Utc;

use crate::config::VERSION;
use crate::config::home;
use crate::env_cmd::print_env;
use crate::identity_cmd::load_signers;
use crate::interrupt::{Interrupted, Signal, Stop};
use crate::output::Output;
use crate::seal_cmd::seal_and_package;
use crate::seal_cmd::uuid_like;

#[derive(Args)]
pub struct CaptureArgs {
    /// The page to capture.
    url: String,
    /// Package to write (.wacz).
    #[arg(long, short)]
    out: PathBuf,
    /// Run Chromium headless instead of in webproof's private Xvfb display (the session is
    /// then recorded from the DevTools screencast).
    #[arg(long, conflicts_with = "manual")]
    headless: bool,
    /// You drive the browser: it opens on your screen (DISPLAY, or --display) and every
    /// navigation, click, field edit, download and tab change is recorded as a step until you
    /// type `q` (or close the browser).
    #[arg(long, conflicts_with = "profile")]
    manual: bool,
    /// X display for the browser in manual mode (default: $DISPLAY).
    #[arg(long)]
    display: Option<String>,
    /// Case or matter identifier (recorded in the seal step and the manifest).
    #[arg(long)]
    case: Option<String>,
    /// A note recorded as a `note` step and in the manifest.
    #[arg(long)]
    note: Option<String>,
    /// WEBPROOF_HOME of a supervising notary, who countersigns (passphrase from WEBPROOF_NOTARY_PASSPHRASE).
    #[arg(long)]
    notary_home: Option<PathBuf>,
    /// Capture profile: a shipped name (`webproof profiles list`) or a .toml file. Default: the
    /// profile whose URL patterns match, else `generic`.
    #[arg(long)]
    profile: Option<String>,
    /// Capture even though the environment check fails; the reason is recorded in step 0.
    #[arg(long, value_name = "REASON")]
    override_env: Option<String>,
    /// A DNS server (IP or IP:PORT) to ask for the target host in step 0 besides the system
    /// resolver. Repeatable.
    #[arg(long = "resolver", value_name = "IP[:PORT]", value_parser = crate::env_cmd::parse_resolver)]
    resolvers: Vec<std::net::SocketAddr>,
    /// Screen-recording segment length in seconds.
    #[arg(long, default_value_t = 60)]
    segment_secs: u32,
    /// Do not record the screen.
    #[arg(long)]
    no_video: bool,
    /// The Chromium to capture with.
    #[arg(long, default_value = "/usr/bin/chromium")]
    chromium: PathBuf,
    /// The chromedriver that drives it.
    #[arg(long, default_value = "/usr/bin/chromedriver")]
    chromedriver: PathBuf,
    /// Keep the capture directory after the package is written.
    #[arg(long)]
    keep_work: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// JSON lines on stdout as things happen (steps, trusted-time and log status, sealing
    /// phases, the result), for the desktop app; see docs/app-events.md. With --manual, the
    /// commands `s`, `n TEXT` and `q` are read from stdin as in the terminal.
    #[arg(long, conflicts_with = "json")]
    events: bool,
    #[command(flatten)]
    tsa: crate::stamping::TsaArgs,
    #[command(flatten)]
    log: crate::depositing::LogArgs,
    #[command(flatten)]
    report: crate::report_cmd::ReportOpts,
    /// Time-stamp the chain head after this many steps (besides at the start and at seal).
    #[arg(long, default_value_t = 25)]
    stamp_every: u64,
    /// …or after this many seconds, whichever comes first.
    #[arg(long, default_value_t = 60)]
    stamp_secs: u64,
}

/// Progress on the terminal: a spinner with the elapsed time and the last step when stderr
/// is a terminal, plain lines otherwise (logs, tests).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    output: Output,
}

impl Progress {
    fn new(output: Output) -> Self {
        let bar = (output != Output::Events
            && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(std::time::Duration::from_millis(200));
            b
        });
        Progress { bar, output }
    }

    /// What trusted time and the log say, line by line.
    fn note(&self, n: &webproof_engine::Note<'_>) {
        for l in crate::stamping::said(n) {
            self.line(&l);
        }
    }

    fn line(&self, text: &str) {
        if self.output == Output::Events {
            self.output.line(text);
            return;
        }
        match &self.bar {
            Some(b) => {
                b.println(text);
                b.set_message(text.trim().to_owned());
            }
            None => eprintln!("{text}"),
        }
    }

    /// A journaled step, said in `text`.
    fn step_as(&self, r: &StepRecord, text: &str) {
        self.output.step(r);
        self.line(text);
    }

    fn step(&self, r: &StepRecord) {
        self.output.step(r);
        let text = tr!(
            "cli-step",
            seq = r.seq,
            kind = crate::say::t(&format!("step-kind-{}", r.kind.as_str())),
            url = r.url.as_deref().unwrap_or(""),
            count = r.artifacts.len(),
        );
        self.line(&format!("  {text}"));
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

pub fn capture(a: CaptureArgs) -> Result<ExitCode> {
    let output = Output::new(a.json, a.events);
    let r = run(a);
    if let Err(e) = &r {
        output.emit(&Event::Error {
            message: crate::say::error_text(e),
            detail: format!("{e:#}"),
        });
    }
    r
}

fn run(a: CaptureArgs) -> Result<ExitCode> {
    // Every option first, before the operator is asked for anything.
    check_target(&a.url)?;
    if a.segment_secs == 0 {
        bail!(tr!("cli-bad-segment"));
    }
    crate::seal_cmd::program(&a.chromium, "--chromium")?;
    crate::seal_cmd::program(&a.chromedriver, "--chromedriver")?;
    crate::seal_cmd::preflight(
        &a.out,
        &a.tsa,
        &a.log,
        &a.report,
        (&a.chromium, &a.chromedriver),
    )?;
    let manual_display = if a.manual {
        match a.display.clone().or_else(|| std::env::var("DISPLAY").ok()) {
            Some(d) if !d.is_empty() => Some(d),
            _ => bail!(tr!("cli-manual-no-display")),
        }
    } else {
        None
    };
    let (actions, profile, asked) = if a.manual {
        (vec![Action::Navigate(a.url.clone())], None, Vec::new())
    } else {
        let name = a
            .profile
            .clone()
            .unwrap_or_else(|| webproof_capture::profile::suggest(&a.url).to_owned());
        let profile = webproof_capture::profile::Profile::load(&name)?;
        let (actions, asked) = resolve_asks(profile.actions(&a.url))?;
        (actions, Some(profile), asked)
    };
    let signers = load_signers(a.notary_home.as_deref())?;
    let output = Output::new(a.json, a.events);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context(tr!("ctx-runtime"))?;
    let stop = Stop::install(&rt, output)?;
    let dir = home()?
        .join("captures")
        .join(format!("capture-{}", uuid_like()));
    let cat = crate::say::shared()?;
    let progress = Progress::new(output);
    match &profile {
        Some(p) => progress.line(&tr!(
            "cli-profile",
            name = p.name,
            description = cat.profile_description(&p.name, &p.description),
        )),
        None => progress.line(&tr!("cli-manual")),
    }
    let mut cap =
        Capture::create(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    stop.resumable(&dir, &a.out);
    progress.line(&tr!("cli-capture-dir", path = dir.display()));
    let mut opts = webproof_browser::LaunchOptions {
        chromium: a.chromium.clone(),
        chromedriver: a.chromedriver.clone(),
        headless: a.headless,
        display: manual_display,
        ..Default::default()
    };
    if let Some(v) = profile.as_ref().and_then(|p| p.viewport) {
        opts.width = v.width;
        opts.height = v.height;
    }
    let case = Case {
        id: a.case.clone(),
        note: a.note.clone(),
    };
    let depositor = crate::depositing::depositor(
        &a.log,
        cap.id(),
        &signers.operator.0,
        a.case.as_deref(),
        rt.handle(),
    )?;
    let seen = depositor
        .as_ref()
        .and_then(|d| d.latest_checkpoint(&|n| progress.note(&n)));
    let mut stamper = crate::stamping::stamper(&a.tsa, depositor, rt.handle().clone())?;
    let clock = crate::stamping::clock_probe(&a.tsa.urls(), &rt);
    let env_ok = match environment_step(&mut cap, &a, &progress, clock, seen.as_deref())? {
        Step0::Go => true,
        Step0::Refused => false,
        Step0::Unreachable(why) => {
            // Nothing of the page can be captured: no package, and no directory to resume.
            progress.done();
            drop(cap);
            std::fs::remove_dir_all(&dir)
                .with_context(|| tr!("ctx-removing", path = dir.display()))?;
            bail!(tr!("cli-target-unusable", why = why));
        }
    };
    // Session start: the environment report is stamped before the browser opens.
    if let (Some(st), Some(head)) = (stamper.as_mut(), cap.head()) {
        st.start(0, &head)?;
    }
    let seal = |cap: Capture, st: Option<&mut crate::stamping::Stamper>| {
        seal_and_package(
            cap,
            &signers,
            case.clone(),
            &a.out,
            a.keep_work,
            output,
            st,
            Some(crate::report_cmd::ReportPlan {
                opts: &a.report,
                chromium: &a.chromium,
                chromedriver: &a.chromedriver,
            }),
        )
    };
    if let Some(sig) = stop.requested() {
        progress.done();
        let r = cap.record_interruption(
            &format!("{}; the browser was not started", sig.reason()),
            &Recovery { torn_tail: None },
        )?;
        output.step(&r);
        let _ = seal(cap, stamper.as_mut())?;
        return Ok(interrupted(sig, &a.out));
    }
    if !env_ok {
        progress.done();
        let r = cap.record_interruption(
            "the environment check failed and the operator did not override it; the browser was not started",
            &Recovery { torn_tail: None },
        )?;
        output.step(&r);
        let _ = seal(cap, stamper.as_mut())?;
        bail!(tr!("cli-environment-failed", path = a.out.display()));
    }
    let mut actions = actions;
    if let Some(n) = &a.note {
        actions.push(Action::Note(n.clone()));
    }
    let outcome = rt.block_on(browser_session(
        &mut cap,
        &a,
        &opts,
        Script {
            actions: &actions,
            asked: &asked,
        },
        &progress,
        stamper.as_mut(),
        &stop,
    ));
    progress.done();
    match outcome {
        Ok(()) => Ok(seal(cap, stamper.as_mut())?.exit()),
        Err(reason) => {
            // Keep what was captured: record why it stopped, and seal.
            let signal = reason.downcast_ref::<Interrupted>().map(|i| i.0);
            let say_error = crate::say::error_text(&reason);
            let recorded = match signal {
                Some(sig) => sig.reason().to_owned(),
                None => format!("capture stopped: {reason:#}"),
            };
            let r = cap.record_interruption(&recorded, &Recovery { torn_tail: None })?;
            output.step(&r);
            let _ = seal(cap, stamper.as_mut())?;
            if let Some(sig) = signal {
                return Ok(interrupted(sig, &a.out));
            }
            bail!(tr!(
                "cli-capture-stopped",
                reason = say_error,
                path = a.out.display()
            ))
        }
    }
}

/// The page to capture must be an absolute http(s) URL with a host.
fn check_target(url: &str) -> Result<()> {
    crate::stamping::parse_http_url(url)
        .map(drop)
        .map_err(|why| anyhow::anyhow!(tr!("cli-bad-target", value = url, why = why)))
}

/// Says that the capture was interrupted and its package written; the exit code is the
/// shell's for the signal.
fn interrupted(sig: Signal, out: &Path) -> ExitCode {
    eprintln!(
        "{}",
        tr!(
            "cli-capture-interrupted",
            signal = sig.name(),
            path = out.display()
        )
    );
    ExitCode::from(sig.exit_code())
}

/// What step 0 decided.
enum Step0 {
    /// Capture (the environment is clean, or the operator overrode what failed).
    Go,
    /// The environment failed and the operator did not override it.
    Refused,
    /// The target cannot be captured from here (its host does not resolve, or nothing
    /// accepts connections): why, in the operator's language.
    Unreachable(String),
}

/// Step 0: the environment report, journaled.
fn environment_step(
    cap: &mut Capture,
    a: &CaptureArgs,
    progress: &Progress,
    clock: Option<crate::stamping::ClockProbe>,
    log_checkpoint: Option<&str>,
) -> Result<Step0> {
    use webproof_capture::environment::{self, Grade};
    let started = Utc::now();
    let report = environment::collect(&environment::Probe {
        target_url: Some(a.url.clone()),
        chromium: a.chromium.clone(),
        chromedriver: a.chromedriver.clone(),
        webproof_version: VERSION.into(),
        resolvers: a.resolvers.clone(),
        trusted_time: clock.as_ref().map(|(t, _)| t.clone()),
    });
    let cat = crate::say::shared()?;
    if progress.output != Output::Events {
        print_env(&report, &cat);
    }
    progress.output.emit(&Event::Environment {
        worst: report.worst(),
        findings: report
            .findings
            .iter()
            .map(|f| EnvFinding::new(f, crate::env_cmd::finding_text(&cat, f)))
            .collect(),
    });
    let worst = report.worst();
    let mut params = Map::new();
    params.insert("worst".into(), worst.as_str().into());
    params.insert(
        "findings".into(),
        json!(
            report
                .findings
                .iter()
                .map(|f| json!({"id": f.id, "grade": f.grade, "summary": f.summary}))
                .collect::<Vec<_>>()
        ),
    );
    if worst == Grade::Fail {
        params.insert("override".into(), json!(a.override_env));
    }
    let bytes = serde_json::to_vec_pretty(&report)?;
    let mut files: Vec<(&str, &str, &[u8])> =
        vec![("environment.json", "application/json", &bytes)];
    // The TSA's answer to the clock probe: anyone can check the genTime the finding cites.
    if let Some((_, Some(tsr))) = &clock {
        files.push(("clock-check.tsr", "application/timestamp-reply", tsr));
    }
    // The evidence log's latest witnessed checkpoint: the session began after it existed.
    if let Some(note) = log_checkpoint {
        files.push(("log-checkpoint.txt", "text/plain", note.as_bytes()));
        params.insert(
            "log_checkpoint".into(),
            json!(note.lines().take(3).collect::<Vec<_>>()),
        );
    }
    let r = cap.add_step(
        StepKind::Environment,
        started,
        Some(a.url.clone()),
        params,
        &files,
    )?;
    let text = tr!(
        "cli-step-environment",
        seq = r.seq,
        grade = crate::say::grade_word(worst.as_str()),
    );
    progress.step_as(&r, &format!("  {text}"));
    if let Some(f) = report.target_unusable() {
        return Ok(Step0::Unreachable(crate::env_cmd::finding_text(&cat, f)));
    }
    Ok(if worst != Grade::Fail || a.override_env.is_some() {
        Step0::Go
    } else {
        Step0::Refused
    })
}

/// What records the screen: x11grab of the browser's display, or the DevTools screencast.
struct Recorder {
    recording: webproof_recorder::Recording,
    forward: Option<tokio::task::JoinHandle<()>>,
}

async fn start_recorder(
    a: &CaptureArgs,
    browser: &webproof_browser::Chromium,
    hub: Option<&Hub>,
    video_dir: &Path,
    opts: &webproof_browser::LaunchOptions,
) -> Result<Option<Recorder>> {
    if a.no_video {
        return Ok(None);
    }
    if let Some(display) = browser.display() {
        let mut ro = webproof_recorder::RecorderOptions::new(display, video_dir);
        ro.segment_secs = a.segment_secs;
        ro.width = opts.width;
        ro.height = opts.height;
        let recording = webproof_recorder::Recording::start(ro).context(tr!("ctx-recording"))?;
        return Ok(Some(Recorder {
            recording,
            forward: None,
        }));
    }
    let Some(hub) = hub else {
        return Ok(None);
    };
    let page = hub.pages().into_iter().next().context(tr!("cli-no-tab"))?;
    let mut ro = webproof_recorder::RecorderOptions::new("screencast", video_dir);
    ro.segment_secs = a.segment_secs;
    ro.width = opts.width;
    ro.height = opts.height;
    ro.fps = 25;
    let (recording, feed) =
        webproof_recorder::Recording::start_frames(ro).context(tr!("ctx-screencast"))?;
    let mut pictures =
        webproof_browser::screencast::start(hub, &page.session, opts.width, opts.height).await?;
    let forward = tokio::spawn(async move {
        while let Some(p) = pictures.recv().await {
            if !feed.send(p) {
                break;
            }
        }
    });
    Ok(Some(Recorder {
        recording,
        forward: Some(forward),
    }))
}

/// Collects arrived tokens and starts a checkpoint when enough steps or time have passed.
fn checkpoint(
    cap: &Capture,
    stamper: &mut Option<&mut crate::stamping::Stamper>,
    a: &CaptureArgs,
    progress: &Progress,
) -> Result<()> {
    let Some(st) = stamper.as_deref_mut() else {
        return Ok(());
    };
    st.collect(cap, &|n| progress.note(&n))
        .map_err(crate::stamping::anchor_error)?;
    progress.output.emit(&Event::Trust(st.status()));
    let seq = cap.records().len() as u64 - 1;
    let (last, ago) = st.last_sent();
    let since = seq.saturating_sub(last.unwrap_or(0));
    if since > 0
        && (since >= a.stamp_every.max(1)
            || ago >= std::time::Duration::from_secs(a.stamp_secs.max(1)))
        && let Some(head) = cap.head()
    {
        st.start(seq, &head)
            .map_err(crate::stamping::anchor_error)?;
    }
    Ok(())
}

/// What a capture runs in the browser: the profile's actions, and the values the operator
/// typed for its `{{ask:…}}` placeholders (kept out of the archive).
struct Script<'a> {
    actions: &'a [Action],
    asked: &'a [String],
}

async fn browser_session(
    cap: &mut Capture,
    a: &CaptureArgs,
    opts: &webproof_browser::LaunchOptions,
    Script { actions, asked }: Script<'_>,
    progress: &Progress,
    mut stamper: Option<&mut crate::stamping::Stamper>,
    stop: &Stop,
) -> Result<()> {
    let mut browser = tokio::select! {
        b = webproof_browser::Chromium::launch(opts) => b?,
        sig = stop.wait() => return Err(Interrupted(sig).into()),
    };
    let hub = match browser.debugger_address() {
        Some(addr) => Some(Hub::connect(&addr).await?),
        None => {
            progress.line(&format!("  {}", tr!("cli-no-devtools")));
            None
        }
    };
    let network = match &hub {
        Some(hub) => {
            std::fs::create_dir_all(cap.dir().join("archive"))?;
            let info = webproof_evidence::wacz::warcinfo(
                cap.id(),
                a.case.as_deref(),
                &Utc::now(),
                &format!("webproof {VERSION}"),
            );
            // Values typed from {{ask:…}} placeholders (and credential headers) never reach
            // the archive: what was redacted is recorded there instead.
            let redactor = webproof_evidence::warc::Redactor::new(asked.iter().map(String::as_str));
            let n = webproof_browser::network::start(
                hub,
                &cap.dir().join(layout::WARC),
                info,
                redactor,
            )
            .await?;
            hub.attach(vec![]).await?;
            Some(n)
        }
        None => None,
    };
    let video_dir = cap.dir().join(layout::VIDEO_DIR);
    let mut recorder = start_recorder(a, &browser, hub.as_ref(), &video_dir, opts).await?;
    let result: Result<()> = async {
        let r = Session::new(cap).record_browser(&browser)?;
        progress.step(&r);
        for action in actions {
            let mut session = Session::new(cap);
            let done = tokio::select! {
                r = session.run(&mut browser, action) => r,
                sig = stop.wait() => return Err(Interrupted(sig).into()),
            };
            let r = match done {
                Ok(r) => r,
                Err(e) => return Err(failed_step(&mut browser, cap, action.name(), e).await),
            };
            progress.step(&r);
            archive_downloads(network.as_ref(), cap, &r);
            checkpoint(cap, &mut stamper, a, progress)?;
            if let Some(rec) = &recorder {
                journal_segments(cap, rec.recording.closed_segments(), opts, progress)?;
            }
        }
        if a.manual {
            let hub = hub.as_ref().context(tr!("cli-manual-no-devtools"))?;
            let mut edges = Edges {
                recorder: recorder.as_ref(),
                network: network.as_ref(),
                stamper: stamper.as_deref_mut(),
                a,
                opts,
                progress,
                stop,
            };
            manual_session(cap, hub, &mut browser, &mut edges).await?;
        }
        Ok(())
    }
    .await;
    if let Some(n) = network {
        match n.stop().await {
            Ok(summary) => journal_network(cap, summary, progress)?,
            Err(e) => progress.line(&format!(
                "  {}",
                tr!("cli-network-error", error = crate::say::cause(&e))
            )),
        }
    }
    if let Some(rec) = recorder.take() {
        if let Some(f) = rec.forward {
            f.abort();
        }
        match rec.recording.stop() {
            Ok((segs, stats)) => {
                journal_segments(cap, segs, opts, progress)?;
                write_subtitles(cap, progress)?;
                let text = tr!(
                    "cli-recorded",
                    frames = stats.frames,
                    seconds = format!("{:.1}", stats.seconds),
                    fps = format!("{:.1}", stats.fps()),
                    dropped = stats.dropped,
                    segments = stats.segments,
                );
                progress.line(&format!("  {text}"));
            }
            Err(e) => progress.line(&format!(
                "  {}",
                tr!("cli-recording-error", error = crate::say::cause(&e))
            )),
        }
    }
    let _ = browser.close().await;
    result
}

/// What a manual session feeds besides the journal.
struct Edges<'e> {
    recorder: Option<&'e Recorder>,
    network: Option<&'e webproof_browser::network::NetworkArchive>,
    stamper: Option<&'e mut crate::stamping::Stamper>,
    a: &'e CaptureArgs,
    opts: &'e webproof_browser::LaunchOptions,
    progress: &'e Progress,
    stop: &'e Stop,
}

/// The error of a step that failed: in plain words when the browser is gone (closed, crashed
/// or killed), since a WebDriver error then only says that a connection broke.
async fn failed_step(
    browser: &mut webproof_browser::Chromium,
    cap: &Capture,
    action: &str,
    e: webproof_capture::SessionError,
) -> anyhow::Error {
    if !matches!(e, webproof_capture::SessionError::Browser(_)) || browser.alive().await {
        return e.into();
    }
    anyhow::Error::new(BrowserGone {
        step: cap.records().len() as u64,
        action: action.to_owned(),
        detail: crate::say::cause(&e),
    })
}

/// The browser closed, crashed or was killed during a step.
#[derive(Debug)]
struct BrowserGone {
    step: u64,
    action: String,
    detail: String,
}

impl std::fmt::Display for BrowserGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the browser closed or crashed during step {} ({}); the steps before it are kept (the browser driver said: {})",
            self.step, self.action, self.detail
        )
    }
}

impl std::error::Error for BrowserGone {}

async fn manual_session(
    cap: &mut Capture,
    hub: &Hub,
    browser: &mut webproof_browser::Chromium,
    edges: &mut Edges<'_>,
) -> Result<()> {
    let (recorder, network, a, opts, progress) = (
        edges.recorder,
        edges.network,
        edges.a,
        edges.opts,
        edges.progress,
    );
    let downloads = cap
        .dir()
        .with_extension("downloads")
        .to_string_lossy()
        .into_owned();
    let mut watcher = Watcher::start(hub, Path::new(&downloads)).await?;
    let (line_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<Option<String>>();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = line_tx.send(None);
                    break;
                }
                Ok(_) => {
                    if line_tx
                        .send(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    if progress.output != Output::Events {
        progress.line(&tr!("cli-manual-help"));
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let end = loop {
        tokio::select! {
            seen = watcher.next() => match seen {
                Seen::BrowserGone => break "the browser was closed",
                Seen::Action(ev, tab) => {
                    let started = Utc::now();
                    let shot = if ev.wants_screenshot() {
                        // Let the page paint what the action did.
                        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                        match watcher.screenshot(tab.as_deref()).await {
                            Ok(png) => Some(png),
                            Err(e) => {
                                progress.line(&format!(
                                    "  {}",
                                    tr!("cli-no-screenshot", error = e)
                                ));
                                None
                            }
                        }
                    } else {
                        None
                    };
                    let closed = matches!(ev, ManualEvent::TabClosed { .. });
                    let r = webproof_capture::manual::record(cap, ev, started, shot.as_deref())?;
                    progress.step(&r);
                    archive_downloads(network, cap, &r);
                    if closed && watcher.open_tabs() == 0 {
                        break "the operator closed the last tab";
                    }
                }
            },
            line = lines.recv() => match line.flatten().as_deref().map(str::trim) {
                None => break "the terminal closed (end of input)",
                Some("q") | Some("quit") | Some("end") => break "the operator ended the session",
                Some("s") => {
                    if let Some(tab) = watcher.active_tab().map(str::to_owned) {
                        browser.focus_tab(&tab).await?;
                    }
                    for action in [Action::Screenshot, Action::Snapshot] {
                        let r = Session::new(cap).run(browser, &action).await?;
                        progress.step(&r);
                    }
                }
                Some(l) if l.starts_with("n ") => {
                    let r = cap.add_note(l[2..].trim())?;
                    progress.step(&r);
                }
                Some("") => {}
                Some(_) => progress.line(&tr!("cli-manual-help")),
            },
            sig = edges.stop.wait() => return Err(Interrupted(sig).into()),
            _ = tick.tick() => {}
        }
        if let Some(rec) = recorder {
            journal_segments(cap, rec.recording.closed_segments(), opts, progress)?;
        }
        let mut st = edges.stamper.as_deref_mut();
        checkpoint(cap, &mut st, a, progress)?;
    };
    let mut params = Map::new();
    params.insert(
        "text".into(),
        Value::String(format!("manual session ended: {end}")),
    );
    // Browser events past the watcher's bound were dropped: the evidence says how many.
    let dropped = watcher.dropped();
    if dropped > 0 {
        params.insert("dropped_browser_events".into(), Value::from(dropped));
    }
    let r = cap.append(NewStep::instant(StepKind::Note, params))?.0;
    progress.step(&r);
    let _ = std::fs::remove_dir(&downloads);
    Ok(())
}

/// Hands the files of a `download` step to the network archive, which pairs them with the
/// responses the browser reported without a body (or keeps them as `resource` records).
fn archive_downloads(
    network: Option<&webproof_browser::network::NetworkArchive>,
    cap: &Capture,
    r: &StepRecord,
) {
    let Some(n) = network.filter(|_| r.kind == StepKind::Download) else {
        return;
    };
    // Profile downloads list their URLs in `files` (failures have no file); an operator's
    // download is the step's URL.
    let urls: Vec<&str> = match r.params.get("files").and_then(Value::as_array) {
        Some(files) => files
            .iter()
            .filter(|f| f.get("file").is_some())
            .filter_map(|f| f["url"].as_str())
            .collect(),
        None => r.url.as_deref().into_iter().collect(),
    };
    for (url, a) in urls.iter().zip(&r.artifacts) {
        n.archive_download(url, &cap.dir().join(&a.path));
    }
}

fn journal_segments(
    cap: &mut Capture,
    segs: Vec<webproof_recorder::Segment>,
    opts: &webproof_browser::LaunchOptions,
    progress: &Progress,
) -> Result<()> {
    for seg in segs {
        let rel = format!(
            "{}/{}",
            layout::VIDEO_DIR,
            seg.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let mut params = Map::new();
        params.insert("segment".into(), seg.index.into());
        params.insert("frames".into(), seg.frames.into());
        params.insert("codec".into(), "h264".into());
        params.insert("size".into(), json!([opts.width, opts.height]));
        params.insert(
            "source".into(),
            if opts.headless {
                "DevTools screencast"
            } else {
                "x11grab"
            }
            .into(),
        );
        let step = NewStep {
            kind: StepKind::VideoSegment,
            started: Utc::from_offset(seg.started.into()),
            ended: Utc::from_offset(seg.ended.into()),
            url: None,
            params,
            artifacts: vec![],
        };
        let r = cap
            .add_step_for_files(step, &[(rel.as_str(), "video/mp4")])
            .with_context(|| tr!("ctx-journaling", path = seg.path.display()))?;
        let text = tr!(
            "cli-step-video",
            seq = r.seq,
            path = rel,
            frames = seg.frames,
        );
        progress.step_as(&r, &format!("  {text}"));
    }
    Ok(())
}

/// Writes `video/steps.vtt` (the step timeline as WebVTT, timed from the first video segment)
/// and journals it as a `note` step.
fn write_subtitles(cap: &mut Capture, progress: &Progress) -> Result<()> {
    let records = cap.records().to_vec();
    let Some(start) = records
        .iter()
        .filter(|r| r.kind == StepKind::VideoSegment)
        .map(|r| r.started)
        .min()
    else {
        return Ok(());
    };
    let end = records
        .iter()
        .filter(|r| r.kind == StepKind::VideoSegment)
        .map(|r| r.ended)
        .max()
        .unwrap_or(start);
    let mut steps = Vec::with_capacity(records.len());
    for r in records {
        let d = r.digests().context(tr!("ctx-hashing-record"))?;
        steps.push((r, d));
    }
    let vtt = webproof_capture::vtt::timeline(&start, &end, &steps);
    let rel = format!("{}/steps.vtt", layout::VIDEO_DIR);
    webproof_evidence::package::write_file(&cap.dir().join(&rel), vtt.as_bytes())?;
    let mut params = Map::new();
    params.insert(
        "text".into(),
        "subtitle track of the step timeline for the screen recording".into(),
    );
    let step = NewStep::instant(StepKind::Note, params);
    let r = cap.add_step_for_files(step, &[(rel.as_str(), "text/vtt")])?;
    let text = tr!("cli-step-subtitles", seq = r.seq, path = rel);
    progress.step_as(&r, &format!("  {text}"));
    Ok(())
}

/// Writes the CDXJ index and the WACZ page list for the archived traffic, then journals the
/// WARC, index and pages as one `network-archive` step.
fn journal_network(
    cap: &mut Capture,
    summary: webproof_browser::network::NetworkSummary,
    progress: &Progress,
) -> Result<()> {
    let mut lines: Vec<String> = summary
        .index
        .iter()
        .map(|e| format!("{} {} {}", e.surt, e.timestamp, e.json))
        .collect();
    lines.sort();
    let mut cdx = lines.join("\n");
    if !cdx.is_empty() {
        cdx.push('\n');
    }
    webproof_evidence::package::write_file(&cap.dir().join(layout::CDX), cdx.as_bytes())?;
    let mut pages = String::from(webproof_evidence::wacz::PAGES_HEADER);
    for r in cap
        .records()
        .iter()
        .filter(|r| r.kind == StepKind::Navigate)
    {
        let title = r.params.get("title").cloned().unwrap_or_default();
        pages.push_str(&json!({"id": format!("step-{}", r.seq), "url": r.url, "ts": r.ended.to_string(), "title": title}).to_string());
        pages.push('\n');
    }
    webproof_evidence::package::write_file(&cap.dir().join(layout::PAGES), pages.as_bytes())?;
    let mut params = Map::new();
    params.insert("responses".into(), summary.responses.into());
    params.insert("failed_requests".into(), summary.failures.into());
    params.insert("body_bytes".into(), summary.bytes.into());
    params.insert(
        "source".into(),
        "Chrome DevTools Protocol (Network domain, every tab and frame)".into(),
    );
    let step = NewStep::instant(StepKind::NetworkArchive, params);
    let r = cap.add_step_for_files(
        step,
        &[
            (layout::WARC, "application/warc"),
            (layout::CDX, "application/cdxj"),
            (layout::PAGES, "application/x-ndjson"),
        ],
    )?;
    let text = tr!(
        "cli-step-network",
        seq = r.seq,
        responses = summary.responses,
        failed = summary.failures,
    );
    progress.step_as(&r, &format!("  {text}"));
    Ok(())
}

/// Replaces `{{ask:NAME}}` in typed text with WEBPROOF_ASK_NAME, or asks on the terminal;
/// returns the actions and the values asked. The values live only in memory for the session;
/// secrets are masked in the record, and every asked value is redacted from the network
/// archive.
fn resolve_asks(actions: Vec<Action>) -> Result<(Vec<Action>, Vec<String>)> {
    let mut asked = Vec::new();
    let actions = actions
        .into_iter()
        .map(|a| match a {
            Action::Type {
                selector,
                text,
                secret,
            } => {
                let text = match webproof_capture::profile::ask_placeholder(&text) {
                    Some(name) => {
                        let var = format!("WEBPROOF_ASK_{}", name.to_ascii_uppercase());
                        let value = match std::env::var(&var) {
                            Ok(v) => v,
                            Err(_) if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
                                let prompt = format!(
                                    "{} ",
                                    tr!("cli-ask", name = name, selector = selector)
                                );
                                if secret {
                                    rpassword::prompt_password(prompt)?
                                } else {
                                    eprint!("{prompt}");
                                    let mut line = String::new();
                                    std::io::stdin().read_line(&mut line)?;
                                    line.trim_end_matches(['\r', '\n']).to_owned()
                                }
                            }
                            Err(_) => bail!(tr!("cli-ask-no-terminal", name = name, var = var)),
                        };
                        asked.push(value.clone());
                        value
                    }
                    None => text,
                };
                Ok(Action::Type {
                    selector,
                    text,
                    secret,
                })
            }
            other => Ok(other),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((actions, asked))
}
