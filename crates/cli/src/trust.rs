//! What a reader trusts (`verify`, `report`, the sealer's own verdict): flags plus
//! config.toml — operator and notary keys, TSA roots, logs and witnesses, operator CAs,
//! revocations.

use crate::config;
use crate::config::home;
use crate::depositing;
use crate::say::tr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use webproof_evidence::Hash32;
use webproof_evidence::identity::Role;
use webproof_verify::Policy;

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
    /// An alliance trust bundle (docs/trust-bundle.md): its logs, witnesses and quorum,
    /// operator CAs and TSA roots are trusted. Repeatable.
    #[arg(long = "trust-bundle", value_name = "FILE")]
    trust_bundle: Vec<PathBuf>,
    /// A log's signed list of revoked operators (`webproof ra revocations > FILE`), checked
    /// with the trusted log keys.
    #[arg(long, value_name = "FILE")]
    revocations: Option<PathBuf>,
}

impl TrustArgs {
    /// The verification policy: these flags plus what config.toml trusts.
    pub(crate) fn policy(&self) -> Result<Policy> {
        let mut policy = Policy {
            trusted_operators: configured_keys(&self.trust_operator, Role::Operator)?,
            trusted_notaries: configured_keys(&self.trust_notary, Role::Notary)?,
            trusted_tsa: tsa_roots(&configured_trust(&self.trust_tsa)?)?,
            log: self.log_trust.trust()?,
            operator_cas: operator_cas(&self.trust_operator_ca)?,
            ..Policy::default()
        };
        for p in &self.trust_bundle {
            read_bundle(p)?.apply(&mut policy);
        }
        // Checked with every log key trusted, a bundle's too.
        if let Some(p) = &self.revocations {
            policy.revoked = revocations(p, &policy.log)?;
        }
        Ok(policy)
    }
}

/// A trust bundle from `path`, every entry read.
fn read_bundle(path: &Path) -> Result<webproof_verify::bundle::Trusted> {
    let bytes = std::fs::read(path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    webproof_verify::bundle::read(&bytes).with_context(|| tr!("ctx-reading", path = path.display()))
}

/// The TSA roots given on the command line plus those in config.toml's `timestamp.trust`.
pub(crate) fn configured_trust(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut all = given.to_vec();
    if let Ok(h) = home() {
        all.extend(config::Config::load(&h)?.timestamp.trust);
    }
    Ok(all)
}

/// TSA roots from PEM/DER files, or every `.pem`/`.crt`/`.der` file of a directory.
pub(crate) fn tsa_roots(paths: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
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

pub(crate) fn parse_fprs(v: &[String]) -> Result<Vec<Hash32>> {
    v.iter()
        .map(|s| {
            Hash32::from_hex(&s.to_ascii_lowercase())
                .map_err(|_| anyhow!(tr!("cli-bad-fingerprint", value = s)))
        })
        .collect()
}

/// Operator CA certificates given and configured.
pub(crate) fn operator_cas(given: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
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
pub(crate) fn revocations(
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
