//! The `webproof` command line. Thin: argument parsing, files in the home directory,
//! passphrases and output; all evidence logic lives in the library crates.
//!
//! Exit codes: 0 verified / done, 1 verification failed, 2 usage or input error,
//! 3 package intact but a signer's key is not configured as trusted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use webproof_engine::events::{EnvFinding, Event, Phase, Sealed};
use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::identity::{self, Algorithm, IdentityDoc, PBKDF2_ROUNDS, Role, SecretKey};
use webproof_evidence::manifest::Case;
use webproof_evidence::{Hash32, Utc};
use webproof_i18n::{Catalogue, Lang};
use webproof_verify::{Policy, Verdict};

/// Like std's `println!`, except that a closed stdout (`webproof seal … | true`, a reader that
/// went away) is not a crash: by the time anything is printed the work is done and written,
/// so the rest of the output is dropped and the command ends with its own exit code.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Like std's `eprintln!`, without the panic when stderr is closed.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod capture_cmd;
mod config;
mod depositing;
mod dev_cmd;
mod help;
mod interrupt;
mod log_cmd;
mod ra_cmd;
mod say;

use say::tr;
mod receipt_cmd;
mod report_cmd;
mod stamping;
mod timestamp_cmd;

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "webproof",
    version,
    about = "Notarized web-capture forensics: capture, seal and verify evidence packages"
)]
struct Cli {
    /// The language webproof speaks: en or zh-CN (messages, errors, check names and findings,
    /// reports), or both (a report in Chinese and English side by side). Default:
    /// WEBPROOF_LANG, else the OS locale. `--json` keeps stable identifiers beside the text.
    #[arg(long, global = true, value_name = "en|zh-CN|both")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage the operator (or notary) identity in WEBPROOF_HOME.
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// Seal files (contracts, e-mails, pictures, audio, …) into a signed evidence package.
    Seal(SealArgs),
    /// Capture a web page with webproof's own Chromium: navigate (with a screenshot), full-page
    /// screenshot, DOM snapshot (HTML + MHTML), each step hashed and journaled as it happens,
    /// then sealed into a package.
    Capture(capture_cmd::CaptureArgs),
    /// Check that this machine is clean for a capture (hosts file, proxies, DNS, route,
    /// interfaces, OS, virtualisation, software versions and digests, fonts).
    /// Exit 0 = no failing finding, 1 = a finding fails.
    EnvCheck {
        /// The page you intend to capture (its host is checked in DNS, hosts and route).
        url: Option<String>,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// The Chromium whose version and profile are checked.
        #[arg(long, default_value = "/usr/bin/chromium")]
        chromium: PathBuf,
        /// The chromedriver whose version is checked.
        #[arg(long, default_value = "/usr/bin/chromedriver")]
        chromedriver: PathBuf,
        /// A DNS server (IP or IP:PORT) to ask for the target host besides the system
        /// resolver; answers that differ are flagged. Repeatable.
        #[arg(long = "resolver", value_name = "IP[:PORT]", value_parser = parse_resolver)]
        resolvers: Vec<std::net::SocketAddr>,
        /// Compare the system clock with this time-stamp authority's time (default: the
        /// configured TSAs).
        #[arg(long = "tsa", value_name = "URL")]
        tsa: Vec<String>,
    },
    /// Capture profiles: list, show or check them.
    #[command(subcommand)]
    Profiles(ProfilesCmd),
    /// Work with capture directories.
    #[command(subcommand)]
    Captures(CaptureCmd),
    /// RFC 3161 time-stamp tokens: request one from a TSA, or verify one on its own.
    #[command(subcommand)]
    Timestamp(timestamp_cmd::TimestampCmd),
    /// Add a renewal to a copy of a sealed package: every file's digest (under a hash you
    /// choose), the certificate chains of its time-stamps, and a new time-stamp over them, so
    /// the evidence stays verifiable after a TSA certificate expires or an algorithm weakens.
    Renew(timestamp_cmd::RenewArgs),
    /// Run a witness of evidence logs.
    #[command(subcommand)]
    Witness(log_cmd::WitnessCmd),
    /// Run the evidence log.
    #[command(subcommand)]
    Log(log_cmd::LogCmd),
    /// Run a time-stamp authority (the development TSA).
    #[command(subcommand)]
    Tsa(timestamp_cmd::TsaCmd),
    /// A local development alliance (TSAs, evidence log, witnesses) in one process.
    #[command(subcommand)]
    Dev(dev_cmd::DevCmd),
    /// The evidence log's registration authority: registrars, enrollment codes, revocation.
    #[command(subcommand)]
    Ra(ra_cmd::RaCmd),
    /// The evidence report a judge reads (HTML, and PDF with --pdf): case, operator,
    /// environment, a timeline of every step with thumbnails and digests, video, time-stamps,
    /// log receipts and witnesses, a QR code of the package's SHA-256, how to verify by hand.
    Report(report_cmd::ReportArgs),
    /// Evidence-log receipts of a sealed package.
    #[command(subcommand)]
    Receipt(receipt_cmd::ReceiptCmd),
    /// Verify an evidence package offline. Exit 0 = verified, 1 = failed, 2 = input error,
    /// 3 = intact but a signer is not trusted.
    Verify(VerifyArgs),
}

#[derive(Subcommand)]
enum OperatorCmd {
    /// Create a key pair (encrypted with WEBPROOF_PASSPHRASE) and identity document.
    Init(InitArgs),
    /// Show the identity and its key fingerprint.
    Show {
        /// Whose identity: the operator's, or a notary's.
        #[arg(long, value_enum, default_value = "operator")]
        role: RoleArg,
        /// Print only the fingerprint.
        #[arg(long)]
        fingerprint: bool,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Enroll this operator's key in an evidence log with the one-time code a registrar gave
    /// you after checking your identity; the log's operator CA certifies the key, and sealed
    /// packages carry the certificate.
    Enroll {
        /// The enrollment code.
        #[arg(long)]
        code: String,
        /// The log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Operator,
    Notary,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Operator => Role::Operator,
            RoleArg::Notary => Role::Notary,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum AlgArg {
    Ed25519,
    Sm2,
}

#[derive(Args)]
struct InitArgs {
    /// Real name of the person.
    #[arg(long)]
    name: String,
    /// Organisation (agency, notary office, company).
    #[arg(long)]
    org: Option<String>,
    /// Contact (e-mail or phone).
    #[arg(long)]
    contact: Option<String>,
    /// ID document number; only a salted SHA-256 of it is published (the salt stays in
    /// WEBPROOF_HOME so you can prove the link to a court).
    #[arg(long)]
    id_number: Option<String>,
    /// Signature algorithm of the new key.
    #[arg(long, value_enum, default_value = "ed25519")]
    algorithm: AlgArg,
    /// Whose identity: the operator's, or a notary's.
    #[arg(long, value_enum, default_value = "operator")]
    role: RoleArg,
    /// Replace an existing identity (the old files are kept with a .replaced-<time> suffix).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct SealArgs {
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
}

#[derive(Subcommand)]
enum ProfilesCmd {
    /// The shipped profiles.
    List,
    /// A profile's TOML.
    Show { name: String },
    /// Validate a profile file (exit 0 if valid).
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum CaptureCmd {
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

#[derive(Args)]
struct VerifyArgs {
    /// A .wacz package or a package directory.
    package: PathBuf,
    /// Machine-readable: every check's stable identifier, verdict, English detail and
    /// catalogue message, with its name and text in the chosen language.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    trust: TrustArgs,
}

/// What a reader trusts (`verify`, `report`), besides config.toml.
#[derive(clap::Args, Default)]
pub(crate) struct TrustArgs {
    /// Fingerprint (SHA-256 of SPKI DER, hex) of an operator key to trust. Repeatable.
    #[arg(long = "trust-operator", value_name = "FINGERPRINT")]
    trust_operator: Vec<String>,
    /// Fingerprint of a notary key to trust. Repeatable.
    #[arg(long = "trust-notary", value_name = "FINGERPRINT")]
    trust_notary: Vec<String>,
    /// A time-stamp authority root to trust (PEM or DER file, or a directory of them).
    /// Repeatable. Nothing is trusted by default.
    #[arg(long = "trust-tsa", value_name = "PEM|DIR")]
    trust_tsa: Vec<PathBuf>,
    #[command(flatten)]
    log_trust: depositing::LogTrustArgs,
    /// An evidence log's operator CA certificate (PEM) to trust: operators it certified are
    /// identified by their certificate. Repeatable (also config.toml `[log] operator_ca`).
    #[arg(long = "trust-operator-ca", value_name = "PEM")]
    trust_operator_ca: Vec<PathBuf>,
    /// A log's signed list of revoked operators (`webproof ra revocations > FILE`), checked
    /// with the trusted log keys.
    #[arg(long, value_name = "FILE")]
    revocations: Option<PathBuf>,
}

impl TrustArgs {
    /// The verification policy: these flags plus what config.toml trusts.
    pub(crate) fn policy(&self) -> Result<Policy> {
        let log = self.log_trust.trust()?;
        Ok(Policy {
            trusted_operators: configured_keys(&self.trust_operator, Role::Operator)?,
            trusted_notaries: configured_keys(&self.trust_notary, Role::Notary)?,
            trusted_tsa: tsa_roots(&configured_trust(&self.trust_tsa)?)?,
            log: log.clone(),
            operator_cas: operator_cas(&self.trust_operator_ca)?,
            revoked: match &self.revocations {
                Some(p) => revocations(p, &log)?,
                None => Vec::new(),
            },
            ..Policy::default()
        })
    }
}

/// This machine's UTC offset, read at start (reading it is only sound while the program has
/// one thread).
static LOCAL_OFFSET: std::sync::OnceLock<Option<time::UtcOffset>> = std::sync::OnceLock::new();

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let _ = LOCAL_OFFSET.set(time::UtcOffset::current_local_offset().ok());
    // `--help` in the language asked for (read from the arguments before they are parsed).
    let args: Vec<String> = std::env::args().collect();
    // (English needs no catalogue for the help: it is clap's, from the doc comments.)
    let help_cat = match help::lang_of(&args) {
        Lang::En => None,
        l => Catalogue::new(l).ok(),
    };
    let parsed = match &help_cat {
        Some(cat) => help::localized(Cli::command(), cat)
            .try_get_matches_from(&args)
            .and_then(|m| Cli::from_arg_matches(&m)),
        None => Cli::try_parse_from(&args),
    };
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            match help_cat.as_ref().and_then(|c| help::usage_error(&e, c)) {
                Some(text) => eprintln!("{text}"),
                None => {
                    let _ = e.print();
                }
            }
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    if let Err(e) = say::init(cli.lang.clone()) {
        eprintln!("webproof: error: --lang / WEBPROOF_LANG: {e}");
        return ExitCode::from(2);
    }
    if let Some(cat) = help_cat {
        say::adopt(cat);
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", tr!("cli-error", error = say::error_text(&e)));
            ExitCode::from(2)
        }
    }
}

/// A reader that stops reading (`webproof verify X | head`) ends the output the way it ends
/// any Unix tool's, with the status of SIGPIPE, instead of a panic's trace.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info)
    }));
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Operator(OperatorCmd::Init(a)) => operator_init(a),
        Command::Operator(OperatorCmd::Enroll { code, log }) => ra_cmd::enroll(log, &code),
        Command::Ra(c) => ra_cmd::ra(c),
        Command::Operator(OperatorCmd::Show {
            role,
            fingerprint,
            json,
        }) => {
            let doc = load_identity(&home()?, role.into())?;
            if fingerprint {
                println!("{}", doc.fingerprint);
            } else if json {
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                print_identity(&doc);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Seal(a) => seal(a),
        Command::Captures(CaptureCmd::Resume {
            dir,
            out,
            case,
            notary_home,
            json,
        }) => resume(&dir, &out, case, notary_home, json),
        Command::Capture(a) => capture_cmd::capture(a),
        Command::Profiles(ProfilesCmd::List) => {
            let cat = say::shared()?;
            for (name, text) in webproof_capture::profile::BUILTIN {
                let p = webproof_capture::profile::Profile::parse(name, text)?;
                println!(
                    "{:<10} {}",
                    p.name,
                    cat.profile_description(&p.name, &p.description)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Profiles(ProfilesCmd::Show { name }) => {
            match webproof_capture::profile::BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
            {
                Some((_, text)) => print!("{text}"),
                None => bail!(tr!("cli-no-profile", name = name)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Profiles(ProfilesCmd::Check { file }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| tr!("ctx-reading", path = file.display()))?;
            match webproof_capture::profile::Profile::parse(&file.display().to_string(), &text) {
                Ok(p) => {
                    println!(
                        "{}",
                        tr!("cli-profile-valid", name = p.name, steps = p.steps.len())
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("{}", tr!("cli-profile-invalid", error = e));
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::EnvCheck {
            url,
            json,
            chromium,
            chromedriver,
            resolvers,
            tsa,
        } => {
            let cat = say::shared()?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let tsa = if tsa.is_empty() {
                stamping::TsaArgs::default().urls()
            } else {
                tsa
            };
            let clock = stamping::clock_probe(&tsa, &rt).map(|(t, _)| t);
            let r = webproof_capture::environment::collect(&webproof_capture::environment::Probe {
                target_url: url,
                chromium,
                chromedriver,
                webproof_version: VERSION.into(),
                resolvers,
                trusted_time: clock,
            });
            if json {
                // The report, each finding with its text in the chosen language (the same
                // findings as step 0's `environment` event).
                let findings: Vec<EnvFinding> = r
                    .findings
                    .iter()
                    .map(|f| EnvFinding::new(f, finding_text(&cat, f)))
                    .collect();
                let v = serde_json::json!({
                    "v": r.v,
                    "checked": r.checked,
                    "target": r.target,
                    "findings": findings,
                });
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_env(&r, &cat);
            }
            Ok(if r.worst() == webproof_capture::environment::Grade::Fail {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Captures(CaptureCmd::List) => {
            let dir = home()?.join("captures");
            if let Ok(rd) = std::fs::read_dir(&dir) {
                for e in rd.flatten() {
                    println!("{}", e.path().display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify(a) => verify(a),
        Command::Timestamp(c) => timestamp_cmd::timestamp(c),
        Command::Tsa(c) => timestamp_cmd::tsa(c),
        Command::Dev(c) => dev_cmd::dev(c),
        Command::Receipt(c) => receipt_cmd::receipt(c),
        Command::Report(a) => report_cmd::report(a),
        Command::Renew(a) => timestamp_cmd::renew(a),
        Command::Witness(c) => log_cmd::witness(c),
        Command::Log(c) => log_cmd::log(c),
    }
}

/// Serves `app` on `listen` until killed, first printing `banner(address)` (the address is
/// the real one when the port was 0), flushed so a supervisor can read it.
fn serve_http(
    listen: &str,
    app: axum::Router,
    banner: impl FnOnce(std::net::SocketAddr) -> String,
) -> Result<ExitCode> {
    serve_http_with(listen, app, || {}, banner)
}

/// [`serve_http`], running `start` inside the runtime first (background tasks).
fn serve_http_with(
    listen: &str,
    app: axum::Router,
    start: impl FnOnce(),
    banner: impl FnOnce(std::net::SocketAddr) -> String,
) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        start();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| tr!("ctx-listening", addr = listen))?;
        // A supervisor may stop reading after the lines it needs: a closed stdout is no
        // reason to stop serving.
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", banner(listener.local_addr()?));
        let _ = out.flush();
        // Header, request and idle timeouts and a connection cap (webproof_log::serve).
        webproof_log::serve::serve(listener, app, webproof_log::serve::Limits::default())
            .await
            .context(tr!("ctx-serving"))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `IP` or `IP:PORT` (port 53 by default) of a DNS server.
fn parse_resolver(s: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(a) = s.parse::<std::net::SocketAddr>() {
        return Ok(a);
    }
    s.trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
        .map_err(|_| format!("{s:?} is not an IP address or IP:PORT"))
}

fn home() -> Result<PathBuf> {
    if let Some(h) = std::env::var_os("WEBPROOF_HOME") {
        return Ok(PathBuf::from(h));
    }
    let h = std::env::var_os("HOME").ok_or_else(|| anyhow!(tr!("cli-no-home")))?;
    Ok(PathBuf::from(h).join(".webproof"))
}

fn passphrase(var: &str, prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(var) {
        if p.is_empty() {
            bail!(tr!("cli-var-empty", var = var));
        }
        return Ok(p);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return rpassword::prompt_password(prompt).context(tr!("ctx-passphrase"));
    }
    bail!(tr!("cli-no-passphrase", var = var))
}

/// The shortest passphrase a new key may have (the desktop app's minimum too).
const MIN_PASSPHRASE: usize = 8;

/// The passphrase for a new key: from `var`, else asked twice on the terminal; at least
/// [`MIN_PASSPHRASE`] characters either way.
fn new_passphrase(var: &str) -> Result<String> {
    let pass = match std::env::var(var) {
        Ok(p) => p,
        Err(_) if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            let first =
                rpassword::prompt_password(format!("{} ", tr!("cli-prompt-new-passphrase")))
                    .context(tr!("ctx-passphrase"))?;
            if first.chars().count() >= MIN_PASSPHRASE {
                let again =
                    rpassword::prompt_password(format!("{} ", tr!("cli-prompt-repeat-passphrase")))
                        .context(tr!("ctx-passphrase"))?;
                if again != first {
                    bail!(tr!("cli-passphrases-differ"));
                }
            }
            first
        }
        Err(_) => bail!(tr!("cli-no-passphrase", var = var)),
    };
    if pass.chars().count() < MIN_PASSPHRASE {
        bail!(tr!("cli-passphrase-short", min = MIN_PASSPHRASE));
    }
    Ok(pass)
}

fn role_dir(home: &Path, role: Role) -> PathBuf {
    home.join(role.as_str())
}

fn operator_init(a: InitArgs) -> Result<ExitCode> {
    let home = home()?;
    let role: Role = a.role.into();
    let dir = role_dir(&home, role);
    if dir.join("key.pem").exists() {
        if !a.force {
            bail!(tr!(
                "cli-identity-exists",
                role = say::role(role),
                path = dir.display()
            ));
        }
        let stamp = Utc::now().to_string().replace(':', "");
        let old = home.join(format!("{}.replaced-{stamp}", role.as_str()));
        std::fs::rename(&dir, &old)
            .with_context(|| tr!("ctx-moving-aside", path = dir.display()))?;
    }
    let alg = match a.algorithm {
        AlgArg::Ed25519 => Algorithm::Ed25519,
        AlgArg::Sm2 => Algorithm::Sm2,
    };
    let pass = new_passphrase("WEBPROOF_PASSPHRASE")?;
    let key = SecretKey::generate(alg)?;
    let pk = key.public_key();
    let id_ref = match &a.id_number {
        Some(id) => {
            let salt = identity::new_salt()?;
            write_private(&dir.join("id-salt.hex"), hex::encode(salt).as_bytes())?;
            Some(identity::id_reference(&salt, id))
        }
        None => None,
    };
    let doc = IdentityDoc {
        v: 1,
        role,
        name: a.name,
        organisation: a.org,
        contact: a.contact,
        id_ref,
        algorithm: alg,
        public_key: pk.to_pem()?,
        fingerprint: pk.fingerprint()?,
        created: Utc::now(),
    };
    let pem = key.to_encrypted_pem(pass.as_bytes(), PBKDF2_ROUNDS)?;
    write_private(&dir.join("key.pem"), pem.as_bytes())?;
    write_private(
        &dir.join("identity.json"),
        serde_json::to_string_pretty(&doc)?.as_bytes(),
    )?;
    println!(
        "{}",
        tr!(
            "cli-identity-created",
            role = say::role(role),
            path = dir.display()
        )
    );
    print_identity(&doc);
    Ok(ExitCode::SUCCESS)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).with_context(|| tr!("ctx-creating", path = p.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| tr!("ctx-creating", path = path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| tr!("ctx-writing", path = path.display()))?;
    Ok(())
}

fn print_identity(doc: &IdentityDoc) {
    let role = say::role(doc.role);
    let fingerprint = doc.fingerprint.to_string();
    let mut rows: Vec<(String, &str)> = vec![
        (tr!("cli-field-role"), &role),
        (tr!("cli-field-name"), &doc.name),
    ];
    if let Some(o) = &doc.organisation {
        rows.push((tr!("cli-field-organisation"), o));
    }
    if let Some(c) = &doc.contact {
        rows.push((tr!("cli-field-contact"), c));
    }
    if let Some(r) = &doc.id_ref {
        rows.push((tr!("cli-field-id-ref"), r));
    }
    rows.push((tr!("cli-field-algorithm"), doc.algorithm.as_str()));
    rows.push((tr!("cli-field-fingerprint"), &fingerprint));
    for (label, value) in rows {
        println!("  {}{value}", say::label(&label, 14));
    }
}

fn load_identity(home: &Path, role: Role) -> Result<IdentityDoc> {
    let p = role_dir(home, role).join("identity.json");
    let bytes = std::fs::read(&p).with_context(|| {
        // The other role's identity may be what this home holds (a notary's home).
        let other = match role {
            Role::Operator => Role::Notary,
            Role::Notary => Role::Operator,
        };
        let hint = if role_dir(home, other).join("identity.json").exists() {
            tr!(
                "cli-hint-other-role",
                other = say::role(other),
                flag = other.as_str()
            )
        } else {
            match role {
                Role::Operator => tr!("cli-hint-init-operator"),
                Role::Notary => tr!("cli-hint-init-notary"),
            }
        };
        tr!(
            "cli-no-identity",
            role = say::role(role),
            path = p.display(),
            hint = hint
        )
    })?;
    serde_json::from_slice(&bytes).with_context(|| tr!("ctx-reading", path = p.display()))
}

fn load_key(home: &Path, role: Role, pass_var: &str) -> Result<(SecretKey, IdentityDoc)> {
    let doc = load_identity(home, role)?;
    let p = role_dir(home, role).join("key.pem");
    let pem =
        std::fs::read_to_string(&p).with_context(|| tr!("ctx-reading", path = p.display()))?;
    let pass = passphrase(
        pass_var,
        &format!("{} ", tr!("cli-passphrase-prompt", role = say::role(role))),
    )?;
    let key = SecretKey::from_encrypted_pem(&pem, pass.as_bytes())
        .with_context(|| tr!("ctx-opening", path = p.display()))?;
    if key.public_key().fingerprint()? != doc.fingerprint {
        bail!(tr!(
            "cli-key-not-identity",
            key = p.display(),
            path = role_dir(home, role).display()
        ));
    }
    Ok((key, doc))
}

struct Signers {
    operator: (SecretKey, IdentityDoc),
    notary: Option<(SecretKey, IdentityDoc)>,
    /// The operator's certificate from an evidence log's operator CA (`operator enroll`).
    operator_cert: Option<String>,
}

/// Where `operator enroll` keeps the operator's certificate and its CA's.
fn certificate_file(home: &Path) -> PathBuf {
    role_dir(home, Role::Operator).join("certificate.pem")
}

fn load_signers(notary_home: Option<&Path>) -> Result<Signers> {
    let operator = load_key(&home()?, Role::Operator, "WEBPROOF_PASSPHRASE")?;
    let notary = match notary_home {
        Some(h) => Some(load_key(h, Role::Notary, "WEBPROOF_NOTARY_PASSPHRASE")?),
        None => None,
    };
    // A certificate for another key (an identity replaced since enrollment) is not used.
    let operator_cert = std::fs::read_to_string(certificate_file(&home()?))
        .ok()
        .filter(|pem| {
            let spki = operator.0.public_key().spki_der().unwrap_or_default();
            webproof_timestamp::ca::parse_cert(pem.as_bytes()).is_ok_and(|c| {
                use der::Encode;
                c.tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .is_ok_and(|k| k == spki)
            })
        });
    Ok(Signers {
        operator,
        notary,
        operator_cert,
    })
}

/// What the sealer trusts, for the verdict in the report sealed inside the package: what
/// config.toml trusts, and the sealer's own keys.
fn sealer_policy(signers: &Signers) -> Result<Policy> {
    let mut policy = TrustArgs::default().policy()?;
    policy
        .trusted_operators
        .push(signers.operator.1.fingerprint);
    if let Some(n) = &signers.notary {
        policy.trusted_notaries.push(n.1.fingerprint);
    }
    Ok(policy)
}

/// How a command reports: text for people, one JSON document (`--json`), or JSON lines as
/// things happen (`--events`, for the desktop app: docs/app-events.md).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Text,
    Json,
    Events,
}

impl Output {
    pub(crate) fn new(json: bool, events: bool) -> Output {
        match (json, events) {
            (_, true) => Output::Events,
            (true, false) => Output::Json,
            _ => Output::Text,
        }
    }

    /// One event line on stdout (only with `--events`), flushed at once.
    pub(crate) fn emit(self, event: &Event) {
        if self != Output::Events {
            return;
        }
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", event.to_line());
        let _ = out.flush();
    }

    /// A message for people: a `line` event with `--events`, else on stderr.
    pub(crate) fn line(self, text: &str) {
        match self {
            Output::Events => self.emit(&Event::Line {
                text: text.trim().to_owned(),
            }),
            _ => eprintln!("{text}"),
        }
    }

    /// A journaled step (`--events`): its digests are the chain head after it.
    pub(crate) fn step(self, r: &webproof_evidence::record::StepRecord) {
        self.emit(&Event::Step(r.into()));
    }

    /// A sealing phase begins (`--events`).
    pub(crate) fn phase(self, phase: Phase) {
        self.emit(&Event::Phase { phase });
    }
}

/// Whether the configured TSAs and log delivered for the final chain head (the package is
/// written either way).
#[must_use]
pub(crate) struct Delivered(pub bool);

impl Delivered {
    /// The exit code of a sealing command: 0, or 5 when trusted time or the log did not
    /// deliver (docs/evidence-package.md §6a).
    pub(crate) fn exit(self) -> ExitCode {
        if self.0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(5)
        }
    }
}

impl webproof_engine::seal::Observer for Output {
    fn event(&self, event: Event) {
        self.emit(&event);
    }

    fn note(&self, note: webproof_engine::Note<'_>) {
        for l in stamping::said(&note) {
            self.line(&l);
        }
    }
}

/// A sealing session's error, with the context the user reads.
fn seal_error(e: webproof_engine::seal::SealError) -> anyhow::Error {
    use webproof_engine::seal::SealError as E;
    match e {
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
        E::BeforeSeal(e) => anyhow::anyhow!(e),
    }
}

/// Seals `cap` into `out` (the engine's session) and says what was sealed.
#[allow(clippy::too_many_arguments)]
fn seal_and_package(
    cap: Capture,
    signers: &Signers,
    case: Case,
    out: &Path,
    keep_work: bool,
    output: Output,
    mut stamper: Option<&mut stamping::Stamper>,
    report: Option<report_cmd::ReportPlan<'_>>,
) -> Result<Delivered> {
    let cat = say::shared()?;
    let input = SealInput {
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
            certificate: None,
        }),
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
        &output,
    )
    .map_err(seal_error)?;
    let (manifest, dir) = (sealed.manifest, sealed.dir);
    // What did not deliver is said once, here, and makes the exit code 5.
    if let Some(st) = stamper.as_deref() {
        let seq = manifest.heads.last().map_or(0, |h| h.seq);
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
    let undelivered = sealed.undelivered;
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
        return Ok(Delivered(undelivered.is_empty()));
    }
    // Labels padded to 13 terminal columns (a Chinese character takes two).
    let label = |key: &str| say::label(&cat.t(key), 13);
    println!(
        "{}",
        cat.t_with(
            "cli-sealed",
            &[
                ("steps", &manifest.heads.len().to_string()),
                ("path", &out.display().to_string())
            ]
        )
    );
    println!("  {}{}", label("cli-label-capture"), manifest.capture);
    println!(
        "  {}SHA-256 {}",
        label("cli-label-chain-head"),
        manifest.journal.head.sha256
    );
    println!("  {:<13}SM3     {}", "", manifest.journal.head.sm3);
    println!(
        "  {}{} ({})",
        label("cli-label-operator"),
        signers.operator.1.name,
        signers.operator.1.fingerprint
    );
    if let Some((_, n)) = &signers.notary {
        println!(
            "  {}{} ({})",
            label("cli-label-notary"),
            n.name,
            n.fingerprint
        );
    }
    if keep_work {
        println!(
            "  {}{} {}",
            label("cli-label-capture-dir"),
            dir.display(),
            cat.t("cli-kept")
        );
    }
    Ok(Delivered(undelivered.is_empty()))
}

fn seal(a: SealArgs) -> Result<ExitCode> {
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
    let dir = home()?
        .join("captures")
        .join(format!("seal-{}", uuid_like()));
    let mut cap =
        Capture::create(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    eprintln!("{}", tr!("cli-capture-dir", path = dir.display()));
    for f in &a.files {
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
    if let Some(n) = &a.note {
        cap.add_note(n)?;
    }
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
    )
    .map(Delivered::exit)
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
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(()),
        _ => bail!(tr!(
            "cli-not-program",
            option = option,
            path = path.display()
        )),
    }
}

fn uuid_like() -> String {
    let t = Utc::now().to_string();
    t.chars().filter(|c| c.is_ascii_digit()).collect()
}

fn resume(
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
    let (mut cap, recovery) =
        Capture::resume(dir).with_context(|| tr!("ctx-reopening", path = dir.display()))?;
    if !cap.is_sealed() {
        let mut reason = String::from(
            "the capture process ended without sealing; reopened by `webproof captures resume`",
        );
        if let Some((_, n)) = &recovery.torn_tail {
            reason.push_str(&format!(
                "; the journal ended in an incomplete record of {n} bytes, kept as an artifact"
            ));
        }
        let r = cap.record_interruption(&reason, &recovery)?;
        eprintln!("{}", tr!("cli-interruption", seq = r.seq));
    }
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
    )
    .map(Delivered::exit)
}

/// The TSA roots given on the command line plus those in config.toml's `timestamp.trust`.
fn configured_trust(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut all = given.to_vec();
    if let Ok(h) = home() {
        all.extend(config::Config::load(&h)?.timestamp.trust);
    }
    Ok(all)
}

/// TSA roots from PEM/DER files, or every `.pem`/`.crt`/`.der` file of a directory.
fn tsa_roots(paths: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| tr!("ctx-reading", path = p.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| {
                    matches!(
                        f.extension().and_then(|e| e.to_str()),
                        Some("pem" | "crt" | "der" | "cer")
                    )
                })
                .collect();
            in_dir.sort();
            files.extend(in_dir);
        } else {
            files.push(p.clone());
        }
    }
    let mut out = Vec::new();
    for f in files {
        let b = std::fs::read(&f).with_context(|| tr!("ctx-reading", path = f.display()))?;
        out.extend(
            webproof_timestamp::load_certs(&b)
                .with_context(|| tr!("ctx-reading-tsa-root", path = f.display()))?,
        );
    }
    Ok(out)
}

/// Signer keys to trust: those given as flags and those in config.toml `[trust]`.
pub(crate) fn configured_keys(given: &[String], role: Role) -> Result<Vec<Hash32>> {
    let mut all = given.to_vec();
    if let Ok(h) = home() {
        let t = config::Config::load(&h)?.trust;
        all.extend(match role {
            Role::Operator => t.operators,
            Role::Notary => t.notaries,
        });
    }
    parse_fprs(&all)
}

fn parse_fprs(v: &[String]) -> Result<Vec<Hash32>> {
    v.iter()
        .map(|s| {
            Hash32::from_hex(&s.to_ascii_lowercase())
                .map_err(|_| anyhow!(tr!("cli-bad-fingerprint", value = s)))
        })
        .collect()
}

/// Operator CA certificates given and configured.
fn operator_cas(given: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
    let mut paths = given.to_vec();
    paths.extend(config::Config::load(&home()?)?.log.operator_ca);
    paths
        .iter()
        .map(|p| {
            let b = std::fs::read(p).with_context(|| tr!("ctx-reading", path = p.display()))?;
            webproof_timestamp::ca::parse_cert(&b)
                .map_err(|e| anyhow!(tr!("cli-not-certificate", path = p.display(), error = e)))
        })
        .collect()
}

/// A log's revocation list, signed by a trusted log key: (fingerprint, time) pairs.
fn revocations(
    path: &Path,
    trust: &webproof_ledger::receipt::LogTrust,
) -> Result<Vec<(String, u64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    let note = webproof_ledger::note::Note::parse(&text)
        .with_context(|| tr!("cli-not-signed-note", path = path.display()))?;
    let mut lines = note.text.lines();
    let (head, origin) = (lines.next(), lines.next().unwrap_or(""));
    if head != Some("webproof-log revocations/v1") {
        bail!(tr!("cli-not-revocations", path = path.display()));
    }
    let key = trust
        .logs
        .iter()
        .find(|k| k.name == origin)
        .with_context(|| tr!("cli-revocations-untrusted", log = origin))?;
    note.verify_signer(key)
        .with_context(|| tr!("cli-revocations-unsigned", log = origin))?;
    lines.next();
    lines
        .map(|l| {
            let (f, t) = l
                .split_once(' ')
                .with_context(|| tr!("cli-revocation-line", line = l))?;
            Ok((
                f.to_owned(),
                t.parse()
                    .with_context(|| tr!("cli-revocation-line", line = l))?,
            ))
        })
        .collect()
}

fn verify(a: VerifyArgs) -> Result<ExitCode> {
    if !a.json {
        return verify_package(a);
    }
    // With --json, a usage or input error is a JSON document too (and still exit 2).
    let package = a.package.display().to_string();
    verify_package(a).or_else(|e| {
        let v = serde_json::json!({
            "package": package,
            "verdict": null,
            "error": say::error_text(&e),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        Ok(ExitCode::from(2))
    })
}

fn verify_package(a: VerifyArgs) -> Result<ExitCode> {
    let policy = a.trust.policy()?;
    let (lang, cat) = (say::lang(), say::shared()?);
    let report = webproof_verify::verify_path(&a.package, &policy)?;
    let verdict = report.verdict();
    if a.json {
        let checks: Vec<serde_json::Value> = report
            .checks
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                v["name"] = cat.check_name(c.id).into();
                v["text"] = check_text(&cat, c).into();
                v
            })
            .collect();
        let v = serde_json::json!({
            "package": report.package,
            "verdict": verdict,
            "capture": report.capture,
            "chain_head": report.chain_head,
            "checks": checks,
            "time": report.time,
            "lang": lang.tag(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let word = |v: Verdict| cat.t(&webproof_i18n::verdict_key(v.as_str()));
        for c in &report.checks {
            if lang == Lang::En {
                println!(
                    "{:<9} {:<18} {}: {}",
                    c.verdict.as_str(),
                    c.id,
                    c.subject,
                    c.detail
                );
            } else {
                println!(
                    "{}  {} ({})  {}: {}",
                    word(c.verdict),
                    cat.check_name(c.id),
                    c.id,
                    c.subject,
                    check_text(&cat, c)
                );
            }
        }
        let fails = report.failures().count();
        let count = report.checks.len().to_string();
        match verdict {
            Verdict::Pass => println!("{}", cat.t_with("summary-pass", &[("count", &count)])),
            Verdict::Untrusted => {
                let mut what: Vec<&str> = report
                    .checks
                    .iter()
                    .filter(|c| c.verdict == Verdict::Untrusted)
                    .map(|c| match c.id {
                        "timestamp.token" => "untrusted-tsa",
                        "timestamp.coverage" => "untrusted-coverage",
                        id if id.starts_with("receipt.") => "untrusted-log",
                        _ => "untrusted-signer",
                    })
                    .collect();
                what.dedup();
                let what: Vec<String> = what.iter().map(|k| cat.t(k)).collect();
                let sep = if lang == Lang::En { "; " } else { "；" };
                println!(
                    "{}",
                    cat.t_with("summary-untrusted", &[("what", &what.join(sep))])
                )
            }
            Verdict::Finding => println!(
                "{}",
                cat.t_with(
                    "summary-findings",
                    &[("count", &report.findings().count().to_string())]
                )
            ),
            Verdict::Fail => println!(
                "{}",
                cat.t_with(
                    "summary-fail",
                    &[("fails", &fails.to_string()), ("count", &count)]
                )
            ),
        }
    }
    Ok(verdict_exit(verdict))
}

/// The exit code of a verdict (docs/evidence-package.md §7): 0 VERIFIED, 1 FAILED, 3 INTACT,
/// NOT TRUSTED, 4 INTACT WITH FINDINGS.
pub(crate) fn verdict_exit(v: Verdict) -> ExitCode {
    match v {
        Verdict::Pass => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(1),
        Verdict::Untrusted => ExitCode::from(3),
        Verdict::Finding => ExitCode::from(4),
    }
}

fn print_env(r: &webproof_capture::environment::EnvReport, cat: &Catalogue) {
    for f in &r.findings {
        match cat.lang() {
            Lang::En => eprintln!(
                "  {:<8} {:<16} {}",
                f.grade.as_str().to_uppercase(),
                f.id,
                finding_text(cat, f)
            ),
            _ => eprintln!(
                "  {} {}{}{}",
                cat.t(&format!("grade-word-{}", f.grade.as_str())),
                cat.t(&format!("env-name-{}", f.id)),
                cat.colon(),
                finding_text(cat, f)
            ),
        }
    }
}

/// A finding in the catalogue's language (its English summary in English, where it is the
/// fullest text).
pub(crate) fn finding_text(cat: &Catalogue, f: &webproof_capture::environment::Finding) -> String {
    cat.finding(&f.summary, f.message.as_ref())
}

/// A check's text in the catalogue's language (the verifier's English detail in English).
fn check_text(cat: &Catalogue, c: &webproof_verify::Check) -> String {
    cat.finding(&c.detail, c.message.as_ref())
}
