//! `webproof countersign`: a notary, in their own home, reviews a sealed package — verified
//! under the notary's trust, its timeline shown — and adds a signed review statement with
//! RFC 3161 tokens over the signature, in a copy (the engine's session; docs/evidence-package.md
//! §6e).

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use webproof_evidence::identity::Role;
use webproof_evidence::layout;
use webproof_evidence::package::Limits;
use webproof_evidence::record::StepRecord;

#[derive(Args)]
pub(crate) struct CountersignArgs {
    /// The sealed package you reviewed.
    package: PathBuf,
    /// Where to write the countersigned package (the original is left as it is).
    #[arg(long, short)]
    out: PathBuf,
    /// What you state after the review, in your words (signed, and shown by `verify`).
    #[arg(long)]
    statement: String,
    /// Time-stamp authorities for the tokens over your signature. Repeatable (or WEBPROOF_TSA,
    /// or config.toml).
    #[command(flatten)]
    tsa: crate::stamping::TsaArgs,
    /// What you trust when verifying the package first (besides config.toml).
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
}

/// `countersign`: verify, show, sign, stamp, write; say what was added.
pub(crate) fn countersign(a: CountersignArgs) -> Result<ExitCode> {
    let home = crate::config::home()?;
    let (key, doc) = crate::identity_cmd::load_key(&home, Role::Notary, "WEBPROOF_PASSPHRASE")?;
    let certificate = crate::identity_cmd::enrolled_certificate(&home, Role::Notary, &key);
    let policy = a.trust.policy()?;
    let seen = webproof_verify::verify_path(&a.package, &policy)?;
    eprintln!(
        "{}",
        tr!(
            "cli-review-seen",
            path = a.package.display(),
            verdict = webproof_engine::amend::verdict_words(seen.verdict())
        )
    );
    for line in timeline(&a.package)? {
        eprintln!("  {line}");
    }
    let urls = a.tsa.urls();
    let rt = crate::timestamp_cmd::amend_runtime()?;
    let c = webproof_engine::amend::Countersign {
        package: &a.package,
        out: &a.out,
        tsa_urls: &urls,
        policy: &policy,
        key: &key,
        identity: &doc,
        certificate: certificate.as_deref(),
        statement: &a.statement,
    };
    let done =
        webproof_engine::amend::countersign(&c, &crate::timestamp_cmd::say_note, rt.handle())
            .map_err(|e| {
                crate::timestamp_cmd::amend_error(e, crate::timestamp_cmd::Amending::Review)
            })?;
    println!(
        "{}",
        tr!(
            "cli-review-added",
            n = done.n,
            verdict = done.verdict_seen,
            count = done.stamped,
            path = a.out.display()
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The package's steps, one line each: number, time, kind and URL.
fn timeline(package: &Path) -> Result<Vec<String>> {
    let limits = Limits::default();
    let src = webproof_evidence::package::open(package, &limits)
        .with_context(|| tr!("ctx-opening", path = package.display()))?;
    let bytes = src
        .read_all(layout::JOURNAL, limits.max_journal)
        .with_context(|| tr!("ctx-reading", path = layout::JOURNAL))?;
    let mut lines = Vec::new();
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        // The verifier judged the journal; an unreadable line is shown as such, not skipped.
        match serde_json::from_slice::<StepRecord>(line) {
            Ok(r) => lines.push(format!(
                "#{:<3} {}  {:<14} {}",
                r.seq,
                r.started,
                r.kind.as_str(),
                r.url.as_deref().unwrap_or("")
            )),
            Err(e) => lines.push(tr!("cli-review-step-unreadable", error = e)),
        }
    }
    Ok(lines)
}
