//! Live supervision from the command line (docs/supervision.md): the operator's side of
//! `seal --supervised` (a join code, the notary shown each step, the notary's statements
//! journaled, the manifest countersigned on the notary's machine) and `webproof supervise
//! CODE`, the notary's side, run in the notary's own WEBPROOF_HOME.

use crate::say::tr;
use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use webproof_evidence::Utc;
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{IdentityDoc, PublicKey, Role};
use webproof_evidence::record::StepRecord;
use webproof_evidence::supervision::{Event, FORMAT, Signed, Statement, VERSION};
use webproof_supervise::host::{Answer, Host, Operator, StepView};
use webproof_supervise::notary::{Decision, Ending, Seen, Supervisor};
use webproof_supervise::{JoinCode, Me};

use crate::output::Output;
use webproof_engine::events::{NotaryEvent, SupervisionEvent, SupervisionState};

/// How the operator's webproof is supervised (`seal --supervised`).
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct SuperviseArgs {
    /// Supervised live by a notary on another machine: shows a one-time join code for
    /// `webproof supervise`, waits for the notary, who states their presence and countersigns
    /// the steps and the sealed manifest from their own machine — or refuses, which is recorded.
    #[arg(long, conflicts_with = "notary_home")]
    pub supervised: bool,
    /// (With --supervised) the address to listen on for the notary.
    #[arg(long, default_value = "127.0.0.1:0", requires = "supervised")]
    pub supervise_listen: String,
    /// (With --supervised) the address the join code names, when the notary reaches this
    /// machine by another (default: the address listened on).
    #[arg(long, requires = "supervised")]
    pub supervise_addr: Option<String>,
    /// (With --supervised) how long to wait for the notary (to join, and for each answer), in
    /// seconds.
    #[arg(long, default_value_t = 600, requires = "supervised")]
    pub supervise_wait: u64,
}

/// A session under way: the host, and the notary who joined.
pub(crate) struct Supervision {
    pub host: std::sync::Arc<Host>,
    pub notary: IdentityDoc,
    pub certificate: Option<String>,
    pub key: PublicKey,
    pub wait: Duration,
    /// The notary refused: the package is sealed without them.
    pub refused: bool,
    /// Checkpoints asked and not answered yet: the request, the step the statement is about,
    /// and the statement's bytes.
    pub checkpoints: Vec<(u64, u64, Vec<u8>)>,
    /// Where what happens is said (a `supervision` event with `--events`).
    pub output: Output,
}

/// Says how the session stands: a `supervision` event with `--events`, else its text on
/// stderr.
fn tell(output: Output, e: SupervisionEvent) {
    match output {
        Output::Events => output.emit(&webproof_engine::events::Event::Supervision(e)),
        _ => eprintln!("{}", e.text),
    }
}

/// An event of `state` with `text` (the other members added by the caller).
fn told(state: SupervisionState, text: String) -> SupervisionEvent {
    SupervisionEvent {
        state,
        code: None,
        notary: None,
        fingerprint: None,
        statement: None,
        seq: None,
        reason: None,
        text,
    }
}

/// The largest picture of a step shown to the notary (a screenshot).
const MAX_PICTURE: u64 = 8 << 20;

/// A step as the notary is shown it, with its picture (the step's screenshot, read from the
/// capture directory `dir`) when it has one.
pub(crate) fn view(r: &StepRecord, dir: &std::path::Path) -> Option<StepView> {
    use base64::Engine as _;
    let thumbnail = r
        .artifacts
        .iter()
        .find(|a| {
            (a.media_type == "image/png" || a.media_type == "image/jpeg") && a.size <= MAX_PICTURE
        })
        .and_then(|a| std::fs::read(dir.join(&a.path)).ok())
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b));
    Some(StepView {
        seq: r.seq,
        kind: r.kind.as_str().to_owned(),
        url: r.url.clone(),
        started: r.started.to_string(),
        head: r.digests().ok()?,
        thumbnail,
    })
}

/// Starts the session for `cap`, says the join code, waits for the notary, shows the steps so
/// far, and has the notary state their presence.
pub(crate) fn start(
    a: &SuperviseArgs,
    output: Output,
    cap: &mut Capture,
    operator: (&webproof_evidence::identity::SecretKey, &IdentityDoc),
    certificate: Option<&str>,
) -> Result<Supervision> {
    let mut s = open(a, output, cap.id(), None, operator, certificate)?;
    for r in cap.records() {
        s.host
            .step(view(r, cap.dir()).context(tr!("cli-supervise-step"))?);
    }
    s.state(cap, Event::Present)?;
    Ok(s)
}

/// Starts the session of capture `capture` (of `target`), says the join code and waits for the
/// notary to join.
pub(crate) fn open(
    a: &SuperviseArgs,
    output: Output,
    capture: &str,
    target: Option<&str>,
    operator: (&webproof_evidence::identity::SecretKey, &IdentityDoc),
    certificate: Option<&str>,
) -> Result<Supervision> {
    let host = Host::start(
        &a.supervise_listen,
        a.supervise_addr.as_deref(),
        capture,
        target,
        Operator {
            key: operator.0.clone(),
            identity: operator.1.clone(),
            certificate: certificate.map(str::to_owned),
        },
    )
    .with_context(|| tr!("ctx-listening", addr = &a.supervise_listen))?;
    tell(
        output,
        SupervisionEvent {
            code: Some(host.code().to_string()),
            ..told(
                SupervisionState::Waiting,
                tr!("cli-supervise-code", code = host.code()),
            )
        },
    );
    let wait = Duration::from_secs(a.supervise_wait);
    if !host.wait_connected(wait) {
        bail!(tr!("cli-supervise-nobody", seconds = a.supervise_wait));
    }
    let (notary, cert) = host
        .notary()
        .context(tr!("cli-supervise-nobody", seconds = 0))?;
    tell(
        output,
        SupervisionEvent {
            notary: Some(notary.who()),
            fingerprint: Some(notary.fingerprint.to_hex()),
            ..told(
                SupervisionState::Joined,
                tr!(
                    "cli-supervise-joined",
                    name = &notary.name,
                    fingerprint = notary.fingerprint
                ),
            )
        },
    );
    let key = PublicKey::from_pem(&notary.public_key)?;
    Ok(Supervision {
        host: std::sync::Arc::new(host),
        notary,
        certificate: cert,
        key,
        wait,
        refused: false,
        checkpoints: Vec::new(),
        output,
    })
}

/// A capture's session followed by the notary: present once step 0 is journaled, and each
/// checkpoint's chain head countersigned by the notary's webproof as it comes.
#[cfg(unix)]
pub(crate) fn follow(
    plan: &mut webproof_engine::capture::Plan,
    s: &std::sync::Arc<std::sync::Mutex<Supervision>>,
) {
    let present = s.clone();
    plan.after_step0 = Some(Box::new(move |cap: &mut Capture| {
        let mut s = present
            .lock()
            .map_err(|_| "the supervision session broke")?;
        s.state(cap, Event::Present)?;
        Ok(cap.records().last().cloned().into_iter().collect())
    }));
    let checkpoints = s.clone();
    plan.between_steps = Some(Box::new(move |cap: &mut Capture, started| {
        let mut s = checkpoints
            .lock()
            .map_err(|_| "the supervision session broke")?;
        Ok(s.checkpoints(cap, started)?)
    }));
}

impl Supervision {
    /// The statement of `event` about the chain so far (its last step and head).
    fn statement(&self, cap: &Capture, event: Event) -> Result<(u64, Vec<u8>)> {
        let last = cap.records().last().context(tr!("cli-supervise-step"))?;
        let statement = Statement {
            v: VERSION,
            format: FORMAT.into(),
            event,
            capture: cap.id().to_owned(),
            seq: last.seq,
            head: cap.head().context(tr!("cli-supervise-step"))?,
            notary: self.notary.fingerprint,
            time: Utc::now(),
            reason: None,
        };
        Ok((last.seq, statement.to_bytes()?))
    }

    /// Asks the notary to state `event` about the chain so far and journals the answer (a
    /// signature, or the notary's refusal); shows the step that records it. Checkpoint
    /// countersignatures that came meanwhile are journaled first; those still awaited are
    /// given up.
    pub(crate) fn state(&mut self, cap: &mut Capture, event: Event) -> Result<()> {
        for r in self.checkpoints(cap, None)? {
            self.host
                .step(view(&r, cap.dir()).context(tr!("cli-supervise-step"))?);
        }
        for (id, _, _) in self.checkpoints.drain(..) {
            self.host.withdraw(id);
        }
        if self.refused {
            return Ok(());
        }
        let (seq, bytes) = self.statement(cap, event)?;
        let answer = self
            .host
            .ask(&bytes, self.wait)
            .with_context(|| tr!("cli-supervise-no-answer", seconds = self.wait.as_secs()))?;
        let r = self.journal(cap, seq, bytes, event, answer)?;
        self.host
            .step(view(&r, cap.dir()).context(tr!("cli-supervise-step"))?);
        Ok(())
    }

    /// Between steps of a capture: journals the checkpoint countersignatures (or a refusal)
    /// that came, and, when a checkpoint of the chain head after step `started` was just
    /// begun, asks the notary to countersign it (without waiting for the answer). The steps
    /// journaled.
    pub(crate) fn checkpoints(
        &mut self,
        cap: &mut Capture,
        started: Option<u64>,
    ) -> Result<Vec<StepRecord>> {
        let mut journaled = Vec::new();
        let mut waiting = Vec::new();
        for (id, seq, bytes) in std::mem::take(&mut self.checkpoints) {
            if self.refused {
                self.host.withdraw(id);
                continue;
            }
            match self.host.answered(id) {
                Some(answer) => {
                    journaled.push(self.journal(cap, seq, bytes, Event::Checkpoint, answer)?)
                }
                None => waiting.push((id, seq, bytes)),
            }
        }
        self.checkpoints = waiting;
        if let (Some(seq), false) = (started, self.refused)
            && cap.records().last().is_some_and(|r| r.seq == seq)
        {
            let (seq, bytes) = self.statement(cap, Event::Checkpoint)?;
            self.checkpoints
                .push((self.host.request(&bytes), seq, bytes));
        }
        Ok(journaled)
    }

    /// Journals the notary's `answer` to the statement of `event` about step `seq`: the
    /// signed statement, or the notary's signed refusal (after which nothing more is asked).
    fn journal(
        &mut self,
        cap: &mut Capture,
        seq: u64,
        bytes: Vec<u8>,
        event: Event,
        answer: Answer,
    ) -> Result<StepRecord> {
        let (signed, journaled) = match answer {
            Answer::Signed(signature) => ((bytes, signature), event),
            Answer::Refused {
                statement,
                signature,
            } => {
                self.refused = true;
                ((statement, signature), Event::Refuse)
            }
        };
        let signed = Signed {
            bytes: signed.0,
            signature: signed.1,
            identity: self.notary.clone(),
            certificate: self.certificate.clone(),
        };
        let (r, _) = cap.add_supervision(&signed, journaled)?;
        let base = SupervisionEvent {
            notary: Some(self.notary.who()),
            fingerprint: Some(self.notary.fingerprint.to_hex()),
            seq: Some(seq),
            ..told(SupervisionState::Stated, String::new())
        };
        tell(
            self.output,
            match journaled {
                Event::Refuse => {
                    let reason = signed
                        .statement()
                        .ok()
                        .and_then(|s| s.reason)
                        .unwrap_or_default();
                    SupervisionEvent {
                        state: SupervisionState::Refused,
                        text: tr!("cli-supervise-refused", reason = &reason),
                        reason: Some(reason),
                        ..base
                    }
                }
                e => SupervisionEvent {
                    statement: Some(e.as_str().to_owned()),
                    text: tr!("cli-supervise-stated", event = e.as_str(), seq = seq),
                    ..base
                },
            },
        );
        Ok(r)
    }
}

/// `webproof supervise CODE`.
#[derive(clap::Args)]
pub(crate) struct NotaryArgs {
    /// The join code the operator's webproof shows (ADDRESS/CODE).
    code: String,
    /// How long to keep trying to join again when the connection is lost, in seconds.
    #[arg(long, default_value_t = 300)]
    retry_for: u64,
    /// Write what happens as JSON lines on stdout (for the desktop app; see
    /// docs/app-events.md); the answers are still read from stdin.
    #[arg(long)]
    events: bool,
}

/// Says `e`: its JSON line with `--events`, else its text.
fn show(events: bool, e: &NotaryEvent) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = if events {
        writeln!(out, "{}", e.to_line())
    } else {
        writeln!(out, "{}", notary_text(e))
    };
    let _ = out.flush();
}

fn notary_text(e: &NotaryEvent) -> &str {
    match e {
        NotaryEvent::Session { text, .. }
        | NotaryEvent::Step { text, .. }
        | NotaryEvent::Ask { text, .. }
        | NotaryEvent::Checkpoint { text, .. }
        | NotaryEvent::Rejoin { text }
        | NotaryEvent::Ended { text } => text,
    }
}

/// What the notary is shown of `seen` (and the decision for a checkpoint, which is not asked).
fn notary_event(seen: &Seen<'_>, picture: Option<String>) -> NotaryEvent {
    match seen {
        Seen::Session { capture, target } => NotaryEvent::Session {
            capture: capture.to_string(),
            target: target.map(str::to_owned),
            text: tr!("cli-supervise-session", capture = capture),
        },
        Seen::Step { step, late } => {
            let (seq, url) = (step.seq, step.url.as_deref().unwrap_or(""));
            let (kind, head) = (&step.kind, step.head.sha256);
            let mut text = if *late {
                tr!(
                    "cli-supervise-seen-late",
                    seq = seq,
                    kind = kind,
                    url = url,
                    head = head
                )
            } else {
                tr!(
                    "cli-supervise-seen",
                    seq = seq,
                    kind = kind,
                    url = url,
                    head = head
                )
            };
            if let Some(p) = &picture {
                text.push_str(&format!("\n  {}", tr!("cli-supervise-picture", path = p)));
            }
            NotaryEvent::Step {
                seq,
                kind: step.kind.clone(),
                url: step.url.clone(),
                started: step.started.clone(),
                sha256: step.head.sha256,
                sm3: step.head.sm3,
                late: *late,
                picture,
                text,
            }
        }
        Seen::Ask(st) if st.event == Event::Checkpoint => NotaryEvent::Checkpoint {
            seq: st.seq,
            sha256: st.head.sha256,
            text: tr!(
                "cli-supervise-checkpoint",
                seq = st.seq,
                head = st.head.sha256
            ),
        },
        Seen::Ask(st) => NotaryEvent::Ask {
            statement: st.event.as_str().to_owned(),
            seq: st.seq,
            sha256: st.head.sha256,
            text: tr!(
                "cli-supervise-ask",
                event = st.event.as_str(),
                seq = st.seq,
                head = st.head.sha256
            ),
        },
        Seen::Ended => NotaryEvent::Ended {
            text: tr!("cli-supervise-ended"),
        },
    }
}

/// The notary's side: joins, shows each step, and asks the person (a line on stdin: `yes` to
/// sign, anything else is the reason of a refusal) for each statement but a checkpoint's;
/// joins again when the connection is lost.
pub(crate) fn supervise(a: NotaryArgs) -> Result<ExitCode> {
    let code: JoinCode = a.code.parse().context(tr!("cli-supervise-bad-code"))?;
    let home = crate::config::home()?;
    let (key, doc) = crate::identity_cmd::load_key(&home, Role::Notary, "WEBPROOF_PASSPHRASE")?;
    let cert = crate::identity_cmd::enrolled_certificate(&home, Role::Notary, &key);
    let me = Me {
        key: &key,
        identity: &doc,
        certificate: cert.as_deref(),
    };
    let mut sup = Supervisor::new(code);
    // The steps' pictures are kept in this home, for the notary to look at.
    let pictures = home.join("supervision");
    let mut capture_id = String::new();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let events = a.events;
    let mut decide = |seen: &Seen<'_>| -> Option<Decision> {
        let mut picture = None;
        match seen {
            Seen::Session { capture, .. } => {
                // A directory name from the other end: only a capture id's characters.
                capture_id = capture
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .take(64)
                    .collect();
                if capture_id.is_empty() {
                    capture_id = "session".into();
                }
            }
            Seen::Step { step, .. } => {
                if let Some(p) = step.thumbnail.as_deref() {
                    match keep_picture(&pictures.join(&capture_id), step.seq, p) {
                        Ok(path) => picture = Some(path.display().to_string()),
                        Err(e) => eprintln!("  {}", crate::say::error_text(&e)),
                    }
                }
            }
            _ => {}
        }
        let shown = notary_event(seen, picture);
        show(events, &shown);
        match shown {
            NotaryEvent::Checkpoint { .. } => Some(Decision::Sign),
            NotaryEvent::Ask { .. } => {
                let answer = lines.next().and_then(|l| l.ok()).unwrap_or_default();
                Some(match answer.trim() {
                    "y" | "yes" | "是" => Decision::Sign,
                    "" => Decision::Refuse(tr!("cli-supervise-no-consent")),
                    reason => Decision::Refuse(reason.to_owned()),
                })
            }
            _ => None,
        }
    };
    let deadline = Duration::from_secs(a.retry_for);
    let mut lost: Option<Instant> = None;
    loop {
        let shown = sup.steps().len();
        match sup.run(me, Duration::from_secs(10), &mut decide) {
            Ok(Ending::Ended) | Ok(Ending::Left) => return Ok(ExitCode::SUCCESS),
            Err(e) => {
                // A connection that showed something new resets the clock.
                if sup.steps().len() > shown {
                    lost = None;
                }
                let since = *lost.get_or_insert_with(Instant::now);
                if since.elapsed() > deadline {
                    return Err(anyhow::Error::new(e).context(tr!("cli-supervise-lost")));
                }
                let text = tr!("cli-supervise-rejoin", error = e);
                if events {
                    show(true, &NotaryEvent::Rejoin { text });
                } else {
                    eprintln!("{text}");
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// Writes step `seq`'s picture (base64 PNG or JPEG) into `dir`; its path.
fn keep_picture(dir: &std::path::Path, seq: u64, b64: &str) -> Result<std::path::PathBuf> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .context(tr!("cli-supervise-picture-bad"))?;
    let ext = if bytes.starts_with(b"\x89PNG") {
        "png"
    } else {
        "jpg"
    };
    std::fs::create_dir_all(dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    let path = dir.join(format!("step-{seq:06}.{ext}"));
    std::fs::write(&path, bytes).with_context(|| tr!("ctx-writing", path = path.display()))?;
    Ok(path)
}

/// The seal's observer while a notary supervises: says everything as `output` does, and shows
/// the notary each step journaled (the seal step before the manifest is countersigned).
pub(crate) struct Shown<'a> {
    pub inner: &'a dyn webproof_engine::seal::Observer,
    pub host: Option<&'a Host>,
    /// The capture directory (where the steps' pictures are).
    pub dir: &'a std::path::Path,
}

impl webproof_engine::seal::Observer for Shown<'_> {
    fn event(&self, event: webproof_engine::events::Event) {
        self.inner.event(event);
    }

    fn note(&self, note: webproof_engine::Note<'_>) {
        self.inner.note(note);
    }

    fn step(&self, record: &StepRecord) {
        self.inner.step(record);
        if let (Some(h), Some(v)) = (self.host, view(record, self.dir)) {
            h.step(v);
        }
    }
}
