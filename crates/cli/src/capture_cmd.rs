//! `webproof capture`: step 0 (the environment), then the browser session — by a capture
//! profile or by the operator's own hands (`--manual`) — with the screen recording and the
//! network archive running, every step journaled as it completes, then seal.

use crate::say::tr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use webproof_capture::Action;
use webproof_engine::capture::{Cadence, Command, Ending, Failure, Plan, Recorded, RunError};
use webproof_engine::events::{EnvFinding, Event};
use webproof_engine::seal::Observer;
use webproof_evidence::capture::Capture;
use webproof_evidence::layout;
use webproof_evidence::manifest::Case;
use webproof_evidence::record::{StepKind, StepRecord};

pub use crate::capture_args::CaptureArgs;
use crate::config::VERSION;
use crate::config::home;
use crate::identity_cmd::load_signers;
use crate::interrupt::{Signal, Stop};
use crate::output::Output;
use crate::seal_cmd::seal_and_package;
use crate::seal_cmd::uuid_like;

/// Progress on the terminal: a spinner with the elapsed time and the last step when stderr
/// is a terminal, plain lines otherwise (logs, tests); with `--events`, the engine's events.
#[derive(Clone)]
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

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn event(&self, event: Event) {
        self.output.emit(&event);
    }

    /// Step 0's findings are the `environment` event with `--events`, lines otherwise; the
    /// rest is said line by line.
    fn note(&self, n: webproof_engine::Note<'_>) {
        if let webproof_engine::Note::Environment { report } = n
            && self.output == Output::Events
        {
            if let Ok(cat) = crate::say::shared() {
                self.output.emit(&Event::Environment {
                    worst: report.worst(),
                    findings: report
                        .findings
                        .iter()
                        .map(|f| EnvFinding::new(f, crate::env_cmd::finding_text(&cat, f)))
                        .collect(),
                });
            }
            return;
        }
        for l in crate::stamping::said(&n) {
            self.line(&l);
        }
    }

    fn step(&self, r: &StepRecord) {
        self.output.step(r);
        self.line(&format!("  {}", step_text(r)));
    }
}

/// A journaled step as the progress lines say it.
fn step_text(r: &StepRecord) -> String {
    let param = |name: &str| r.params.get(name).cloned().unwrap_or(Value::Null);
    let file = || r.artifacts.first().map_or("", |a| a.path.as_str());
    match r.kind {
        StepKind::Environment => tr!(
            "cli-step-environment",
            seq = r.seq,
            grade = crate::say::grade_word(param("worst").as_str().unwrap_or("")),
        ),
        StepKind::VideoSegment => tr!(
            "cli-step-video",
            seq = r.seq,
            path = file(),
            frames = param("frames"),
        ),
        StepKind::NetworkArchive => tr!(
            "cli-step-network",
            seq = r.seq,
            responses = param("responses"),
            failed = param("failed_requests"),
        ),
        StepKind::Note if r.artifacts.iter().any(|a| a.path == layout::SUBTITLES) => {
            tr!("cli-step-subtitles", seq = r.seq, path = file())
        }
        _ => tr!(
            "cli-step",
            seq = r.seq,
            kind = crate::say::t(&format!("step-kind-{}", r.kind.as_str())),
            url = r.url.as_deref().unwrap_or(""),
            count = r.artifacts.len(),
        ),
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

/// What a capture runs: the profile (none for a manual session), its actions and the values
/// asked for its placeholders, and the display of a manual session.
struct Script {
    profile: Option<webproof_capture::profile::Profile>,
    actions: Vec<Action>,
    asked: Vec<String>,
    display: Option<String>,
}

/// Every option checked, before the operator is asked for anything (a profile's
/// placeholders are asked last).
fn prepare(a: &CaptureArgs) -> Result<Script> {
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
    if a.manual {
        return match a.display.clone().or_else(|| std::env::var("DISPLAY").ok()) {
            Some(d) if !d.is_empty() => Ok(Script {
                profile: None,
                actions: vec![Action::Navigate(a.url.clone())],
                asked: Vec::new(),
                display: Some(d),
            }),
            _ => bail!(tr!("cli-manual-no-display")),
        };
    }
    let name = a
        .profile
        .clone()
        .unwrap_or_else(|| webproof_capture::profile::suggest(&a.url).to_owned());
    let profile = webproof_capture::profile::Profile::load(&name)?;
    let (actions, asked) = resolve_asks(profile.actions(&a.url))?;
    Ok(Script {
        profile: Some(profile),
        actions,
        asked,
        display: None,
    })
}

/// The engine's plan of the capture.
fn plan(a: &CaptureArgs, script: Script, manual: Option<Commands>) -> Plan {
    let mut launch = webproof_browser::LaunchOptions {
        chromium: a.chromium.clone(),
        chromedriver: a.chromedriver.clone(),
        headless: a.headless,
        display: script.display,
        ..Default::default()
    };
    if let Some(v) = script.profile.as_ref().and_then(|p| p.viewport) {
        launch.width = v.width;
        launch.height = v.height;
    }
    let mut actions = script.actions;
    if let Some(n) = &a.note {
        actions.push(Action::Note(n.clone()));
    }
    Plan {
        url: a.url.clone(),
        actions,
        asked: script.asked,
        manual,
        launch,
        video: (!a.no_video).then_some(a.segment_secs),
        case: a.case.clone(),
        tool: format!("webproof {VERSION}"),
        resolvers: a.resolvers.clone(),
        override_env: a.override_env.clone(),
        clock_tsa: a.tsa.urls().into_iter().next(),
        cadence: Cadence {
            steps: a.stamp_every,
            every: std::time::Duration::from_secs(a.stamp_secs),
        },
        after_step0: None,
        between_steps: None,
        limits: webproof_engine::capture::Limits {
            max_bytes: a.max_mb.map(|m| m.saturating_mul(1 << 20)),
            max_pages: a.max_pages,
        },
    }
}

fn run(a: CaptureArgs) -> Result<ExitCode> {
    let script = prepare(&a)?;
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
    let progress = Progress::new(output);
    progress.line(&match &script.profile {
        Some(p) => tr!(
            "cli-profile",
            name = p.name,
            description = crate::say::shared()?.profile_description(&p.name, &p.description),
        ),
        None => tr!("cli-manual"),
    });
    let cap = Capture::create(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    stop.resumable(&dir, &a.out);
    progress.line(&tr!("cli-capture-dir", path = dir.display()));
    let depositor = crate::depositing::depositor(
        &a.log,
        cap.id(),
        &signers.operator.0,
        a.case.as_deref(),
        rt.handle(),
    )?;
    let mut stamper = crate::stamping::stamper(&a.tsa, depositor, rt.handle().clone())?;
    let manual = a.manual.then(|| operator_commands(&progress));
    // A supervising notary joins before step 0, is shown each step as it is journaled, and
    // states their presence once step 0 is.
    let supervision = match a.supervise.supervised {
        true => Some(std::sync::Arc::new(std::sync::Mutex::new(
            crate::supervise_cmd::open(
                &a.supervise,
                output,
                cap.id(),
                Some(&a.url),
                (&signers.operator.0, &signers.operator.1),
                signers.operator_cert.as_deref(),
            )?,
        ))),
        false => None,
    };
    let mut plan = plan(&a, script, manual);
    let host = supervision
        .as_ref()
        .and_then(|s| s.lock().ok().map(|s| s.host.clone()));
    if let Some(s) = &supervision {
        crate::supervise_cmd::follow(&mut plan, s);
    }
    let shown = crate::supervise_cmd::Shown {
        inner: &progress,
        host: host.as_deref(),
        dir: &dir,
    };
    let recorded = webproof_engine::capture::record(
        cap,
        plan,
        stamper.as_mut(),
        stop.engine(),
        &shown,
        rt.handle(),
    );
    progress.done();
    let Recorded { cap, ending } = recorded.map_err(run_error)?;
    let mut guard = match &supervision {
        Some(s) => Some(
            s.lock()
                .map_err(|_| anyhow::anyhow!("the supervision session broke"))?,
        ),
        None => None,
    };
    let sealed = seal(
        &a,
        cap,
        &signers,
        output,
        stamper.as_mut(),
        guard.as_deref_mut(),
    )?;
    match ending {
        Ending::Complete => Ok(sealed.exit()),
        Ending::Refused => bail!(tr!("cli-environment-failed", path = a.out.display())),
        Ending::Stopped(why) => Ok(match stop.requested() {
            Some(sig) => interrupted(sig, &a.out),
            // Not a signal: a limit of the capture (--max-mb, --max-pages).
            None => {
                eprintln!(
                    "{}",
                    tr!("cli-capture-limit", reason = why, path = a.out.display())
                );
                ExitCode::from(4)
            }
        }),
        Ending::Failed(failure) => bail!(tr!(
            "cli-capture-stopped",
            reason = crate::say::error_text(&failure_error(failure)),
            path = a.out.display()
        )),
    }
}

/// Seals what the session journaled, with the capture report, however it ended.
fn seal(
    a: &CaptureArgs,
    cap: Capture,
    signers: &crate::identity_cmd::Signers,
    output: Output,
    stamper: Option<&mut crate::stamping::Stamper>,
    supervision: Option<&mut crate::supervise_cmd::Supervision>,
) -> Result<crate::output::Delivered> {
    let case = Case {
        id: a.case.clone(),
        note: a.note.clone(),
    };
    let report = crate::report_cmd::ReportPlan {
        opts: &a.report,
        chromium: &a.chromium,
        chromedriver: &a.chromedriver,
    };
    seal_and_package(
        cap,
        signers,
        case,
        &a.out,
        a.keep_work,
        output,
        stamper,
        Some(report),
        supervision,
    )
}

type Commands = tokio::sync::mpsc::UnboundedReceiver<Command>;

/// The operator's commands of a manual session, read from stdin (`s`, `n TEXT`, `q`); an
/// unknown one is answered with the help.
fn operator_commands(progress: &Progress) -> Commands {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let help = tr!("cli-manual-help");
    let progress = progress.clone();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            let command = match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => Command::Closed,
                Ok(_) => match line.trim() {
                    "q" | "quit" | "end" => Command::End,
                    "s" => Command::Snapshot,
                    l if l.starts_with("n ") => Command::Note(l[2..].trim().to_owned()),
                    "" => continue,
                    _ => {
                        progress.line(&help);
                        continue;
                    }
                },
            };
            let last = matches!(command, Command::Closed);
            if tx.send(command).is_err() || last {
                break;
            }
        }
    });
    rx
}

/// A capture session that could not run, with the context the user reads.
fn run_error(e: RunError) -> anyhow::Error {
    match e {
        RunError::Unreachable { finding } => match crate::say::shared() {
            Ok(cat) => anyhow::anyhow!(tr!(
                "cli-target-unusable",
                why = crate::env_cmd::finding_text(&cat, &finding)
            )),
            Err(e) => e.into(),
        },
        RunError::Remove { dir, source } => {
            anyhow::Error::new(source).context(tr!("ctx-removing", path = dir.display()))
        }
        RunError::Journal(e) => e.into(),
        RunError::Anchor(e) => crate::stamping::anchor_error(e),
        RunError::AfterStep0(e) => anyhow::Error::from_boxed(e),
        e @ (RunError::Environment(_) | RunError::Encode(_)) => e.into(),
    }
}

/// Why a browser session could not go on, with the context the user reads.
fn failure_error(f: Failure) -> anyhow::Error {
    match f {
        Failure::Browser(e) => e.into(),
        Failure::Step(e) => e.into(),
        Failure::Journal(e) => e.into(),
        Failure::Anchor(e) => crate::stamping::anchor_error(e),
        Failure::ArchiveDir { path, source } => {
            anyhow::Error::new(source).context(tr!("ctx-creating", path = path.display()))
        }
        Failure::Recording { screencast, source } => {
            anyhow::Error::new(source).context(if screencast {
                tr!("ctx-screencast")
            } else {
                tr!("ctx-recording")
            })
        }
        Failure::Segment { path, source } => {
            anyhow::Error::new(source).context(tr!("ctx-journaling", path = path.display()))
        }
        Failure::Hash(e) => anyhow::Error::new(e).context(tr!("ctx-hashing-record")),
        Failure::NoTab => anyhow::anyhow!(tr!("cli-no-tab")),
        Failure::BetweenSteps(e) => anyhow::Error::from_boxed(e),
        Failure::NoDevtools => anyhow::anyhow!(tr!("cli-manual-no-devtools")),
        // The browser driver's words are its cause.
        Failure::BrowserGone {
            step,
            action,
            source,
        } => anyhow::Error::new(source).context(tr!(
            "cli-browser-gone",
            step = step,
            action = action
        )),
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
