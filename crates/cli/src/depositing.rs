//! Deposits chain heads in the evidence log (`--log`, or config.toml `[log]`) and keeps the
//! receipts: the log's promise arrives at once; at seal, webproof waits for a witnessed
//! checkpoint that covers every deposit, fetches the inclusion proofs, checks each receipt
//! against the configured keys and writes it into the capture (`receipts/`).

use crate::say::tr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use webproof_evidence::capture::Capture;
use webproof_evidence::digest::Digests;
use webproof_ledger::deposit::Deposit;
use webproof_ledger::note::NoteKey;
use webproof_ledger::receipt::{self, LogTrust, Receipt};
use webproof_net::{LogClient, NetError};

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

/// The log in force, with the keys its receipts are checked against.
pub struct LogSettings {
    pub url: String,
    pub trust: LogTrust,
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
    let cfg = crate::config::Config::load(&crate::home()?)?.log;
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
        let cfg = crate::config::Config::load(&crate::home()?)?.log;
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

/// A deposit the log promised.
struct Promised {
    seq: u64,
    entry: Vec<u8>,
    ack: webproof_net::Ack,
}

struct Answer {
    seq: u64,
    entry: Vec<u8>,
    result: Result<webproof_net::Ack, NetError>,
}

/// What every deposit of one capture says besides its chain head.
pub struct DepositInfo {
    pub package: String,
    pub operator: String,
    pub label: Option<String>,
    /// The operator's key: deposits are signed requests (logs with access control take
    /// deposits only from enrolled operators).
    pub key: webproof_evidence::identity::SecretKey,
    /// The salt of the private label's commitment (one per capture).
    pub label_salt: [u8; 16],
}

/// The `Webproof-Signature` header for POSTing `body` to `path` of the log named `origin`
/// now, signed by `key`.
pub fn auth_header(
    key: &webproof_evidence::identity::SecretKey,
    origin: &str,
    path: &str,
    body: &[u8],
) -> Result<String> {
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let msg = webproof_ledger::auth::request_message(origin, "POST", path, time, body);
    let sig = key.sign(&msg).context(tr!("ctx-signing-request"))?;
    let keyid = key.public_key().fingerprint()?.to_hex();
    Ok(webproof_ledger::auth::header_value(&keyid, time, &sig))
}

/// Deposits chain heads in the background and turns the promises into receipts.
pub struct Depositor {
    trust: LogTrust,
    client: LogClient,
    info: DepositInfo,
    handle: tokio::runtime::Handle,
    tx: mpsc::UnboundedSender<Answer>,
    rx: mpsc::UnboundedReceiver<Answer>,
    pending: usize,
    promised: Vec<Promised>,
}

impl Depositor {
    pub fn new(s: LogSettings, info: DepositInfo, handle: tokio::runtime::Handle) -> Result<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(Depositor {
            client: LogClient::new(&s.url, Duration::from_secs(10))?,
            trust: s.trust,
            info,
            handle,
            tx,
            rx,
            pending: 0,
            promised: Vec::new(),
        })
    }

    /// The log's latest witnessed checkpoint, checked against the configured keys, for the
    /// environment step ("the session began after this existed"). `None` (said why) when it
    /// cannot be had.
    pub fn latest_checkpoint(&self, say: &dyn Fn(&str)) -> Option<String> {
        let origin = &self.log_key().name;
        let checked = match self.handle.block_on(self.client.checkpoint()) {
            Ok(Some(note)) => receipt::check_checkpoint(&note, origin, "", &[], &self.trust)
                .map(|_| note)
                .map_err(|e| crate::say::cause(&e)),
            Ok(None) => return None,
            Err(e) => Err(crate::say::cause(&e)),
        };
        match checked {
            Ok(note) => Some(note),
            Err(e) => {
                say(&format!("  {}", tr!("cli-no-not-before", error = e)));
                None
            }
        }
    }

    fn log_key(&self) -> &NoteKey {
        // settings() refuses a log without a key.
        &self.trust.logs[0]
    }

    /// Deposits the chain head after step `seq`; returns at once.
    pub fn start(&mut self, seq: u64, head: &Digests) -> Result<()> {
        let deposit = Deposit {
            v: webproof_ledger::deposit::DEPOSIT_VERSION,
            sha256: head.sha256.to_hex(),
            sm3: head.sm3.to_hex(),
            package: self.info.package.clone(),
            operator: self.info.operator.clone(),
            claimed_time: webproof_evidence::utc::Utc::now().to_string(),
            // The label (the case id) stays private: the log keeps only a commitment, and
            // shows the label itself to this operator's tenant alone.
            label: None,
            label_commitment: self
                .info
                .label
                .as_ref()
                .map(|l| webproof_ledger::deposit::label_commitment(l, &self.info.label_salt)),
        };
        deposit
            .validate()
            .map_err(|e| anyhow::anyhow!("{}: {e}", tr!("ctx-deposit")))?;
        let entry = deposit.to_bytes().map_err(|e| anyhow::anyhow!("{e}"))?;
        let auth = auth_header(&self.info.key, &self.log_key().name, "/add", &entry)?;
        let label = self
            .info
            .label
            .as_ref()
            .map(|l| webproof_ledger::auth::label_header(l, &self.info.label_salt));
        let (client, tx) = (self.client.clone(), self.tx.clone());
        self.pending += 1;
        self.handle.spawn(async move {
            let result = client.add(&entry, Some(auth), label).await;
            let _ = tx.send(Answer { seq, entry, result });
        });
        Ok(())
    }

    fn keep(&mut self, a: Answer, say: &dyn Fn(&str)) {
        self.pending -= 1;
        // The promise must be the log's signature over a group holding exactly this entry.
        let leaf = webproof_ledger::merkle::leaf_hash(&a.entry);
        let checked = a.result.map_err(|e| crate::say::cause(&e)).and_then(|ack| {
            receipt::check_promise(&ack.promise, self.log_key(), ack.index, &leaf, &ack.proof)
                .map_err(|e| crate::say::cause(&e))?;
            Ok(ack)
        });
        match checked {
            Ok(ack) => {
                say(&format!(
                    "  {}",
                    tr!("cli-deposited", seq = a.seq, index = ack.index)
                ));
                self.promised.push(Promised {
                    seq: a.seq,
                    entry: a.entry,
                    ack,
                });
            }
            Err(e) => say(&format!("  {}", tr!("cli-deposit-failed", error = e))),
        }
    }

    /// How many chain heads the log has promised so far.
    pub fn promised(&self) -> usize {
        self.promised.len()
    }

    /// Notes the promises that have arrived.
    pub fn collect(&mut self, say: &dyn Fn(&str)) {
        while let Ok(a) = self.rx.try_recv() {
            self.keep(a, say);
        }
    }

    /// Waits (at most `limit`) for the outstanding promises and for a witnessed checkpoint
    /// that covers every deposit, then writes a receipt per deposit into the capture.
    pub fn finish(&mut self, cap: &Capture, limit: Duration, say: &dyn Fn(&str)) -> Result<()> {
        let deadline = Instant::now() + limit;
        while self.pending > 0 {
            match crate::stamping::recv_until(&self.handle, &mut self.rx, deadline) {
                Some(a) => self.keep(a, say),
                None => break,
            }
        }
        let Some(need) = self.promised.iter().map(|p| p.ack.index).max() else {
            return Ok(());
        };
        let origin = self.log_key().name.clone();
        let (checkpoint, witnessed) = loop {
            let got = self.handle.block_on(self.client.checkpoint());
            let why = match got {
                Ok(Some(note)) => {
                    match receipt::check_checkpoint(&note, &origin, "", &[], &self.trust) {
                        Ok(w) if w.checkpoint.size > need => break (note, w),
                        Ok(w) => tr!("cli-log-checkpoint-size", size = w.checkpoint.size),
                        Err(e) => tr!("cli-log-checkpoint-bad", error = crate::say::cause(&e)),
                    }
                }
                Ok(None) => tr!("cli-log-no-checkpoint"),
                Err(e) => crate::say::cause(&e),
            };
            if Instant::now() >= deadline {
                say(&format!(
                    "  {}",
                    tr!("cli-log-no-receipts", seconds = limit.as_secs(), why = why)
                ));
                for p in &self.promised {
                    say(&format!(
                        "    {}",
                        tr!("cli-log-promise", seq = p.seq, index = p.ack.index)
                    ));
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(150));
        };
        let size = witnessed.checkpoint.size;
        for p in std::mem::take(&mut self.promised) {
            let proof = self
                .handle
                .block_on(self.client.inclusion(p.ack.index, size))
                .map_err(anyhow::Error::from)
                .and_then(|t| {
                    t.and_then(|t| webproof_ledger::witness::parse_proof(&t))
                        .context(tr!("cli-no-inclusion"))
                });
            let proof = match proof {
                Ok(proof) => proof,
                Err(e) => {
                    say(&format!(
                        "  {}",
                        tr!(
                            "cli-log-step-error",
                            seq = p.seq,
                            error = crate::say::error_text(&e)
                        )
                    ));
                    continue;
                }
            };
            let r = Receipt {
                v: 1,
                format: receipt::RECEIPT_FORMAT.into(),
                seq: p.seq,
                log: origin.clone(),
                log_key: self.log_key().vkey(),
                witness_keys: self.trust.witnesses.iter().map(|w| w.vkey()).collect(),
                index: p.ack.index,
                entry: String::from_utf8(p.entry).context(tr!("cli-entry-not-utf8"))?,
                promise: p.ack.promise,
                promise_proof: p.ack.proof,
                checkpoint: checkpoint.clone(),
                inclusion: receipt::proof_to_b64(&proof),
                label: self.info.label.clone(),
                label_salt: self
                    .info
                    .label
                    .as_ref()
                    .map(|_| hex::encode(self.info.label_salt)),
            };
            if let Err(e) = r.check(&self.trust) {
                say(&format!(
                    "  {}",
                    tr!(
                        "cli-log-receipt-bad",
                        seq = p.seq,
                        error = crate::say::cause(&e)
                    )
                ));
                continue;
            }
            cap.add_receipt(p.seq, 1, &r.to_bytes()?)
                .context(tr!("ctx-keeping-receipt"))?;
            let names: Vec<&str> = witnessed
                .cosigners
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            say(&format!(
                "  {}",
                tr!(
                    "cli-receipt",
                    seq = p.seq,
                    index = r.index,
                    size = size,
                    origin = origin,
                    witnesses = if names.is_empty() {
                        "—".to_owned()
                    } else {
                        names.join(", ")
                    }
                )
            ));
        }
        Ok(())
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
    let info = DepositInfo {
        package: capture.to_owned(),
        operator: operator.public_key().fingerprint()?.to_hex(),
        label: case.map(|c| c.chars().take(64).collect()),
        key: operator.clone(),
        label_salt: webproof_evidence::identity::new_salt()?,
    };
    Ok(Some(Depositor::new(s, info, handle.clone())?))
}
