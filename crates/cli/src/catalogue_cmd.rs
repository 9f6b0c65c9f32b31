//! `webproof catalogue PACKAGES… --out FILE`: the evidence catalogue of a case (证据目录), a
//! row per package, each verified under this machine's trust settings; CSV, XLSX, HTML or PDF by
//! the file's extension.

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use webproof_evidence::package::Limits;
use webproof_report::catalogue;

#[derive(clap::Args)]
pub(crate) struct CatalogueArgs {
    /// The packages, in the catalogue's order; a directory stands for the .wacz files in it,
    /// by name.
    #[arg(required = true)]
    packages: Vec<PathBuf>,
    /// Where to write it: .csv, .xlsx, .html or .pdf.
    #[arg(long, short)]
    out: PathBuf,
    /// The case the catalogue is of (named at its top and in every CSV row).
    #[arg(long)]
    case: Option<String>,
    /// What you trust when verifying each package (besides config.toml).
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
    #[command(flatten)]
    print: crate::report_cmd::PrintArgs,
}

/// The packages named: files as given, directories as their .wacz files by name.
fn packages(named: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in named {
        if p.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| tr!("ctx-reading", path = p.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|e| e == "wacz") && f.is_file())
                .collect();
            in_dir.sort();
            out.extend(in_dir);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        bail!(tr!("cli-catalogue-empty"));
    }
    Ok(out)
}

/// The row of package `n` at `path`.
fn row(n: usize, path: &Path, policy: &webproof_verify::Policy) -> Result<catalogue::Row> {
    let src = webproof_evidence::package::open(path, &Limits::default())
        .with_context(|| tr!("ctx-opening", path = path.display()))?;
    let report = webproof_verify::verify_path(path, policy)?;
    let file =
        std::fs::File::open(path).with_context(|| tr!("ctx-opening", path = path.display()))?;
    let (digests, _) = webproof_evidence::digest::digest_reader(file)
        .with_context(|| tr!("ctx-reading", path = path.display()))?;
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(catalogue::row(
        n,
        &name,
        &digests.sha256.to_hex(),
        src.as_ref(),
        &report,
    )?)
}

pub(crate) fn catalogue(a: CatalogueArgs, lang: Option<&str>) -> Result<ExitCode> {
    let policy = a.trust.policy()?;
    let rows = packages(&a.packages)?
        .iter()
        .enumerate()
        .map(|(i, p)| row(i + 1, p, &policy))
        .collect::<Result<Vec<_>>>()?;
    let tx = webproof_report::Texts::new(&crate::report_cmd::langs(lang)?)?;
    let ext = a
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match ext.as_str() {
        "csv" => catalogue::csv(a.case.as_deref(), &rows, &tx).into_bytes(),
        "xlsx" => catalogue::xlsx(a.case.as_deref(), &rows, &tx)?,
        "html" | "htm" => catalogue::html(a.case.as_deref(), &rows, &tx).into_bytes(),
        "pdf" => {
            let html = a.out.with_extension("html");
            std::fs::write(&html, catalogue::html(a.case.as_deref(), &rows, &tx))
                .with_context(|| tr!("ctx-writing", path = html.display()))?;
            crate::report_cmd::print_pdf(&a.print.chromium, &a.print.chromedriver, &html)?
        }
        other => bail!(tr!("cli-catalogue-format", ext = other)),
    };
    webproof_evidence::package::write_file(&a.out, &bytes)
        .with_context(|| tr!("ctx-writing", path = a.out.display()))?;
    let failed = rows.iter().filter(|r| r.verdict == "fail").count();
    println!(
        "{}",
        tr!(
            "cli-catalogue-written",
            path = a.out.display(),
            count = rows.len(),
            failed = failed
        )
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
