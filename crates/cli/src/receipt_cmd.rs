//! `webproof receipt refresh PACKAGE --out NEW`: adds to a copy of a sealed package the log's
//! newest witnessed checkpoint and consistency proofs from the receipts' checkpoints to it
//! (`receipts/refresh-NNN.json`, docs/evidence-package.md §6c).

use crate::say::tr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::timestamp_cmd::{Amending, amend_error};

#[derive(clap::Subcommand)]
pub enum ReceiptCmd {
    /// Fetch the evidence log's newest witnessed checkpoint and a consistency proof from the
    /// package's receipts to it, and write a copy of the package with them.
    Refresh {
        /// The sealed package.
        package: PathBuf,
        /// Where to write the refreshed package (the original is left as it is).
        #[arg(long, short)]
        out: PathBuf,
        /// The log's URL (default: config.toml `[log] url`).
        #[arg(long = "log", value_name = "URL")]
        log: Option<String>,
        #[command(flatten)]
        log_trust: crate::depositing::LogTrustArgs,
    },
}

pub fn receipt(cmd: ReceiptCmd) -> Result<ExitCode> {
    let ReceiptCmd::Refresh {
        package: pkg,
        out,
        log,
        log_trust,
    } = cmd;
    let trust = log_trust.trust()?;
    let url = match log {
        Some(u) => u,
        None => crate::config::Config::load(&crate::config::home()?)?
            .log
            .url
            .context(tr!("cli-no-log-url"))?,
    };
    let rt = crate::timestamp_cmd::amend_runtime()?;
    let r = webproof_engine::amend::refresh(&pkg, &out, &url, &trust, rt.handle())
        .map_err(|e| amend_error(e, Amending::Refresh))?;
    println!(
        "{}",
        tr!(
            "cli-refresh-added",
            n = r.n,
            size = r.size,
            log = r.log,
            witnesses = if r.witnesses.is_empty() {
                tr!("cli-no-witness")
            } else {
                r.witnesses.join(", ")
            },
            earlier = format!("{:?}", r.earlier),
            path = out.display()
        )
    );
    Ok(ExitCode::SUCCESS)
}
