//! The evidence-log options of `seal` and `capture` (`--log`, or config.toml `[log]`) and of a
//! verifier (`--trust-log`, `--trust-witness`), and the depositor of one capture
//! ([`webproof_engine::depositing`]).

use crate::say::tr;
use crate::stamping::anchor_error;

use anyhow::{Context, Result};
pub use webproof_engine::depositing::{DepositInfo, Depositor, LogSettings};
use webproof_ledger::note::NoteKey;
use webproof_ledger::receipt::LogTrust;

/// The `Webproof-Signature` header for POSTing `body` to `path` of the log named `origin`
/// now, signed by `key`.
pub fn auth_header(
    key: &webproof_evidence::identity::SecretKey,
    origin: &str,
    path: &str,
    body: &[u8],
) -> Result<String> {
    webproof_engine::depositing::auth_header(key, origin, path, body).map_err(anchor_error)
}

/// The evidence-log options of `seal` and `capture`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LogArgs {
    /// An evidence log to deposit chain heads in (its URL). Default: config.toml `[log] url`.
    #[arg(long = "log", value_name = "URL")]
    pub log: Option<String>,
    /// The log's verifier key (`origin+id+key`). Default: config.toml `[log] key`.
    #[arg(long = "log-key", value_name = "VKEY")]
    pub log_key: Option<String>,
    /// A witness's verifier key. Repeatable. Default: config.toml `[log] witnesses`.
    #[arg(long = "witness-key", value_name = "VKEY")]
    pub witness_keys: Vec<String>,
    /// How many of those witnesses must cosign a receipt's checkpoint.
    #[arg(long, value_name = "K")]
    pub witness_quorum: Option<usize>,
    /// Deposit nothing, even if config.toml names a log.
    #[arg(long, conflicts_with = "log")]
    pub no_log: bool,
}

/// The flags by which a verifier trusts evidence logs and witnesses (`verify`, `receipt
/// refresh`); config.toml `[log]` adds its keys.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LogTrustArgs {
    /// An evidence log's verifier key to trust (also config.toml `[log] key`). Repeatable.
    #[arg(long = "trust-log", value_name = "VKEY")]
    pub trust_log: Vec<String>,
    /// A witness's verifier key to trust (also config.toml `[log] witnesses`). Repeatable.
    #[arg(long = "trust-witness", value_name = "VKEY")]
    pub trust_witness: Vec<String>,
    /// How many trusted witnesses must have cosigned a receipt's checkpoint (default: config
    /// `[log] quorum`, else 1 when witnesses are trusted).
    #[arg(long, value_name = "K")]
    pub witness_quorum: Option<usize>,
}

impl LogTrustArgs {
    pub fn trust(&self) -> Result<LogTrust> {
        log_trust(&self.trust_log, &self.trust_witness, self.witness_quorum)
    }
}

/// Keys given as flags plus those of config.toml `[log]`; the quorum from the flag, else the
/// file, else 1 when witnesses are configured.
pub fn log_trust(
    log_keys: &[String],
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<LogTrust> {
    let cfg = crate::config::Config::load(&crate::config::home()?)?.log;
    trust_with(&cfg, log_keys, witness_keys, quorum)
}

/// [`log_trust`] with the `[log]` section already read.
fn trust_with(
    cfg: &crate::config::LogConfig,
    log_keys: &[String],
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<LogTrust> {
    let parse = |v: &String, what: &str| {
        NoteKey::from_vkey(v.trim()).with_context(|| tr!("cli-not-vkey", what = what, value = v))
    };
    let mut logs = Vec::new();
    for v in log_keys.iter().chain(cfg.key.iter()) {
        logs.push(parse(v, "log key")?);
    }
    let mut witnesses: Vec<NoteKey> = Vec::new();
    for v in witness_keys.iter().chain(cfg.witnesses.iter()) {
        let k = parse(v, "witness key")?;
        if !witnesses.iter().any(|w| w.vkey() == k.vkey()) {
            witnesses.push(k);
        }
    }
    let quorum = quorum
        .or(cfg.quorum)
        .unwrap_or(usize::from(!witnesses.is_empty()));
    if quorum > witnesses.len() {
        anyhow::bail!(tr!(
            "cli-quorum-too-high",
            quorum = quorum,
            count = witnesses.len()
        ));
    }
    Ok(LogTrust {
        logs,
        witnesses,
        quorum,
    })
}

impl LogArgs {
    /// `None` when no log is configured (or `--no-log`).
    pub fn settings(&self) -> Result<Option<LogSettings>> {
        if self.no_log {
            return Ok(None);
        }
        let cfg = crate::config::Config::load(&crate::config::home()?)?.log;
        let Some(url) = self.log.clone().or(cfg.url.clone()) else {
            // Keys for a log that is not there are a mistake, not a choice.
            if self.log_key.is_some()
                || !self.witness_keys.is_empty()
                || self.witness_quorum.is_some()
            {
                anyhow::bail!(tr!("cli-log-keys-without-log"));
            }
            return Ok(None);
        };
        crate::stamping::http_url(&url, "--log")?;
        let keys: Vec<String> = self.log_key.iter().cloned().collect();
        let trust = trust_with(&cfg, &keys, &self.witness_keys, self.witness_quorum)?;
        if trust.logs.is_empty() {
            anyhow::bail!(tr!("cli-no-log-key", url = url));
        }
        Ok(Some(LogSettings { url, trust }))
    }
}

/// The depositor of one capture, when a log is configured.
pub fn depositor(
    args: &LogArgs,
    capture: &str,
    operator: &webproof_evidence::identity::SecretKey,
    case: Option<&str>,
    handle: &tokio::runtime::Handle,
) -> Result<Option<Depositor>> {
    let Some(s) = args.settings()? else {
        return Ok(None);
    };
    let mut info = DepositInfo::new(capture, operator, case).map_err(anchor_error)?;
    info.file_digests = crate::config::Config::load(&crate::config::home()?)?
        .log
        .file_digests
        .unwrap_or(true);
    info.deposit_via = crate::batch_relay::from_env()?;
    Ok(Some(
        Depositor::new(s, info, handle.clone()).map_err(anchor_error)?,
    ))
}
