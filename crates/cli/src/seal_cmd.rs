//! `seal`, `captures resume|list` and the sealing they share with `capture`: options checked
//! before any work, the signers, the engine's seal session, and what is said afterwards.

use crate::config::{VERSION, home};
use crate::depositing;
use crate::identity_cmd::{Signers, load_signers};
use crate::output::{Delivered, Output};
use crate::report_cmd;
use crate::say::{self, tr};
use crate::stamping;
use crate::trust::TrustArgs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use webproof_engine::events::{Event, Phase, Sealed};
use webproof_evidence::Utc;
use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::manifest::Case;
use webproof_message::{Key, key};
use webproof_verify::Policy;

/// `captures …`.
pub(crate) fn captures(cmd: CaptureCmd) -> Result<ExitCode> {
    match cmd {
        CaptureCmd::Resume {
            dir,
            out,
            case,
            notary_home,
            json,
        } => resume(&dir, &out, case, notary_home, json),
        CaptureCmd::List => {
            let dir = home()?.join("captures");
            if let Ok(rd) = std::fs::read_dir(&dir) {
                // Capture directories only (not a session's downloads folder beside one).
                for e in rd
                    .flatten()
                    .filter(|e| e.path().extension().is_none_or(|x| x != "downloads"))
                {
                    println!("{}", e.path().display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Args)]
pub(crate) struct SealArgs {
    /// Files to seal, one `file` step each.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Package to write (.wacz).
    #[arg(long, short)]
    out: PathBuf,
    /// Case or matter identifier.
    #[arg(long)]
    case: Option<String>,
    /// A note recorded as a `note` step and in the manifest.
    #[arg(long)]
    note: Option<String>,
    /// WEBPROOF_HOME of a supervising notary, who countersigns (passphrase from
    /// WEBPROOF_NOTARY_PASSPHRASE).
    #[arg(long)]
    notary_home: Option<PathBuf>,
    /// Keep the capture directory after the package is written.
    #[arg(long)]
    keep_work: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    tsa: stamping::TsaArgs,
    #[command(flatten)]
    log: depositing::LogArgs,
    #[command(flatten)]
    report: report_cmd::ReportOpts,
    #[command(flatten)]
    supervise: crate::supervise_cmd::SuperviseArgs,
}

#[derive(Subcommand)]
pub(crate) enum CaptureCmd {
    /// Seal a capture directory a crashed or killed process left behind: records an
    /// `interruption` step saying so, then seals it into a package.
    Resume {
        dir: PathBuf,
        /// Package to write (.wacz).
        #[arg(long, short)]
        out: PathBuf,
        /// Case or matter identifier (recorded in the seal step and the manifest).
        #[arg(long)]
        case: Option<String>,
        /// WEBPROOF_HOME of a supervising notary, who countersigns (passphrase from WEBPROOF_NOTARY_PASSPHRASE).
        #[arg(long)]
        notary_home: Option<PathBuf>,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// List unfinished capture directories in WEBPROOF_HOME.
    List,
}

/// What the sealer trusts, for the verdict in the report sealed inside the package: what
/// config.toml trusts, and the sealer's own keys.
pub(crate) fn sealer_policy(signers: &Signers) -> Result<Policy> {
    let mut policy = TrustArgs::default().policy()?;
    policy
        .trusted_operators
        .push(signers.operator.1.fingerprint);
    if let Some(n) = &signers.notary {
        policy.trusted_notaries.push(n.1.fingerprint);
    }
    Ok(policy)
}

/// A sealing session's error, with the context the user reads.
pub(crate) fn seal_error(e: webproof_engine::seal::SealError) -> anyhow::Error {
    use webproof_engine::seal::SealError as E;
    match e {
        E::Reopen { dir, source } => {
            anyhow::Error::new(source).context(tr!("ctx-reopening", path = dir.display()))
        }
        E::Capture { dir, source } => {
            anyhow::Error::new(source).context(tr!("ctx-sealing", path = dir.display()))
        }
        E::Anchor(e) => stamping::anchor_error(e),
        E::Write { out, source } => {
            anyhow::Error::new(source).context(tr!("ctx-writing", path = out.display()))
        }
        E::Verify(e) => e.into(),
        E::WrittenFails { first, dir } => {
            anyhow::anyhow!(tr!(
                "cli-written-fails",
                first = first,
                path = dir.display()
            ))
        }
        E::RemoveWork { dir, source } => {
            anyhow::Error::new(source).context(tr!("ctx-removing", path = dir.display()))
        }
        // The caller's own error, with its causes.
        E::BeforeSeal(e) => anyhow::Error::from_boxed(e),
    }
}

/// The signers' keys as sealing needs them; a supervising notary's countersignature comes from
/// the notary's machine (`remote`).
fn seal_input<'a>(
    signers: &'a Signers,
    case: Case,
    remote: Option<(
        &'a webproof_supervise::host::RemoteNotary<'a>,
        &'a crate::supervise_cmd::Supervision,
    )>,
) -> SealInput<'a> {
    if let Some((r, s)) = remote {
        return SealInput {
            notary: Some(SignerKey {
                key: r,
                identity: &s.notary,
                certificate: s.certificate.as_deref(),
            }),
            ..seal_input(signers, case, None)
        };
    }
    SealInput {
        case,
        tool_version: VERSION.to_owned(),
        operator: SignerKey {
            key: &signers.operator.0,
            identity: &signers.operator.1,
            certificate: signers.operator_cert.as_deref(),
        },
        notary: signers.notary.as_ref().map(|(k, d)| SignerKey {
            key: k,
            identity: d,
            certificate: signers.notary_cert.as_deref(),
        }),
    }
}

/// Seals `cap` into `out` (the engine's session) and says what was sealed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn seal_and_package(
    cap: Capture,
    signers: &Signers,
    case: Case,
    out: &Path,
    keep_work: bool,
    output: Output,
    mut stamper: Option<&mut stamping::Stamper>,
    report: Option<report_cmd::ReportPlan<'_>>,
    mut supervision: Option<&mut crate::supervise_cmd::Supervision>,
) -> Result<Delivered> {
    let mut cap = cap;
    // A supervising notary countersigns the steps before the seal step (or refuses, which is
    // journaled, and the package is sealed without them).
    if let Some(s) = supervision.as_deref_mut() {
        s.state(&mut cap, webproof_evidence::supervision::Event::Countersign)?;
    }
    let supervision = supervision.map(|s| &*s).filter(|s| !s.refused);
    let remote = supervision.map(|s| webproof_supervise::host::RemoteNotary {
        host: &s.host,
        key: s.key.clone(),
        timeout: s.wait,
    });
    let input = seal_input(signers, case, remote.as_ref().zip(supervision));
    // The notary is shown every step journaled from here on (the seal step before the manifest).
    let dir = cap.dir().to_owned();
    let shown = crate::supervise_cmd::Shown {
        inner: &output,
        host: supervision.map(|s| &*s.host),
        dir: &dir,
    };
    let stamping = stamper.is_some();
    // The capture report, made from the evidence as it stands, for the seal step to name.
    let mut before_seal = |dir: &Path| -> std::result::Result<(), webproof_engine::seal::BoxError> {
        match report.filter(|p| !p.opts.no_report) {
            Some(plan) => {
                output.phase(Phase::Report);
                let made = sealer_policy(signers).and_then(|policy| {
                    report_cmd::report_into(plan, dir, &input.case, &policy, stamping)
                });
                if let Err(e) = made {
                    eprintln!(
                        "{}",
                        tr!("cli-report-incomplete", error = say::error_text(&e))
                    );
                }
                Ok(())
            }
            None => Ok(report_cmd::remove_report(dir)?),
        }
    };
    let sealed = webproof_engine::seal::seal(
        cap,
        &input,
        out,
        keep_work,
        stamper.as_deref_mut(),
        &mut before_seal,
        &shown,
    )
    .map_err(seal_error)?;
    if let Some(s) = supervision {
        s.host.end();
    }
    if let Some(st) = stamper.as_deref() {
        say_undelivered(&sealed, st);
    }
    let delivered = Delivered(sealed.undelivered.is_empty());
    say_sealed(&sealed, signers, out, keep_work, output)?;
    Ok(delivered)
}

/// What did not deliver, said once (it makes the exit code 5).
fn say_undelivered(sealed: &webproof_engine::seal::Sealed, st: &stamping::Stamper) {
    let seq = sealed.manifest.heads.last().map_or(0, |h| h.seq);
    for what in &sealed.undelivered {
        let said = match what {
            stamping::Undelivered::Tsa => tr!(
                "cli-quorum-missed",
                got = st.stamped(seq),
                total = st.tsa_count(),
                quorum = st.quorum()
            ),
            stamping::Undelivered::Log => tr!("cli-undelivered-log"),
        };
        eprintln!("{said}");
    }
}

/// What was sealed: the `sealed` event, one JSON document, or lines for people.
fn say_sealed(
    sealed: &webproof_engine::seal::Sealed,
    signers: &Signers,
    out: &Path,
    keep_work: bool,
    output: Output,
) -> Result<()> {
    let (manifest, dir) = (&sealed.manifest, &sealed.dir);
    if output != Output::Text {
        let v = Sealed {
            package: out.display().to_string(),
            capture: manifest.capture.clone(),
            steps: manifest.heads.len(),
            chain_head: manifest.journal.head,
            operator: signers.operator.1.fingerprint.to_hex(),
            notary: signers.notary.as_ref().map(|n| n.1.fingerprint.to_hex()),
            capture_dir: keep_work.then(|| dir.display().to_string()),
        };
        if output == Output::Events {
            output.emit(&Event::Sealed(v));
        } else {
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        return Ok(());
    }
    print_sealed(sealed, signers, out, keep_work)
}

/// What was sealed, as lines for people: the package, the capture, its chain head, who
/// signed, and the capture directory when kept.
fn print_sealed(
    sealed: &webproof_engine::seal::Sealed,
    signers: &Signers,
    out: &Path,
    keep_work: bool,
) -> Result<()> {
    let (manifest, dir) = (&sealed.manifest, &sealed.dir);
    let cat = say::shared()?;
    // Labels padded to 13 terminal columns (a Chinese character takes two).
    let label = |key: Key| say::label(&cat.t(key), 13);
    println!(
        "{}",
        cat.t_with(
            key!("cli-sealed"),
            &[
                ("steps", &manifest.heads.len().to_string()),
                ("path", &out.display().to_string())
            ]
        )
    );
    println!("  {}{}", label(key!("cli-label-capture")), manifest.capture);
    println!(
        "  {}SHA-256 {}",
        label(key!("cli-label-chain-head")),
        manifest.journal.head.sha256
    );
    println!("  {:<13}SM3     {}", "", manifest.journal.head.sm3);
    let mut people = vec![(key!("cli-label-operator"), &signers.operator.1)];
    people.extend(
        signers
            .notary
            .as_ref()
            .map(|(_, n)| (key!("cli-label-notary"), n)),
    );
    for (key, doc) in people {
        println!("  {}{} ({})", label(key), doc.name, doc.fingerprint);
    }
    if keep_work {
        println!(
            "  {}{} {}",
            label(key!("cli-label-capture-dir")),
            dir.display(),
            cat.t(key!("cli-kept"))
        );
    }
    Ok(())
}

pub(crate) fn seal(a: SealArgs) -> Result<ExitCode> {
    if a.out.exists() {
        bail!(tr!("cli-out-exists", path = a.out.display()));
    }
    for f in &a.files {
        let m = std::fs::metadata(f).with_context(|| tr!("ctx-reading", path = f.display()))?;
        if !m.is_file() {
            bail!(tr!("cli-not-regular", path = f.display()));
        }
    }
    let (chromium, chromedriver) = (
        Path::new("/usr/bin/chromium"),
        Path::new("/usr/bin/chromedriver"),
    );
    preflight(&a.out, &a.tsa, &a.log, &a.report, (chromium, chromedriver))?;
    let signers = load_signers(a.notary_home.as_deref())?;
    let mut cap = journal_files(&a.files, a.note.as_deref())?;
    let mut supervision = match a.supervise.supervised {
        true => Some(crate::supervise_cmd::start(
            &a.supervise,
            crate::output::Output::new(a.json, false),
            &mut cap,
            (&signers.operator.0, &signers.operator.1),
            signers.operator_cert.as_deref(),
        )?),
        false => None,
    };
    let case = Case {
        id: a.case,
        note: a.note,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context(tr!("ctx-runtime"))?;
    let depositor = depositing::depositor(
        &a.log,
        cap.id(),
        &signers.operator.0,
        case.id.as_deref(),
        rt.handle(),
    )?;
    let mut stamper = stamping::stamper(&a.tsa, depositor, rt.handle().clone())?;
    seal_and_package(
        cap,
        &signers,
        case,
        &a.out,
        a.keep_work,
        Output::new(a.json, false),
        stamper.as_mut(),
        Some(report_cmd::ReportPlan {
            opts: &a.report,
            chromium,
            chromedriver,
        }),
        supervision.as_mut(),
    )
    .map(Delivered::exit)
}

/// A new capture directory journaling `files` (and the note), each as a step.
fn journal_files(files: &[PathBuf], note: Option<&str>) -> Result<Capture> {
    let dir = home()?
        .join("captures")
        .join(format!("seal-{}", uuid_like()));
    let mut cap =
        Capture::create(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    eprintln!("{}", tr!("cli-capture-dir", path = dir.display()));
    for f in files {
        let r = cap
            .add_file(f)
            .with_context(|| tr!("ctx-adding", path = f.display()))?;
        eprintln!(
            "  {}",
            tr!(
                "cli-step-file",
                seq = r.seq,
                file = f.display(),
                path = r.artifacts.first().map(|x| x.path.as_str()).unwrap_or("")
            )
        );
    }
    if let Some(n) = note {
        cap.add_note(n)?;
    }
    Ok(cap)
}

/// What a sealing command was told, checked before any work directory, browser or display
/// exists: the package path, the TSAs (URLs, quorum, imprint, policy), the evidence log (URL,
/// keys, witness quorum) and the report's options (time zone; the browser that prints a PDF).
pub(crate) fn preflight(
    out: &Path,
    tsa: &stamping::TsaArgs,
    log: &depositing::LogArgs,
    report: &report_cmd::ReportOpts,
    browser: (&Path, &Path),
) -> Result<()> {
    if out.exists() {
        bail!(tr!("cli-out-exists", path = out.display()));
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!(tr!(
            "cli-out-no-dir",
            path = out.display(),
            dir = dir.display()
        ));
    }
    tsa.settings()?;
    log.settings()?;
    report_cmd::check_opts(report)?;
    if report.report_pdf && !report.no_report {
        program(browser.0, "--chromium")?;
        program(browser.1, "--chromedriver")?;
    }
    Ok(())
}

/// Refuses a path that is not an executable file.
pub(crate) fn program(path: &Path, option: &str) -> Result<()> {
    #[cfg(unix)]
    let runnable = |m: &std::fs::Metadata| {
        use std::os::unix::fs::PermissionsExt as _;
        m.permissions().mode() & 0o111 != 0
    };
    #[cfg(not(unix))]
    let runnable = |_: &std::fs::Metadata| true;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && runnable(&m) => Ok(()),
        _ => bail!(tr!(
            "cli-not-program",
            option = option,
            path = path.display()
        )),
    }
}

pub(crate) fn uuid_like() -> String {
    let t = Utc::now().to_string();
    t.chars().filter(|c| c.is_ascii_digit()).collect()
}

pub(crate) fn resume(
    dir: &Path,
    out: &Path,
    case: Option<String>,
    notary_home: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    if out.exists() {
        bail!(tr!("cli-out-exists", path = out.display()));
    }
    let signers = load_signers(notary_home.as_deref())?;
    let reopened = webproof_engine::seal::reopen(dir).map_err(seal_error)?;
    if let Some(seq) = reopened.interruption {
        eprintln!("{}", tr!("cli-interruption", seq = seq));
    }
    let cap = reopened.cap;
    seal_and_package(
        cap,
        &signers,
        Case {
            id: case,
            note: None,
        },
        out,
        false,
        Output::new(json, false),
        None,
        Some(report_cmd::ReportPlan {
            opts: &report_cmd::ReportOpts {
                no_report: false,
                report_pdf: false,
                tz: None,
            },
            chromium: Path::new("/usr/bin/chromium"),
            chromedriver: Path::new("/usr/bin/chromedriver"),
        }),
        None,
    )
    .map(Delivered::exit)
}
