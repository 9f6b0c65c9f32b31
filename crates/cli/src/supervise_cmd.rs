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
    cap: &mut Capture,
    operator: (&webproof_evidence::identity::SecretKey, &IdentityDoc),
    certificate: Option<&str>,
) -> Result<Supervision> {
    let mut s = open(a, cap.id(), None, operator, certificate)?;
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
    eprintln!("{}", tr!("cli-supervise-code", code = host.code()));
    let wait = Duration::from_secs(a.supervise_wait);
    if !host.wait_connected(wait) {
        bail!(tr!("cli-supervise-nobody", seconds = a.supervise_wait));
    }
    let (notary, cert) = host
        .notary()
        .context(tr!("cli-supervise-nobody", seconds = 0))?;
    eprintln!(
        "{}",
        tr!(
            "cli-supervise-joined",
            name = &notary.name,
            fingerprint = notary.fingerprint
        )
    );
    let key = PublicKey::from_pem(&notary.public_key)?;
    Ok(Supervision {
        host: std::sync::Arc::new(host),
        notary,
        certificate: cert,
        key,
        wait,
        refused: false,
    })
}

impl Supervision {
    /// Asks the notary to state `event` about the chain so far and journals the answer (a
    /// signature, or the notary's refusal); shows the step that records it.
    pub(crate) fn state(&mut self, cap: &mut Capture, event: Event) -> Result<()> {
        if self.refused {
            return Ok(());
        }
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
        let bytes = statement.to_bytes()?;
        let (signed, journaled) = match self.host.ask(&bytes, self.wait) {
            Some(Answer::Signed(signature)) => ((bytes, signature), event),
            Some(Answer::Refused {
                statement,
                signature,
            }) => {
                self.refused = true;
                ((statement, signature), Event::Refuse)
            }
            None => bail!(tr!(
                "cli-supervise-no-answer",
                seconds = self.wait.as_secs()
            )),
        };
        let signed = Signed {
            bytes: signed.0,
            signature: signed.1,
            identity: self.notary.clone(),
            certificate: self.certificate.clone(),
        };
        let (r, _) = cap.add_supervision(&signed, journaled)?;
        eprintln!(
            "{}",
            match journaled {
                Event::Refuse => tr!(
                    "cli-supervise-refused",
                    reason = signed
                        .statement()
                        .ok()
                        .and_then(|s| s.reason)
                        .unwrap_or_default()
                ),
                e => tr!(
                    "cli-supervise-stated",
                    event = e.as_str(),
                    seq = statement.seq
                ),
            }
        );
        self.host
            .step(view(&r, cap.dir()).context(tr!("cli-supervise-step"))?);
        Ok(())
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
}

/// The notary's side: joins, shows each step, and asks the person (a line on stdin: `yes` to
/// sign, anything else is the reason of a refusal) for each statement; joins again when the
/// connection is lost.
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
    let mut decide = |seen: &Seen<'_>| -> Option<Decision> {
        match seen {
            Seen::Session { capture, .. } => {
                println!("{}", tr!("cli-supervise-session", capture = capture));
                // A directory name from the other end: only a capture id's characters.
                capture_id = capture
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .take(64)
                    .collect();
                if capture_id.is_empty() {
                    capture_id = "session".into();
                }
                None
            }
            Seen::Step { step, late } => {
                let (seq, url) = (step.seq, step.url.as_deref().unwrap_or(""));
                let (kind, head) = (&step.kind, step.head.sha256);
                println!(
                    "{}",
                    if *late {
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
                    }
                );
                if let Some(p) = step.thumbnail.as_deref() {
                    match keep_picture(&pictures.join(&capture_id), seq, p) {
                        Ok(path) => {
                            println!("  {}", tr!("cli-supervise-picture", path = path.display()))
                        }
                        Err(e) => eprintln!("  {}", crate::say::error_text(&e)),
                    }
                }
                None
            }
            Seen::Ask(st) => {
                println!(
                    "{}",
                    tr!(
                        "cli-supervise-ask",
                        event = st.event.as_str(),
                        seq = st.seq,
                        head = st.head.sha256
                    )
                );
                let answer = lines.next().and_then(|l| l.ok()).unwrap_or_default();
                let answer = answer.trim();
                Some(match answer {
                    "y" | "yes" | "是" => Decision::Sign,
                    "" => Decision::Refuse(tr!("cli-supervise-no-consent")),
                    reason => Decision::Refuse(reason.to_owned()),
                })
            }
            Seen::Ended => {
                println!("{}", tr!("cli-supervise-ended"));
                None
            }
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
                eprintln!("{}", tr!("cli-supervise-rejoin", error = e));
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
