//! `webproof timestamp request|verify` and `webproof tsa serve --dev`.

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
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
    /// Digest algorithm.
    #[arg(long, value_enum, default_value = "sha256")]
    alg: AlgArg,
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
    fn digest(&self) -> Result<(HashAlg, Vec<u8>)> {
        let alg = HashAlg::from(self.alg);
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
        TimestampCmd::Request { tsa, subject, out } => {
            let (alg, digest) = subject.digest()?;
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
            let stamp = rt.block_on(client.stamp(&tsa, &req))?;
            webproof_evidence::package::write_file(&out, &stamp.response)
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
        TimestampCmd::Verify {
            token,
            subject,
            trust,
            chain,
            request,
            json,
        } => {
            let bytes = std::fs::read(&token)
                .with_context(|| tr!("ctx-reading", path = token.display()))?;
            let t = match webproof_timestamp::parse_response(&bytes) {
                Ok(t) => t,
                Err(webproof_timestamp::TspError::Malformed { .. }) => {
                    webproof_timestamp::parse_token(&bytes)
                        .with_context(|| tr!("cli-not-token", path = token.display()))?
                }
                Err(e) => return Err(e.into()),
            };
            let (alg, digest) = subject.digest()?;
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
                let verdict = match v.verdict {
                    Verdict::Trusted => tr!("cli-ts-trusted"),
                    Verdict::Untrusted => tr!("cli-ts-untrusted"),
                    Verdict::Invalid => tr!("cli-ts-invalid"),
                };
                println!("{verdict}: {}", token.display());
                let field = |key: &str, value: &dyn std::fmt::Display| {
                    let label = crate::say::t_with(key, &[]);
                    println!("  {}{value}", crate::say::label(&label, 11));
                };
                field("cli-field-gen-time", &v.info.gen_time);
                if let Some(a) = v.info.accuracy_micros {
                    field("cli-field-accuracy", &format!("±{} ms", a as f64 / 1000.0));
                }
                field(
                    "cli-field-imprint",
                    &format!("{} {}", v.info.imprint_alg.name(), v.info.imprint),
                );
                field("cli-field-policy", &v.info.policy);
                if let Some(s) = &v.signer {
                    let dev = if s.contains(webproof_timestamp::dev::DEV_MARK) {
                        format!(" {}", tr!("cli-dev-tsa-mark"))
                    } else {
                        String::new()
                    };
                    field("cli-field-signer", &format!("{s}{dev}"));
                }
                for c in v.chain.iter().skip(1) {
                    field("cli-field-chain", c);
                }
                if let Some(p) = &v.problem {
                    use webproof_verify::explain::Explain as _;
                    let reason = match crate::say::lang() {
                        webproof_i18n::Lang::En => v.reason.clone(),
                        _ => crate::say::message(&p.message()),
                    };
                    field("cli-field-reason", &reason);
                }
            }
            Ok(match v.verdict {
                Verdict::Trusted => ExitCode::SUCCESS,
                Verdict::Untrusted => ExitCode::from(3),
                Verdict::Invalid => ExitCode::from(1),
            })
        }
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
/// package's tokens, and a new token over it) to a copy of the package.
pub fn renew(a: RenewArgs) -> Result<ExitCode> {
    use webproof_evidence::package::{self, Limits};
    use webproof_evidence::renewal::{self, Part, RenewalAlg};
    if a.out.exists() {
        bail!(tr!("cli-out-exists", path = a.out.display()));
    }
    let urls = a.tsa.urls();
    if urls.is_empty() {
        bail!(tr!("cli-renew-no-tsa"));
    }
    let limits = Limits::default();
    let roots = crate::trust::tsa_roots(&crate::trust::configured_trust(&a.trust_tsa)?)?;
    // Renewing a package that does not verify would lend it new credibility: refuse.
    let report = webproof_verify::verify_path(
        &a.package,
        &webproof_verify::Policy {
            trusted_tsa: roots.clone(),
            ..webproof_verify::Policy::default()
        },
    )?;
    if report.verdict() == webproof_verify::Verdict::Fail {
        let first = report.first_failure().unwrap_or_default();
        bail!(tr!(
            "cli-renew-fails",
            path = a.package.display(),
            first = first
        ));
    }
    let capture = report.capture.clone().context(tr!("cli-no-capture"))?;
    let src = package::open(&a.package, &limits)
        .with_context(|| tr!("ctx-opening", path = a.package.display()))?;
    let work = a.out.with_extension("renew-work");
    if work.exists() {
        bail!(tr!("cli-work-exists", path = work.display()));
    }
    let result = (|| -> Result<()> {
        unpack(src.as_ref(), &work)?;
        let n = src
            .entries()
            .iter()
            .filter(|e| matches!(renewal::classify(&e.name), Some((_, Part::Record))))
            .count() as u32
            + 1;
        // The certificates that verify every token so far, and the roots given.
        let mut certs: Vec<x509_cert::Certificate> = Vec::new();
        for e in src.entries() {
            if !(e.name.ends_with(".tsr")) {
                continue;
            }
            let b = src.read_all(&e.name, 1 << 20)?;
            if let Ok(t) = webproof_timestamp::parse_response(&b)
                .or_else(|_| webproof_timestamp::parse_token(&b))
            {
                certs.extend(t.certificates());
            }
        }
        certs.extend(roots.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        certs.retain(|c| seen.insert(der_bytes(c)));
        webproof_evidence::package::write_file(
            &work.join(renewal::certs_path(n)),
            webproof_timestamp::certs_to_pem(&certs)?.as_bytes(),
        )?;
        // The record.
        let alg = match a.alg {
            RenewAlgArg::Sha256 => RenewalAlg::Sha256,
            RenewAlgArg::Sha512 => RenewalAlg::Sha512,
            RenewAlgArg::Sm3 => RenewalAlg::Sm3,
        };
        let dir_src = package::open(&work, &limits)?;
        let record = renewal::plan(dir_src.as_ref(), &capture, n, alg)?;
        let bytes = renewal::to_bytes(&record)?;
        webproof_evidence::package::write_file(&work.join(renewal::json_path(n)), &bytes)?;
        // Its tokens.
        let hash = match alg {
            RenewalAlg::Sha256 => HashAlg::Sha256,
            RenewalAlg::Sha512 => HashAlg::Sha512,
            RenewalAlg::Sm3 => HashAlg::Sm3,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = webproof_net::TsaClient::new(std::time::Duration::from_secs(10))?;
        let mut stamped = 0;
        for (k, url) in urls.iter().enumerate() {
            let req = webproof_timestamp::request(
                hash,
                &hash.digest(&bytes),
                Some(webproof_timestamp::random_nonce()?),
                None,
            )?;
            match rt.block_on(client.stamp(url, &req)) {
                Ok(s) => {
                    webproof_evidence::package::write_file(
                        &work.join(renewal::token_path(n, k + 1, "tsq")),
                        &req.der,
                    )?;
                    webproof_evidence::package::write_file(
                        &work.join(renewal::token_path(n, k + 1, "tsr")),
                        &s.response,
                    )?;
                    eprintln!(
                        "{}",
                        tr!(
                            "cli-renewal-stamped",
                            n = n,
                            url = url,
                            time = s.token.info.gen_time
                        )
                    );
                    stamped += 1;
                }
                Err(e) => eprintln!("  {}", crate::say::error_text(&e.into())),
            }
        }
        if stamped == 0 {
            bail!(tr!("cli-renew-none"));
        }
        // The derived WACZ files now list the renewal's files too.
        rederive_datapackage(&work, &limits)?;
        package::write_zip(&work, &a.out, &limits)
            .with_context(|| tr!("ctx-writing", path = a.out.display()))?;
        println!(
            "{}",
            tr!(
                "cli-renewal-added",
                n = n,
                count = record.files.len(),
                alg = alg.as_str(),
                path = a.out.display()
            )
        );
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&work);
    result.map(|()| ExitCode::SUCCESS)
}

/// Copies every file of a package into the directory `work`.
pub fn unpack(src: &dyn webproof_evidence::package::PackageSource, work: &Path) -> Result<()> {
    for e in src.entries() {
        let dst = work.join(&e.name);
        if let Some(p) = dst.parent() {
            std::fs::create_dir_all(p)?;
        }
        let mut f = std::fs::File::create(&dst)
            .with_context(|| tr!("ctx-creating", path = dst.display()))?;
        src.read_with(&e.name, &mut |r| std::io::copy(r, &mut f).map(|_| ()))?;
        f.sync_all()?;
    }
    Ok(())
}

fn der_bytes(c: &x509_cert::Certificate) -> Vec<u8> {
    use x509_cert::der::Encode;
    c.to_der().unwrap_or_default()
}

/// Rewrites `datapackage.json` and `datapackage-digest.json` of the package directory `dir`.
pub fn rederive_datapackage(dir: &Path, limits: &webproof_evidence::package::Limits) -> Result<()> {
    use webproof_evidence::{layout, wacz};
    for p in [layout::DATAPACKAGE, layout::DATAPACKAGE_DIGEST] {
        std::fs::remove_file(dir.join(p)).with_context(|| tr!("ctx-replacing", path = p))?;
    }
    let manifest: webproof_evidence::manifest::Manifest =
        serde_json::from_slice(&std::fs::read(dir.join(layout::MANIFEST))?)?;
    let src = webproof_evidence::package::open(dir, limits)?;
    let mut resources = Vec::new();
    for e in src.entries() {
        let mut d = None;
        src.read_with(&e.name, &mut |r| {
            d = Some(webproof_evidence::digest::digest_reader(r)?);
            Ok(())
        })?;
        if let Some((digests, size)) = d {
            resources.push(wacz::Resource::new(&e.name, digests.sha256, size));
        }
    }
    let dp = wacz::datapackage(&manifest, &resources)?;
    webproof_evidence::package::write_file(&dir.join(layout::DATAPACKAGE), &dp)?;
    webproof_evidence::package::write_file(
        &dir.join(layout::DATAPACKAGE_DIGEST),
        &wacz::datapackage_digest(&dp)?,
    )?;
    Ok(())
}
