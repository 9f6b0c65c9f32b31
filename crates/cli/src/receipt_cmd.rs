//! `webproof receipt refresh PACKAGE --out NEW`: adds to a copy of a sealed package the log's
//! newest witnessed checkpoint and consistency proofs from the receipts' checkpoints to it
//! (`receipts/refresh-NNN.json`, docs/evidence-package.md §6c).

use crate::say::tr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use webproof_evidence::layout;
use webproof_evidence::package::{self, Limits};
use webproof_ledger::note::{Checkpoint, Note};
use webproof_ledger::receipt::{self, ConsistencyProof, Receipt, Refresh};

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

fn checkpoint_of(note: &str) -> Result<Checkpoint> {
    let n = Note::parse(note).context(tr!("ctx-checkpoint"))?;
    Checkpoint::parse(&n.text).context(tr!("ctx-checkpoint"))
}

pub fn receipt(cmd: ReceiptCmd) -> Result<ExitCode> {
    let ReceiptCmd::Refresh {
        package: pkg,
        out,
        log,
        log_trust,
    } = cmd;
    if out.exists() {
        bail!(tr!("cli-out-exists", path = out.display()));
    }
    let trust = log_trust.trust()?;
    let url = match log {
        Some(u) => u,
        None => crate::config::Config::load(&crate::config::home()?)?
            .log
            .url
            .context(tr!("cli-no-log-url"))?,
    };
    // Refreshing a package that does not verify would lend it new credibility: refuse.
    let report = webproof_verify::verify_path(
        &pkg,
        &webproof_verify::Policy {
            log: trust.clone(),
            ..webproof_verify::Policy::default()
        },
    )?;
    if report.verdict() == webproof_verify::Verdict::Fail {
        let first = report.first_failure().unwrap_or_default();
        bail!(tr!(
            "cli-refresh-fails",
            path = pkg.display(),
            first = first
        ));
    }
    let limits = Limits::default();
    let src =
        package::open(&pkg, &limits).with_context(|| tr!("ctx-opening", path = pkg.display()))?;
    let mut receipts = Vec::new();
    let mut refreshes = 0u32;
    let mut newest_held = 0u64;
    for e in src.entries() {
        if webproof_evidence::layout::is_refresh(&e.name) {
            refreshes += 1;
            let b = src.read_all(&e.name, 1 << 20)?;
            let r = Refresh::parse(&b).with_context(|| e.name.clone())?;
            newest_held = newest_held.max(checkpoint_of(&r.checkpoint)?.size);
        } else if layout::receipt_seq(&e.name).is_some() {
            let b = src.read_all(&e.name, 1 << 20)?;
            receipts.push(Receipt::parse(&b).with_context(|| e.name.clone())?);
        }
    }
    let Some(first) = receipts.first() else {
        bail!(tr!("cli-no-receipts", path = pkg.display()));
    };
    let origin = first.log.clone();
    let mut earlier = Vec::new();
    for r in receipts.iter().filter(|r| r.log == origin) {
        let c = checkpoint_of(&r.checkpoint)?;
        earlier.push((c.size, c.root));
    }
    earlier.sort();
    earlier.dedup();
    let client = webproof_net::LogClient::new(&url, std::time::Duration::from_secs(10))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let note = rt
        .block_on(client.checkpoint())?
        .with_context(|| tr!("cli-url-no-checkpoint", url = url))?;
    let newest =
        receipt::check_checkpoint(&note, &origin, &first.log_key, &first.witness_keys, &trust)
            .with_context(|| tr!("cli-checkpoint-not-of", url = url, log = origin))?;
    let size = newest.checkpoint.size;
    newest_held = newest_held.max(earlier.iter().map(|(s, _)| *s).max().unwrap_or(0));
    if size <= newest_held {
        bail!(tr!(
            "cli-nothing-to-refresh",
            size = size,
            held = newest_held
        ));
    }
    let mut consistency = Vec::new();
    for (old, _) in &earlier {
        if *old > size {
            bail!(tr!("cli-checkpoint-older", size = size, old = old));
        }
        if *old == size {
            continue;
        }
        let text = rt
            .block_on(client.consistency(*old, size))?
            .with_context(|| tr!("cli-no-consistency", url = url, old = old, size = size))?;
        let proof = webproof_ledger::witness::parse_proof(&text)
            .context(tr!("cli-consistency-malformed"))?;
        consistency.push(ConsistencyProof {
            size: *old,
            proof: receipt::proof_to_b64(&proof),
        });
    }
    let refresh = Refresh {
        v: 1,
        format: receipt::REFRESH_FORMAT.into(),
        n: refreshes + 1,
        log: origin.clone(),
        checkpoint: note,
        consistency,
    };
    // Checked before it is written: a log that forked is caught here.
    refresh
        .check(&first.log_key, &first.witness_keys, &earlier, &trust)
        .context(tr!("cli-split-view"))?;
    let work = out.with_extension("refresh-work");
    if work.exists() {
        bail!(tr!("cli-work-exists", path = work.display()));
    }
    let result = (|| -> Result<()> {
        crate::timestamp_cmd::unpack(src.as_ref(), &work)?;
        package::write_file(
            &work.join(layout::refresh_path(refresh.n)),
            &refresh.to_bytes().map_err(|e| anyhow::anyhow!("{e}"))?,
        )?;
        crate::timestamp_cmd::rederive_datapackage(&work, &limits)?;
        package::write_zip(&work, &out, &limits)
            .with_context(|| tr!("ctx-writing", path = out.display()))?;
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&work);
    result?;
    let who: Vec<&str> = newest.cosigners.iter().map(|(n, _)| n.as_str()).collect();
    println!(
        "{}",
        tr!(
            "cli-refresh-added",
            n = refresh.n,
            size = size,
            log = origin,
            witnesses = if who.is_empty() {
                tr!("cli-no-witness")
            } else {
                who.join(", ")
            },
            earlier = format!("{:?}", earlier.iter().map(|(s, _)| *s).collect::<Vec<_>>()),
            path = out.display()
        )
    );
    Ok(ExitCode::SUCCESS)
}
