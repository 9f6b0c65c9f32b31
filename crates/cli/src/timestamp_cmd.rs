//! `webproof timestamp request|verify` and `webproof tsa serve --dev`.

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use webproof_message::key;
use webproof_timestamp::dev::{DevTsa, DevTsaFiles};
use webproof_timestamp::{Expect, HashAlg, Trust, Verdict};

#[derive(Subcommand)]
pub enum TimestampCmd {
    /// Ask a TSA to stamp a file (or a digest); writes its response (.tsr).
    Request {
        /// The time-stamp authority's URL.
        #[arg(long)]
        tsa: String,
        #[command(flatten)]
        subject: Subject,
        /// Where to write the response (.tsr).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Check one RFC 3161 token (or response) on its own: exit 0 only if it is valid for the
    /// data and chains to a --trust anchor as of its genTime; 3 valid but not trusted; 1 invalid.
    Verify {
        /// The token (.tsr response or bare token, DER).
        token: PathBuf,
        #[command(flatten)]
        subject: Subject,
        /// A trusted TSA root (PEM, or DER). Repeatable. Nothing is trusted by default.
        #[arg(long = "trust", value_name = "PEM")]
        trust: Vec<PathBuf>,
        /// More certificates for the chain (when the token carries none).
        #[arg(long = "chain", value_name = "PEM")]
        chain: Vec<PathBuf>,
        /// The request (.tsq) the token answers: its nonce is checked too.
        #[arg(long)]
        request: Option<PathBuf>,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct Subject {
    /// The stamped file.
    #[arg(long, conflicts_with = "digest", required_unless_present = "digest")]
    data: Option<PathBuf>,
    /// The stamped digest (hex).
    #[arg(long)]
    digest: Option<String>,
    /// Digest algorithm [request: sha256 if not given; verify: the token's own imprint
    /// algorithm if not given, as `openssl ts -verify -data` does].
    #[arg(long, value_enum)]
    alg: Option<AlgArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum AlgArg {
    Sha256,
    Sha384,
    Sha512,
    Sm3,
}

impl From<AlgArg> for HashAlg {
    fn from(a: AlgArg) -> HashAlg {
        match a {
            AlgArg::Sha256 => HashAlg::Sha256,
            AlgArg::Sha384 => HashAlg::Sha384,
            AlgArg::Sha512 => HashAlg::Sha512,
            AlgArg::Sm3 => HashAlg::Sm3,
        }
    }
}

impl Subject {
    /// The subject's digest under `--alg`, else under `default`.
    fn digest(&self, default: HashAlg) -> Result<(HashAlg, Vec<u8>)> {
        let alg = self.alg.map_or(default, HashAlg::from);
        let d = match (&self.data, &self.digest) {
            (Some(p), _) => {
                let bytes =
                    std::fs::read(p).with_context(|| tr!("ctx-reading", path = p.display()))?;
                alg.digest(&bytes)
            }
            (None, Some(h)) => hex::decode(h.trim()).context(tr!("cli-digest-not-hex"))?,
            (None, None) => bail!(tr!("cli-data-or-digest")),
        };
        if d.len() != alg.output_len() {
            bail!(tr!(
                "cli-digest-length",
                alg = alg.name(),
                expected = alg.output_len(),
                found = d.len()
            ));
        }
        Ok((alg, d))
    }
}

#[derive(Subcommand)]
pub enum TsaCmd {
    /// Run an RFC 3161 responder over HTTP (POST application/timestamp-query).
    Serve {
        /// Development TSA with a generated CA kept in WEBPROOF_HOME/dev-tsa (its tokens
        /// verify, but are trusted only where its root is added on purpose).
        #[arg(long, required = true)]
        dev: bool,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:3161")]
        listen: String,
    },
}

fn certs(paths: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
    let mut out = Vec::new();
    for p in paths {
        let b = std::fs::read(p).with_context(|| tr!("ctx-reading", path = p.display()))?;
        out.extend(
            webproof_timestamp::load_certs(&b)
                .with_context(|| tr!("ctx-reading", path = p.display()))?,
        );
    }
    Ok(out)
}

pub fn timestamp(cmd: TimestampCmd) -> Result<ExitCode> {
    match cmd {
        TimestampCmd::Request { tsa, subject, out } => request_token(&tsa, &subject, &out),
        TimestampCmd::Verify {
            token,
            subject,
            trust,
            chain,
            request,
            json,
        } => {
            let t = read_token(&token)?;
            // Hashed as the token says it was stamped, unless told otherwise.
            let (alg, digest) = subject.digest(t.info.imprint_alg)?;
            let mut expect = Expect {
                imprint: Some((alg, digest)),
                nonce: None,
            };
            if let Some(r) = request {
                let rb =
                    std::fs::read(&r).with_context(|| tr!("ctx-reading", path = r.display()))?;
                let req = webproof_timestamp::Request::from_der(&rb)?;
                expect.nonce = req.nonce;
            }
            let trust = Trust {
                anchors: certs(&trust)?,
                intermediates: certs(&chain)?,
                signer_subject: None,
            };
            let v = webproof_timestamp::verify(&t, &expect, &trust);
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                say_token(&v, &token);
            }
            Ok(match v.verdict {
                Verdict::Trusted => ExitCode::SUCCESS,
                Verdict::Untrusted => ExitCode::from(3),
                Verdict::Invalid => ExitCode::from(1),
            })
        }
    }
}

/// `timestamp request`: asks the TSA at `tsa` to stamp the subject's digest; writes its
/// response to `out`.
fn request_token(tsa: &str, subject: &Subject, out: &Path) -> Result<ExitCode> {
    let (alg, digest) = subject.digest(HashAlg::Sha256)?;
    let req = webproof_timestamp::request(
        alg,
        &digest,
        Some(webproof_timestamp::random_nonce()?),
        None,
    )?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = webproof_net::TsaClient::new(std::time::Duration::from_secs(10))?;
    let stamp = rt.block_on(client.stamp(tsa, &req))?;
    webproof_evidence::package::write_file(out, &stamp.response)
        .with_context(|| tr!("ctx-writing", path = out.display()))?;
    println!(
        "{}",
        tr!(
            "cli-ts-stamped",
            tsa = tsa,
            alg = alg.name(),
            digest = hex::encode(&digest),
            time = stamp.token.info.gen_time,
            path = out.display()
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// A time-stamp response (.tsr) or a bare token, from `path`.
fn read_token(path: &Path) -> Result<webproof_timestamp::Token> {
    let bytes = std::fs::read(path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    match webproof_timestamp::parse_response(&bytes) {
        Ok(t) => Ok(t),
        Err(webproof_timestamp::TspError::Malformed { .. }) => {
            webproof_timestamp::parse_token(&bytes)
                .with_context(|| tr!("cli-not-token", path = path.display()))
        }
        Err(e) => Err(e.into()),
    }
}

/// A token's verdict and fields, for people.
fn say_token(v: &webproof_timestamp::Verification, token: &Path) {
    let verdict = match v.verdict {
        Verdict::Trusted => tr!("cli-ts-trusted"),
        Verdict::Untrusted => tr!("cli-ts-untrusted"),
        Verdict::Invalid => tr!("cli-ts-invalid"),
    };
    println!("{verdict}: {}", token.display());
    let field = |key: webproof_message::Key, value: &dyn std::fmt::Display| {
        let label = crate::say::t_with(key, &[]);
        println!("  {}{value}", crate::say::label(&label, 11));
    };
    field(key!("cli-field-gen-time"), &v.info.gen_time);
    if let Some(a) = v.info.accuracy_micros {
        field(
            key!("cli-field-accuracy"),
            &format!("±{} ms", a as f64 / 1000.0),
        );
    }
    field(
        key!("cli-field-imprint"),
        &format!("{} {}", v.info.imprint_alg.name(), v.info.imprint),
    );
    field(key!("cli-field-policy"), &v.info.policy);
    if let Some(s) = &v.signer {
        let dev = if s.contains(webproof_timestamp::dev::DEV_MARK) {
            format!(" {}", tr!("cli-dev-tsa-mark"))
        } else {
            String::new()
        };
        field(key!("cli-field-signer"), &format!("{s}{dev}"));
    }
    for c in v.chain.iter().skip(1) {
        field(key!("cli-field-chain"), c);
    }
    if let Some(p) = &v.problem {
        use webproof_verify::explain::Explain as _;
        let reason = match crate::say::lang() {
            webproof_i18n::Lang::En => v.reason.clone(),
            _ => crate::say::message(&p.message()),
        };
        field(key!("cli-field-reason"), &reason);
    }
}

/// The development TSA of this WEBPROOF_HOME, created on first use.
pub fn dev_tsa(home: &Path) -> Result<(DevTsa, PathBuf)> {
    let dir = home.join("dev-tsa");
    let root = dir.join("root.pem");
    let files = [root.clone(), dir.join("tsa.pem"), dir.join("tsa.key")];
    if files.iter().all(|p| p.exists()) {
        let read = |p: &PathBuf| {
            std::fs::read_to_string(p).with_context(|| tr!("ctx-reading", path = p.display()))
        };
        let tsa = DevTsa::from_files(&DevTsaFiles {
            root_pem: read(&files[0])?,
            tsa_pem: read(&files[1])?,
            key_pem: read(&files[2])?,
        })?;
        return Ok((tsa, root));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let tsa = DevTsa::generate(now)?;
    let f = tsa.to_files()?;
    std::fs::create_dir_all(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    webproof_evidence::package::write_file(&files[0], f.root_pem.as_bytes())?;
    webproof_evidence::package::write_file(&files[1], f.tsa_pem.as_bytes())?;
    crate::identity_cmd::write_private(&files[2], f.key_pem.as_bytes())?;
    Ok((tsa, root))
}

/// The development TSA of `home` as an HTTP service (`POST /`), and its root's path.
pub fn dev_tsa_app(home: &Path) -> Result<(axum::Router, PathBuf)> {
    use axum::routing::post;
    let (tsa, root) = dev_tsa(home)?;
    let app = axum::Router::new()
        .route("/", post(respond))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(Arc::new(tsa));
    Ok((app, root))
}

pub fn tsa(cmd: TsaCmd) -> Result<ExitCode> {
    let TsaCmd::Serve { dev: _, listen } = cmd;
    let (app, root) = dev_tsa_app(&crate::config::home()?)?;
    crate::serve::serve_http(&listen, app, |addr| {
        format!(
            "{}\n  {}\n  {}",
            tr!("cli-tsa-banner", url = format!("http://{addr}/")),
            tr!("cli-tsa-root", path = root.display()),
            tr!("cli-tsa-trust", path = root.display())
        )
    })
}

async fn respond(
    axum::extract::State(tsa): axum::extract::State<Arc<DevTsa>>,
    body: axum::body::Bytes,
) -> impl axum::response::IntoResponse {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/timestamp-reply",
        )],
        tsa.respond(&body, now),
    )
}

#[derive(Args)]
pub struct RenewArgs {
    /// The sealed package to renew.
    package: PathBuf,
    /// Where to write the renewed package (the original is left as it is).
    #[arg(long, short)]
    out: PathBuf,
    /// Time-stamp authorities for the renewal token. Repeatable (or WEBPROOF_TSA).
    #[command(flatten)]
    tsa: crate::stamping::TsaArgs,
    /// Hash algorithm of the renewal (choose a stronger one when the old one weakens).
    #[arg(long, value_enum, default_value = "sha256")]
    alg: RenewAlgArg,
    /// TSA roots to keep in the renewal's certificate file and to check the package against.
    #[arg(long = "trust-tsa", value_name = "PEM|DIR")]
    trust_tsa: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum RenewAlgArg {
    Sha256,
    Sha512,
    Sm3,
}

/// `webproof renew`: adds renewal NNN (every file's digest, the certificate chains of the
/// package's tokens, and a new token over it) to a copy of the package (the engine's
/// session).
pub fn renew(a: RenewArgs) -> Result<ExitCode> {
    use webproof_evidence::renewal::RenewalAlg;
    let roots = crate::trust::tsa_roots(&crate::trust::configured_trust(&a.trust_tsa)?)?;
    let urls = a.tsa.urls();
    let rt = amend_runtime()?;
    let renewal = webproof_engine::amend::Renewal {
        package: &a.package,
        out: &a.out,
        tsa_urls: &urls,
        alg: match a.alg {
            RenewAlgArg::Sha256 => RenewalAlg::Sha256,
            RenewAlgArg::Sha512 => RenewalAlg::Sha512,
            RenewAlgArg::Sm3 => RenewalAlg::Sm3,
        },
        roots: &roots,
    };
    let renewed = webproof_engine::amend::renew(&renewal, &say_note, rt.handle())
        .map_err(|e| amend_error(e, Amending::Renewal))?;
    println!(
        "{}",
        tr!(
            "cli-renewal-added",
            n = renewed.n,
            count = renewed.files,
            alg = renewed.alg.as_str(),
            path = a.out.display()
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The runtime an amendment runs on: a worker thread drives the requests the engine waits for.
pub(crate) fn amend_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context(tr!("ctx-runtime"))
}

/// Says what the engine noted while amending, on stderr.
pub(crate) fn say_note(n: webproof_engine::Note<'_>) {
    for l in crate::stamping::said(&n) {
        eprintln!("{l}");
    }
}

/// Which amendment failed.
#[derive(Clone, Copy)]
pub(crate) enum Amending {
    Renewal,
    Refresh,
    Review,
}

/// An amendment's error, with the words the user reads.
pub(crate) fn amend_error(e: webproof_engine::amend::AmendError, what: Amending) -> anyhow::Error {
    use webproof_engine::amend::AmendError as E;
    let said = |text: String| anyhow::anyhow!(text);
    match e {
        E::OutExists(path) => said(tr!("cli-out-exists", path = path.display())),
        E::WorkExists(path) => said(tr!("cli-work-exists", path = path.display())),
        E::Fails { package, first } => said(match what {
            Amending::Renewal => tr!("cli-renew-fails", path = package.display(), first = first),
            Amending::Refresh => tr!("cli-refresh-fails", path = package.display(), first = first),
            Amending::Review => tr!("cli-review-fails", path = package.display(), first = first),
        }),
        E::NotNotary(role) => said(tr!("cli-review-not-notary", role = role)),
        E::OwnPackage => said(tr!("cli-review-own-package")),
        E::ReviewFails { first } => said(tr!("cli-review-written-fails", first = first)),
        E::Sign(e) => anyhow::Error::new(e).context(tr!("ctx-signing-review")),
        E::NoCapture => said(tr!("cli-no-capture")),
        E::NoTsa => said(match what {
            Amending::Review => tr!("cli-review-no-tsa"),
            _ => tr!("cli-renew-no-tsa"),
        }),
        E::NoneStamped => said(match what {
            Amending::Review => tr!("cli-review-none-stamped"),
            _ => tr!("cli-renew-none"),
        }),
        E::NoReceipts(path) => said(tr!("cli-no-receipts", path = path.display())),
        E::NoCheckpoint { url } => said(tr!("cli-url-no-checkpoint", url = url)),
        E::NotOfLog { url, log, source } => {
            anyhow::Error::new(source).context(tr!("cli-checkpoint-not-of", url = url, log = log))
        }
        E::NothingToRefresh { size, held } => {
            said(tr!("cli-nothing-to-refresh", size = size, held = held))
        }
        E::Older { size, old } => said(tr!("cli-checkpoint-older", size = size, old = old)),
        E::NoConsistency { url, old, size } => {
            said(tr!("cli-no-consistency", url = url, old = old, size = size))
        }
        E::ConsistencyMalformed => said(tr!("cli-consistency-malformed")),
        E::SplitView(source) => anyhow::Error::new(source).context(tr!("cli-split-view")),
        E::Open { path, source } => {
            anyhow::Error::new(source).context(tr!("ctx-opening", path = path.display()))
        }
        E::Io { path, source } => anyhow::Error::new(source).context(path.display().to_string()),
        E::Member { name, source } => anyhow::Error::new(source).context(name),
        E::Checkpoint(source) => anyhow::Error::new(source).context(tr!("ctx-checkpoint")),
        E::Verify(e) => e.into(),
        E::Package(e) => e.into(),
        E::Datapackage(e) => e.into(),
        E::Tsp(e) => e.into(),
        E::Client(e) | E::Log(e) => e.into(),
        e @ (E::Manifest(_) | E::Canonical(_) | E::Encode(_)) => e.into(),
    }
}
