//! Checkpoints: the chain head goes to every configured TSA in parallel, and to the evidence
//! log when one is configured ([`crate::depositing`]); tokens are written into the capture as
//! they arrive, receipts at seal, and a TSA or log that is down never stops the capture.

use crate::say::tr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use webproof_evidence::capture::Capture;
use webproof_evidence::digest::Digests;
use webproof_net::{NetError, Stamp, TsaClient};
use webproof_timestamp::HashAlg;

/// The `--tsa` options shared by `seal` and `capture`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TsaArgs {
    /// An RFC 3161 time-stamp authority (URL). Repeatable; also WEBPROOF_TSA (comma-separated).
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// How many TSAs must stamp a checkpoint for it to count (default: 1).
    #[arg(long)]
    pub tsa_quorum: Option<usize>,
    /// Which chain-head digest to have stamped: the SHA-256 head, the SM3 head (for TSAs that
    /// accept SM3), or both.
    #[arg(long, value_enum)]
    pub tsa_imprint: Option<Imprint>,
    /// The TSA policy (OID) to ask for.
    #[arg(long, value_name = "OID")]
    pub tsa_policy: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imprint {
    Sha256,
    Sm3,
    Both,
}

/// The TSA settings in force: flags, else WEBPROOF_TSA, else WEBPROOF_HOME/config.toml.
pub struct TsaSettings {
    pub urls: Vec<String>,
    pub quorum: usize,
    pub algs: Vec<HashAlg>,
    pub policy: Option<der::asn1::ObjectIdentifier>,
}

impl TsaArgs {
    pub fn settings(&self) -> Result<TsaSettings> {
        let cfg = crate::config::Config::load(&crate::home()?)?.timestamp;
        let mut urls = self.tsa.clone();
        if urls.is_empty()
            && let Ok(v) = std::env::var("WEBPROOF_TSA")
        {
            urls = v
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if urls.is_empty() {
            urls = cfg.tsa.clone();
        }
        let imprint = match (self.tsa_imprint, cfg.imprint.as_deref()) {
            (Some(i), _) => i,
            (None, None | Some("sha256")) => Imprint::Sha256,
            (None, Some("sm3")) => Imprint::Sm3,
            (None, Some("both")) => Imprint::Both,
            (None, Some(other)) => {
                anyhow::bail!(tr!("cli-bad-imprint", value = other))
            }
        };
        let algs = match imprint {
            Imprint::Sha256 => vec![HashAlg::Sha256],
            Imprint::Sm3 => vec![HashAlg::Sm3],
            Imprint::Both => vec![HashAlg::Sha256, HashAlg::Sm3],
        };
        let policy = match self.tsa_policy.clone().or(cfg.policy.clone()) {
            Some(p) => Some(
                p.parse()
                    .map_err(|e| anyhow::anyhow!(tr!("cli-bad-policy", value = p, error = e)))?,
            ),
            None => None,
        };
        for u in &urls {
            http_url(u, "--tsa")?;
        }
        let quorum = self.tsa_quorum.or(cfg.quorum).unwrap_or(1);
        if quorum == 0 {
            anyhow::bail!(tr!("cli-tsa-quorum-zero"));
        }
        if urls.is_empty() && self.tsa_quorum.is_some() {
            anyhow::bail!(tr!("cli-tsa-quorum-no-tsa", quorum = quorum));
        }
        if !urls.is_empty() && quorum > urls.len() {
            anyhow::bail!(tr!(
                "cli-tsa-quorum-too-high",
                quorum = quorum,
                count = urls.len()
            ));
        }
        Ok(TsaSettings {
            quorum,
            urls,
            algs,
            policy,
        })
    }

    pub fn urls(&self) -> Vec<String> {
        self.settings().map(|s| s.urls).unwrap_or_default()
    }
}

struct Done {
    seq: u64,
    k: usize,
    url: String,
    request: Vec<u8>,
    result: Result<Stamp, NetError>,
}

/// Stamps (and deposits) chain heads in the background.
pub struct Stamper {
    log: Option<crate::depositing::Depositor>,
    urls: Vec<String>,
    algs: Vec<HashAlg>,
    policy: Option<der::asn1::ObjectIdentifier>,
    quorum: usize,
    client: TsaClient,
    handle: tokio::runtime::Handle,
    tx: mpsc::UnboundedSender<Done>,
    rx: mpsc::UnboundedReceiver<Done>,
    pending: usize,
    /// TSAs that stamped each checkpoint.
    pub stamped: std::collections::BTreeMap<u64, std::collections::BTreeSet<String>>,
    pub last_seq: Option<u64>,
    pub last_time: Instant,
}

impl Stamper {
    /// `None` when no TSA and no log is configured.
    pub fn new(
        args: &TsaArgs,
        log: Option<crate::depositing::Depositor>,
        handle: tokio::runtime::Handle,
    ) -> Result<Option<Self>> {
        let TsaSettings {
            urls,
            quorum,
            algs,
            policy,
        } = args.settings()?;
        if urls.is_empty() && log.is_none() {
            return Ok(None);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(Some(Stamper {
            log,
            quorum: quorum.clamp(1, urls.len().max(1)),
            urls,
            algs,
            policy,
            client: TsaClient::new(Duration::from_secs(10))?,
            handle,
            tx,
            rx,
            pending: 0,
            stamped: Default::default(),
            last_seq: None,
            last_time: Instant::now(),
        }))
    }

    /// Sends the chain head after step `seq` to every TSA and the log; returns at once.
    pub fn start(&mut self, seq: u64, head: &Digests) -> Result<()> {
        if let Some(log) = &mut self.log {
            log.start(seq, head)?;
        }
        let mut k = 0;
        for url in &self.urls {
            for alg in &self.algs {
                k += 1;
                let imprint = match alg {
                    HashAlg::Sm3 => head.sm3.0,
                    _ => head.sha256.0,
                };
                let req = webproof_timestamp::request(
                    *alg,
                    &imprint,
                    Some(webproof_timestamp::random_nonce()?),
                    self.policy,
                )?;
                let (client, tx, url) = (self.client.clone(), self.tx.clone(), url.clone());
                self.pending += 1;
                self.handle.spawn(async move {
                    let result = client.stamp(&url, &req).await;
                    let _ = tx.send(Done {
                        seq,
                        k,
                        url,
                        request: req.der,
                        result,
                    });
                });
            }
        }
        self.last_seq = Some(seq);
        self.last_time = Instant::now();
        Ok(())
    }

    fn keep(&mut self, cap: &Capture, d: Done, say: &dyn Fn(&str)) -> Result<()> {
        self.pending -= 1;
        match d.result {
            Ok(s) => {
                cap.add_timestamp(d.seq, d.k, &host(&d.url), &d.request, &s.response)
                    .context(tr!("ctx-keeping-token"))?;
                self.stamped.entry(d.seq).or_default().insert(d.url.clone());
                say(&format!(
                    "  {}",
                    tr!(
                        "cli-stamped",
                        seq = d.seq,
                        tsa = d.url,
                        time = s.token.info.gen_time
                    )
                ));
            }
            Err(e) => say(&format!(
                "  {}",
                tr!("cli-stamp-failed", error = crate::say::cause(&e))
            )),
        }
        Ok(())
    }

    /// Writes the tokens that have arrived (and notes the log's promises).
    pub fn collect(&mut self, cap: &Capture, say: &dyn Fn(&str)) -> Result<()> {
        if let Some(log) = &mut self.log {
            log.collect(say);
        }
        while let Ok(d) = self.rx.try_recv() {
            self.keep(cap, d, say)?;
        }
        Ok(())
    }

    /// Waits (at most `limit`) for the log: a witnessed checkpoint covering every deposit,
    /// then the receipts. Call after [`Self::finish_tokens`].
    pub fn finish_log(&mut self, cap: &Capture, limit: Duration, say: &dyn Fn(&str)) -> Result<()> {
        if let Some(log) = &mut self.log {
            log.finish(cap, limit, say)?;
        }
        Ok(())
    }

    /// Waits (at most `limit`) for every outstanding stamp and writes what arrived.
    pub fn finish_tokens(
        &mut self,
        cap: &Capture,
        limit: Duration,
        say: &dyn Fn(&str),
    ) -> Result<()> {
        let deadline = Instant::now() + limit;
        while self.pending > 0 {
            match recv_until(&self.handle, &mut self.rx, deadline) {
                Some(d) => self.keep(cap, d, say)?,
                None => break,
            }
        }
        Ok(())
    }

    /// Whether the checkpoint after step `seq` reached the quorum.
    pub fn quorum_met(&self, seq: u64) -> bool {
        self.stamped.get(&seq).map_or(0, |s| s.len()) >= self.quorum
    }

    pub fn quorum(&self) -> usize {
        self.quorum
    }

    /// What was configured and did not deliver for the final chain head after step `seq` of
    /// the capture in `dir`: `tsa` when fewer TSAs than the quorum stamped it, `log` when a
    /// log is configured and no receipt of it was written.
    pub fn undelivered(&self, dir: &std::path::Path, seq: u64) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.urls.is_empty() && !self.quorum_met(seq) {
            out.push("tsa");
        }
        if self.log.is_some()
            && !dir
                .join(webproof_evidence::layout::receipt_path(seq, 1))
                .exists()
        {
            out.push("log");
        }
        out
    }

    pub fn tsa_count(&self) -> usize {
        self.urls.len()
    }

    /// Where trusted time and the log stand, for `--events`: how many TSAs stamped the newest
    /// checkpoint, and how many chain heads the log has promised so far.
    pub fn status(&self) -> webproof_engine::events::TrustStatus {
        let newest = self.stamped.iter().next_back();
        webproof_engine::events::TrustStatus {
            tsas: self.urls.len(),
            quorum: self.quorum,
            stamped_seq: newest.map(|(s, _)| *s),
            stamped_by: newest.map_or(0, |(_, t)| t.len()),
            log: self.log.is_some(),
            deposited: self.log.as_ref().map_or(0, |l| l.promised()),
        }
    }
}

/// The next answer on `rx`, waiting until `deadline` at most (`None`: time is up, or every
/// sender is gone).
pub fn recv_until<T>(
    handle: &tokio::runtime::Handle,
    rx: &mut mpsc::UnboundedReceiver<T>,
    deadline: Instant,
) -> Option<T> {
    let left = deadline.saturating_duration_since(Instant::now());
    handle
        .block_on(async { tokio::time::timeout(left, rx.recv()).await })
        .ok()
        .flatten()
}

/// A short label for a TSA URL (its host and port), used in token file names.
fn host(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("tsa")
        .to_owned()
}

/// The clock probe's result, and the TSA's response when it answered.
pub type ClockProbe = (
    Result<webproof_capture::environment::TrustedTime, String>,
    Option<Vec<u8>>,
);

/// Asks the first TSA for the time (a token over a fresh digest), measuring the local clock
/// just before and after: the clock finding of step 0. Returns the finding's input and the
/// response, kept as evidence of the comparison.
pub fn clock_probe(urls: &[String], rt: &tokio::runtime::Runtime) -> Option<ClockProbe> {
    let url = urls.first()?.clone();
    let micros = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0)
    };
    let result = (|| -> Result<(webproof_capture::environment::TrustedTime, Vec<u8>), String> {
        let client = TsaClient::new(Duration::from_secs(10)).map_err(|e| e.to_string())?;
        let seed = format!("webproof clock check {}", micros());
        let req = webproof_timestamp::request(
            HashAlg::Sha256,
            &HashAlg::Sha256.digest(seed.as_bytes()),
            Some(webproof_timestamp::random_nonce().map_err(|e| e.to_string())?),
            None,
        )
        .map_err(|e| e.to_string())?;
        let before = micros();
        let stamp = rt
            .block_on(client.stamp(&url, &req))
            .map_err(|e| e.to_string())?;
        let after = micros();
        let info = &stamp.token.info;
        Ok((
            webproof_capture::environment::TrustedTime {
                source: url.clone(),
                gen_time: info.gen_time.clone(),
                gen_time_micros: info.gen_time_micros,
                accuracy_micros: info.accuracy_micros,
                whole_seconds: !info.gen_time.contains('.'),
                local_before_micros: before,
                local_after_micros: after,
            },
            stamp.response,
        ))
    })();
    Some(match result {
        Ok((t, resp)) => (Ok(t), Some(resp)),
        Err(e) => (Err(e), None),
    })
}

/// Refuses what is not an absolute http(s) URL with a host, naming the option it came from
/// (a TSA, a log and a witness are reached over HTTP only).
pub(crate) fn http_url(value: &str, option: &str) -> Result<reqwest::Url> {
    parse_http_url(value).map_err(|why| {
        anyhow::anyhow!(tr!(
            "cli-bad-url",
            option = option,
            value = value,
            why = why
        ))
    })
}

/// An absolute http(s) URL with a host, or why `value` is not one (in the user's language).
pub(crate) fn parse_http_url(value: &str) -> std::result::Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(value.trim()).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(tr!("cli-url-scheme", scheme = url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(tr!("cli-url-no-host"));
    }
    Ok(url)
}
