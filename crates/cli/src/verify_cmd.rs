//! `verify`: a package checked under the reader's trust, said as text or `--json`, with the
//! verdict's exit code.

use crate::say::{self};
use crate::trust::TrustArgs;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use webproof_i18n::{Catalogue, Lang};
use webproof_verify::{CheckId, Verdict};

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// A .wacz package or a package directory.
    package: PathBuf,
    /// Machine-readable: every check's stable identifier, verdict, English detail and
    /// catalogue message, with its name and text in the chosen language.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    trust: TrustArgs,
}

pub(crate) fn verify(a: VerifyArgs) -> Result<ExitCode> {
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

pub(crate) fn verify_package(a: VerifyArgs) -> Result<ExitCode> {
    let policy = a.trust.policy()?;
    let report = webproof_verify::verify_path(&a.package, &policy)?;
    if a.json {
        print_json(&report)?;
    } else {
        print_text(&report)?;
    }
    Ok(verdict_exit(report.verdict()))
}

/// The report as one JSON document (the engine's `Verification`), each check with its name
/// and text in the chosen language.
fn print_json(report: &webproof_verify::Report) -> Result<()> {
    let (lang, cat) = (say::lang(), say::shared()?);
    let v = webproof_engine::verification::Verification::new(
        report,
        lang.tag(),
        |c| cat.check_name(c.id.as_str()),
        |c| check_text(&cat, c),
    );
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

/// The report for people: a line per check, then the verdict in words.
fn print_text(report: &webproof_verify::Report) -> Result<()> {
    let (lang, cat) = (say::lang(), say::shared()?);
    let word = |v: Verdict| cat.t(webproof_i18n::verdict_key(v.as_str()));
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
                cat.check_name(c.id.as_str()),
                c.id,
                c.subject,
                check_text(&cat, c)
            );
        }
    }
    let fails = report.failures().count();
    let count = report.checks.len().to_string();
    let summary = match report.verdict() {
        Verdict::Pass => cat.t_with("summary-pass", &[("count", &count)]),
        Verdict::Untrusted => {
            let mut what: Vec<&str> = report
                .checks
                .iter()
                .filter(|c| c.verdict == Verdict::Untrusted)
                .map(|c| untrusted_what(c.id))
                .collect();
            what.dedup();
            let what: Vec<String> = what.iter().map(|k| cat.t(k)).collect();
            let sep = if lang == Lang::En { "; " } else { "；" };
            cat.t_with("summary-untrusted", &[("what", &what.join(sep))])
        }
        Verdict::Finding => cat.t_with(
            "summary-findings",
            &[("count", &report.findings().count().to_string())],
        ),
        Verdict::Fail => cat.t_with(
            "summary-fail",
            &[("fails", &fails.to_string()), ("count", &count)],
        ),
    };
    println!("{summary}");
    Ok(())
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

/// A check's text in the catalogue's language (the verifier's English detail in English).
pub(crate) fn check_text(cat: &Catalogue, c: &webproof_verify::Check) -> String {
    cat.finding(&c.detail, Some(&c.message))
}

/// What an `UNTRUSTED` check rests on, as the summary's catalogue key.
fn untrusted_what(id: CheckId) -> &'static str {
    use CheckId as C;
    match id {
        C::TimestampToken | C::RenewalToken | C::ReviewToken | C::ReviewTime => "untrusted-tsa",
        C::TimestampCoverage => "untrusted-coverage",
        C::ReceiptDeposit | C::ReceiptCoverage | C::ReceiptRefresh | C::ReceiptNotBefore => {
            "untrusted-log"
        }
        C::SignatureOperator
        | C::SignatureNotary
        | C::IdentityOperator
        | C::IdentityNotary
        | C::IdentityRole
        | C::IdentitySubject
        | C::IdentityDistinct
        | C::IdentityRevocation
        | C::ReviewIdentity => "untrusted-signer",
        // These are never UNTRUSTED (they hold or fail on the package's own bytes).
        C::PackageContainer
        | C::PackageStructure
        | C::ManifestRead
        | C::ManifestParse
        | C::SealSigners
        | C::SealManifest
        | C::SealFiles
        | C::FileDigest
        | C::FileUnlisted
        | C::JournalChain
        | C::JournalHeads
        | C::CaptureOutcome
        | C::StepArtifact
        | C::RenewalRecord
        | C::ReviewRecord
        | C::ReviewSignature
        | C::SupervisionStatement
        | C::SupervisionLive
        | C::WaczDatapackage
        | C::WaczDigest => "untrusted-signer",
    }
}
