//! Checkpoints: the chain head goes to every configured TSA in parallel, and to the evidence
//! log when one is configured ([`crate::depositing`]); tokens are written into the capture as
//! they arrive, receipts at seal, and a TSA or log that is down never stops the capture — it
//! is said ([`Note`]) and, for the final chain head, reported as [`Undelivered`].

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use webproof_evidence::capture::Capture;
use webproof_evidence::digest::Digests;
use webproof_net::{NetError, Stamp, TsaClient};
use webproof_timestamp::HashAlg;

use crate::depositing::Depositor;
use crate::events::TrustStatus;
use crate::worker::Worker;
use crate::{AnchorError, Note};

/// The TSAs in force for a session (the CLI reads them from flags, the environment and
/// config.toml).
#[derive(Clone, Debug)]
pub struct TsaSettings {
    pub urls: Vec<String>,
    /// How many TSAs must stamp a checkpoint for it to count (at least 1).
    pub quorum: usize,
    /// The chain-head digests to have stamped (SHA-256, SM3, or both).
    pub algs: Vec<HashAlg>,
    pub policy: Option<der::asn1::ObjectIdentifier>,
}

/// What was configured for the final chain head and did not deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undelivered {
    /// Fewer TSAs than the quorum stamped it.
    Tsa,
    /// A log is configured and no receipt of it was written.
    Log,
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
    log: Option<Depositor>,
    tsa: TsaSettings,
    client: TsaClient,
    work: Worker<Done>,
    /// TSAs that stamped each checkpoint.
    stamped: BTreeMap<u64, BTreeSet<String>>,
    last_seq: Option<u64>,
    last_time: Instant,
}

impl Stamper {
    /// `None` when no TSA and no log is configured.
    pub fn new(
        mut tsa: TsaSettings,
        log: Option<Depositor>,
        handle: tokio::runtime::Handle,
    ) -> Result<Option<Self>, AnchorError> {
        if tsa.urls.is_empty() && log.is_none() {
            return Ok(None);
        }
        tsa.quorum = tsa.quorum.clamp(1, tsa.urls.len().max(1));
        Ok(Some(Stamper {
            log,
            tsa,
            client: TsaClient::new(Duration::from_secs(10)).map_err(AnchorError::Client)?,
            work: Worker::new(handle),
            stamped: BTreeMap::new(),
            last_seq: None,
            last_time: Instant::now(),
        }))
    }

    /// The log's depositor, when a log is configured.
    pub fn depositor(&self) -> Option<&Depositor> {
        self.log.as_ref()
    }

    /// Sends the chain head after step `seq` of `cap` to every TSA and the log; returns at
    /// once.
    pub fn start(&mut self, cap: &Capture, seq: u64, head: &Digests) -> Result<(), AnchorError> {
        if let Some(log) = &mut self.log {
            log.start(cap.records(), seq, head)?;
        }
        let mut k = 0;
        for url in &self.tsa.urls {
            for alg in &self.tsa.algs {
                k += 1;
                let imprint = match alg {
                    HashAlg::Sm3 => head.sm3.0,
                    _ => head.sha256.0,
                };
                let req = webproof_timestamp::request(
                    *alg,
                    &imprint,
                    Some(webproof_timestamp::random_nonce().map_err(AnchorError::Request)?),
                    self.tsa.policy,
                )
                .map_err(AnchorError::Request)?;
                let (client, url) = (self.client.clone(), url.clone());
                self.work.spawn(async move {
                    let result = client.stamp(&url, &req).await;
                    Done {
                        seq,
                        k,
                        url,
                        request: req.der,
                        result,
                    }
                });
            }
        }
        self.last_seq = Some(seq);
        self.last_time = Instant::now();
        Ok(())
    }

    /// The step whose chain head was sent last, and how long ago.
    pub fn last_sent(&self) -> (Option<u64>, Duration) {
        (self.last_seq, self.last_time.elapsed())
    }

    fn keep(&mut self, cap: &Capture, d: Done, note: &dyn Fn(Note<'_>)) -> Result<(), AnchorError> {
        match d.result {
            Ok(s) => {
                cap.add_timestamp(d.seq, d.k, &host(&d.url), &d.request, &s.response)
                    .map_err(AnchorError::Token)?;
                self.stamped.entry(d.seq).or_default().insert(d.url.clone());
                note(Note::Stamped {
                    seq: d.seq,
                    tsa: &d.url,
                    time: &s.token.info.gen_time,
                });
            }
            Err(e) => note(Note::StampFailed { error: &e }),
        }
        Ok(())
    }

    /// Writes the tokens that have arrived (and notes the log's promises).
    pub fn collect(&mut self, cap: &Capture, note: &dyn Fn(Note<'_>)) -> Result<(), AnchorError> {
        if let Some(log) = &mut self.log {
            log.collect(note);
        }
        while let Some(d) = self.work.ready() {
            self.keep(cap, d, note)?;
        }
        Ok(())
    }

    /// Waits (at most `limit`) for the log: a witnessed checkpoint covering every deposit,
    /// then the receipts. Call after [`Self::finish_tokens`].
    pub fn finish_log(
        &mut self,
        cap: &Capture,
        limit: Duration,
        note: &dyn Fn(Note<'_>),
    ) -> Result<(), AnchorError> {
        if let Some(log) = &mut self.log {
            log.finish(cap, limit, note)?;
        }
        Ok(())
    }

    /// Waits (at most `limit`) for every outstanding stamp and writes what arrived.
    pub fn finish_tokens(
        &mut self,
        cap: &Capture,
        limit: Duration,
        note: &dyn Fn(Note<'_>),
    ) -> Result<(), AnchorError> {
        let deadline = Instant::now() + limit;
        while let Some(d) = self.work.next(deadline) {
            self.keep(cap, d, note)?;
        }
        Ok(())
    }

    /// How many TSAs stamped the checkpoint after step `seq`.
    pub fn stamped(&self, seq: u64) -> usize {
        self.stamped.get(&seq).map_or(0, |s| s.len())
    }

    /// Whether the checkpoint after step `seq` reached the quorum.
    pub fn quorum_met(&self, seq: u64) -> bool {
        self.stamped(seq) >= self.tsa.quorum
    }

    pub fn quorum(&self) -> usize {
        self.tsa.quorum
    }

    pub fn tsa_count(&self) -> usize {
        self.tsa.urls.len()
    }

    /// What was configured and did not deliver for the final chain head after step `seq` of
    /// the capture in `dir`.
    pub fn undelivered(&self, dir: &std::path::Path, seq: u64) -> Vec<Undelivered> {
        let mut out = Vec::new();
        if !self.tsa.urls.is_empty() && !self.quorum_met(seq) {
            out.push(Undelivered::Tsa);
        }
        if self.log.is_some()
            && !dir
                .join(webproof_evidence::layout::receipt_path(seq, 1))
                .exists()
        {
            out.push(Undelivered::Log);
        }
        out
    }

    /// Where trusted time and the log stand: how many TSAs stamped the newest checkpoint, and
    /// how many chain heads the log has promised so far.
    pub fn status(&self) -> TrustStatus {
        let newest = self.stamped.iter().next_back();
        TrustStatus {
            tsas: self.tsa.urls.len(),
            quorum: self.tsa.quorum,
            stamped_seq: newest.map(|(s, _)| *s),
            stamped_by: newest.map_or(0, |(_, t)| t.len()),
            log: self.log.is_some(),
            deposited: self.log.as_ref().map_or(0, |l| l.promised()),
        }
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn token_files_are_named_by_the_tsas_host_and_port() {
        assert_eq!(super::host("http://127.0.0.1:3180/tsa"), "127.0.0.1:3180");
        assert_eq!(super::host("https://tsa.example"), "tsa.example");
        assert_eq!(super::host("no-scheme"), "no-scheme");
    }
}

/// The clock probe of step 0: what a TSA said the time was, and its response when it
/// answered (kept as evidence of the comparison).
#[derive(Clone, Debug)]
pub struct ClockProbe {
    pub time: Result<webproof_capture::environment::TrustedTime, ProbeError>,
    pub response: Option<Vec<u8>>,
}

pub use webproof_capture::environment::ProbeError;

fn probe_error(e: impl std::error::Error + Send + Sync + 'static) -> ProbeError {
    std::sync::Arc::new(e)
}

/// Asks the TSA at `url` for the time (a token over a fresh digest), measuring the local clock
/// just before and after: the input of step 0's clock finding.
pub async fn clock_probe(url: &str) -> ClockProbe {
    let micros = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0)
    };
    let ask = async {
        let client = TsaClient::new(Duration::from_secs(10)).map_err(probe_error)?;
        let seed = format!("webproof clock check {}", micros());
        let req = webproof_timestamp::request(
            HashAlg::Sha256,
            &HashAlg::Sha256.digest(seed.as_bytes()),
            Some(webproof_timestamp::random_nonce().map_err(probe_error)?),
            None,
        )
        .map_err(probe_error)?;
        let before = micros();
        let stamp = client.stamp(url, &req).await.map_err(probe_error)?;
        let after = micros();
        let info = &stamp.token.info;
        Ok::<_, ProbeError>((
            webproof_capture::environment::TrustedTime {
                source: url.to_owned(),
                gen_time: info.gen_time.clone(),
                gen_time_micros: info.gen_time_micros,
                accuracy_micros: info.accuracy_micros,
                whole_seconds: !info.gen_time.contains('.'),
                local_before_micros: before,
                local_after_micros: after,
            },
            stamp.response,
        ))
    };
    match ask.await {
        Ok((t, response)) => ClockProbe {
            time: Ok(t),
            response: Some(response),
        },
        Err(e) => ClockProbe {
            time: Err(e),
            response: None,
        },
    }
}
