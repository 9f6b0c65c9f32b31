//! Deposits chain heads in the evidence log and keeps the receipts: the log's promise arrives
//! at once; at seal, the session waits for a witnessed checkpoint that covers every deposit,
//! fetches the inclusion proofs, checks each receipt against the configured keys and writes it
//! into the capture (`receipts/`).

use std::time::{Duration, Instant};

use webproof_evidence::capture::Capture;
use webproof_evidence::digest::Digests;
use webproof_evidence::identity::SecretKey;
use webproof_evidence::record::StepRecord;
use webproof_ledger::deposit::{Deposit, DepositFile, MAX_DEPOSIT_FILES};
use webproof_ledger::note::NoteKey;
use webproof_ledger::receipt::{self, Ack, LogTrust, Receipt};
use webproof_net::{LogClient, NetError};

use crate::worker::Worker;
use crate::{AnchorError, Note, Waiting};

/// The log in force, with the keys its receipts are checked against (at least the log's).
#[derive(Clone, Debug)]
pub struct LogSettings {
    pub url: String,
    pub trust: LogTrust,
}

/// What every deposit of one capture says besides its chain head.
pub struct DepositInfo {
    pub package: String,
    pub operator: String,
    pub label: Option<String>,
    /// The operator's key: deposits are signed requests (logs with access control take
    /// deposits only from enrolled operators).
    pub key: SecretKey,
    /// The salt of the private label's commitment (one per capture).
    pub label_salt: [u8; 16],
    /// Whether deposits name the capture's files by digest (so the log can answer "was this
    /// exact file deposited?"); a tenant may keep them out of the log (config.toml
    /// `[log] file_digests = false`).
    pub file_digests: bool,
    /// Where deposits are POSTed instead of the log's `/add` (a batch's relay, which gathers
    /// the deposits of its captures into the log's `/add-batch`); the promises, checkpoints
    /// and proofs still come from, and are checked against, the log itself.
    pub deposit_via: Option<String>,
}

impl DepositInfo {
    /// The deposits of capture `capture` by `operator`, labelled (privately) with the case.
    pub fn new(
        capture: &str,
        operator: &SecretKey,
        case: Option<&str>,
    ) -> Result<Self, AnchorError> {
        Ok(DepositInfo {
            package: capture.to_owned(),
            operator: operator
                .public_key()
                .fingerprint()
                .map_err(AnchorError::Key)?
                .to_hex(),
            label: case.map(|c| c.chars().take(64).collect()),
            key: operator.clone(),
            label_salt: webproof_evidence::identity::new_salt().map_err(AnchorError::Key)?,
            file_digests: true,
            deposit_via: None,
        })
    }
}

/// The `Webproof-Signature` header for POSTing `body` to `path` of the log named `origin`
/// now, signed by `key`.
pub fn auth_header(
    key: &SecretKey,
    origin: &str,
    path: &str,
    body: &[u8],
) -> Result<String, AnchorError> {
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let msg = webproof_ledger::auth::request_message(origin, "POST", path, time, body);
    let sig = key.sign(&msg).map_err(AnchorError::Sign)?;
    let keyid = key
        .public_key()
        .fingerprint()
        .map_err(AnchorError::Key)?
        .to_hex();
    Ok(webproof_ledger::auth::header_value(&keyid, time, &sig))
}

/// A deposit the log promised.
struct Promised {
    seq: u64,
    entry: Vec<u8>,
    ack: Ack,
}

struct Answer {
    seq: u64,
    entry: Vec<u8>,
    result: Result<Ack, NetError>,
}

/// Deposits chain heads in the background and turns the promises into receipts.
pub struct Depositor {
    trust: LogTrust,
    client: LogClient,
    /// The client deposits go through: the log's, or the relay's of `info.deposit_via`.
    adder: LogClient,
    info: DepositInfo,
    work: Worker<Answer>,
    promised: Vec<Promised>,
    /// Files recorded and not yet named in a deposit (more than one deposit names wait for
    /// the next), and the last step whose files were taken.
    files: std::collections::VecDeque<DepositFile>,
    files_upto: Option<u64>,
}

impl Depositor {
    /// Fails when `s.trust` names no log key (a receipt could not be checked).
    pub fn new(
        s: LogSettings,
        info: DepositInfo,
        handle: tokio::runtime::Handle,
    ) -> Result<Self, AnchorError> {
        if s.trust.logs.is_empty() {
            return Err(AnchorError::NoLogKey { url: s.url });
        }
        let client =
            LogClient::new(&s.url, Duration::from_secs(10)).map_err(AnchorError::Client)?;
        let adder = match &info.deposit_via {
            // A relay waits for companions before it passes a deposit on.
            Some(via) => {
                LogClient::new(via, Duration::from_secs(30)).map_err(AnchorError::Client)?
            }
            None => client.clone(),
        };
        Ok(Depositor {
            client,
            adder,
            trust: s.trust,
            info,
            work: Worker::new(handle),
            promised: Vec::new(),
            files: Default::default(),
            files_upto: None,
        })
    }

    fn log_key(&self) -> &NoteKey {
        // new() refuses a log without a key.
        &self.trust.logs[0]
    }

    /// The log's latest witnessed checkpoint, checked against the configured keys, for the
    /// environment step ("the session began after this existed"). `None` (noted why) when it
    /// cannot be had.
    pub fn latest_checkpoint(&self, note: &dyn Fn(Note<'_>)) -> Option<String> {
        let origin = &self.log_key().name;
        match self.work.block_on(self.client.checkpoint()) {
            Ok(Some(text)) => {
                match receipt::check_checkpoint(&text, origin, "", &[], &self.trust) {
                    Ok(_) => Some(text),
                    Err(e) => {
                        note(Note::NoNotBefore { error: &e });
                        None
                    }
                }
            }
            Ok(None) => None,
            Err(e) => {
                note(Note::NoNotBefore { error: &e });
                None
            }
        }
    }

    /// The files of `records` up to step `seq` not named in a deposit yet, at most
    /// [`MAX_DEPOSIT_FILES`] (the rest wait for the next deposit); none when the tenant keeps
    /// file digests out of the log.
    fn files_for(&mut self, records: &[StepRecord], seq: u64) -> Vec<DepositFile> {
        if !self.info.file_digests {
            return Vec::new();
        }
        let from = self.files_upto.map_or(0, |s| s + 1);
        for r in records.iter().filter(|r| r.seq >= from && r.seq <= seq) {
            self.files.extend(r.artifacts.iter().map(|a| DepositFile {
                seq: r.seq,
                sha256: a.sha256.to_hex(),
                sm3: a.sm3.to_hex(),
            }));
        }
        self.files_upto = Some(self.files_upto.map_or(seq, |s| s.max(seq)));
        let n = self.files.len().min(MAX_DEPOSIT_FILES);
        self.files.drain(..n).collect()
    }

    /// Deposits the chain head after step `seq` of `records` (with the files recorded since
    /// the last deposit); returns at once.
    pub fn start(
        &mut self,
        records: &[StepRecord],
        seq: u64,
        head: &Digests,
    ) -> Result<(), AnchorError> {
        let files = self.files_for(records, seq);
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
            files,
        };
        deposit.validate().map_err(AnchorError::Deposit)?;
        let entry = deposit.to_bytes().map_err(AnchorError::Deposit)?;
        let auth = auth_header(
            &self.info.key,
            &self.log_key().name,
            webproof_ledger::api::ADD,
            &entry,
        )?;
        let label = self
            .info
            .label
            .as_ref()
            .map(|l| webproof_ledger::auth::label_header(l, &self.info.label_salt));
        let client = self.adder.clone();
        self.work.spawn(async move {
            let result = client.add(&entry, Some(auth), label).await;
            Answer { seq, entry, result }
        });
        Ok(())
    }

    /// A deposit the log did not take: the files it named wait for the next deposit, so that
    /// the log can still be asked for them.
    fn requeue(&mut self, entry: &[u8]) {
        if let Ok(d) = Deposit::parse(entry) {
            for f in d.files.into_iter().rev() {
                self.files.push_front(f);
            }
        }
    }

    fn keep(&mut self, a: Answer, note: &dyn Fn(Note<'_>)) {
        // The promise must be the log's signature over a group holding exactly this entry.
        let ack = match a.result {
            Ok(ack) => ack,
            Err(e) => {
                self.requeue(&a.entry);
                return note(Note::DepositFailed { error: &e });
            }
        };
        let leaf = webproof_ledger::merkle::leaf_hash(&a.entry);
        if let Err(e) =
            receipt::check_promise(&ack.promise, self.log_key(), ack.index, &leaf, &ack.proof)
        {
            self.requeue(&a.entry);
            return note(Note::DepositFailed { error: &e });
        }
        note(Note::Deposited {
            seq: a.seq,
            index: ack.index,
        });
        self.promised.push(Promised {
            seq: a.seq,
            entry: a.entry,
            ack,
        });
    }

    /// How many chain heads the log has promised so far.
    pub fn promised(&self) -> usize {
        self.promised.len()
    }

    /// Notes the promises that have arrived.
    pub fn collect(&mut self, note: &dyn Fn(Note<'_>)) {
        while let Some(a) = self.work.ready() {
            self.keep(a, note);
        }
    }

    /// A witnessed checkpoint larger than index `need`, or why there is none yet.
    fn checkpoint_over(&self, need: u64) -> Result<(String, receipt::CheckedCheckpoint), Waiting> {
        match self.work.block_on(self.client.checkpoint()) {
            Ok(Some(text)) => {
                match receipt::check_checkpoint(&text, &self.log_key().name, "", &[], &self.trust) {
                    Ok(w) if w.checkpoint.size > need => Ok((text, w)),
                    Ok(w) => Err(Waiting::TooSmall {
                        size: w.checkpoint.size,
                    }),
                    Err(e) => Err(Waiting::Bad(e)),
                }
            }
            Ok(None) => Err(Waiting::None),
            Err(e) => Err(Waiting::Net(e)),
        }
    }

    /// Waits (at most `limit`) for the outstanding promises and for a witnessed checkpoint
    /// that covers every deposit, then writes a receipt per deposit into the capture.
    pub fn finish(
        &mut self,
        cap: &Capture,
        limit: Duration,
        note: &dyn Fn(Note<'_>),
    ) -> Result<(), AnchorError> {
        let deadline = Instant::now() + limit;
        while let Some(a) = self.work.next(deadline) {
            self.keep(a, note);
        }
        let Some(need) = self.promised.iter().map(|p| p.ack.index).max() else {
            return Ok(());
        };
        let Some((checkpoint, witnessed)) = self.witnessed_over(need, deadline, limit, note) else {
            return Ok(());
        };
        let size = witnessed.checkpoint.size;
        let origin = self.log_key().name.clone();
        let witnesses: Vec<&str> = witnessed
            .cosigners
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        for p in std::mem::take(&mut self.promised) {
            let seq = p.seq;
            let Some(r) = self.receipt(p, &checkpoint, size, note)? else {
                continue;
            };
            let bytes = r.to_bytes().map_err(AnchorError::ReceiptBytes)?;
            cap.add_receipt(seq, 1, &bytes)
                .map_err(AnchorError::Receipt)?;
            note(Note::Receipt {
                seq,
                index: r.index,
                size,
                origin: &origin,
                witnesses: &witnesses,
            });
        }
        Ok(())
    }

    /// The log's witnessed checkpoint once it covers index `need`; `None` (said, with the
    /// promises the deposits keep instead) when none does by `deadline`.
    fn witnessed_over(
        &self,
        need: u64,
        deadline: Instant,
        limit: Duration,
        note: &dyn Fn(Note<'_>),
    ) -> Option<(String, receipt::CheckedCheckpoint)> {
        loop {
            match self.checkpoint_over(need) {
                Ok(found) => return Some(found),
                Err(why) if Instant::now() >= deadline => {
                    let promises: Vec<(u64, u64)> =
                        self.promised.iter().map(|p| (p.seq, p.ack.index)).collect();
                    note(Note::NoReceipts {
                        seconds: limit.as_secs(),
                        why: &why,
                        promises: &promises,
                    });
                    return None;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(150)),
            }
        }
    }

    /// The receipt of one promised deposit under `checkpoint` (of `size` leaves), checked as a
    /// verifier will; `None` (said) when the log proves no inclusion or the receipt does not
    /// hold.
    fn receipt(
        &self,
        p: Promised,
        checkpoint: &str,
        size: u64,
        note: &dyn Fn(Note<'_>),
    ) -> Result<Option<Receipt>, AnchorError> {
        let proof = match self.work.block_on(self.client.inclusion(p.ack.index, size)) {
            Ok(text) => match text.and_then(|t| webproof_ledger::witness::parse_proof(&t)) {
                Some(proof) => proof,
                None => {
                    note(Note::NoInclusion {
                        seq: p.seq,
                        error: None,
                    });
                    return Ok(None);
                }
            },
            Err(e) => {
                note(Note::NoInclusion {
                    seq: p.seq,
                    error: Some(&e),
                });
                return Ok(None);
            }
        };
        let r = Receipt {
            v: 1,
            format: receipt::RECEIPT_FORMAT.into(),
            seq: p.seq,
            log: self.log_key().name.clone(),
            log_key: self.log_key().vkey(),
            witness_keys: self.trust.witnesses.iter().map(|w| w.vkey()).collect(),
            index: p.ack.index,
            entry: String::from_utf8(p.entry).map_err(|_| AnchorError::EntryNotUtf8)?,
            promise: p.ack.promise,
            promise_proof: p.ack.proof,
            checkpoint: checkpoint.to_owned(),
            inclusion: receipt::proof_to_b64(&proof),
            label: self.info.label.clone(),
            label_salt: self
                .info
                .label
                .as_ref()
                .map(|_| hex::encode(self.info.label_salt)),
        };
        if let Err(e) = r.check(&self.trust) {
            note(Note::ReceiptBad {
                seq: p.seq,
                error: &e,
            });
            return Ok(None);
        }
        Ok(Some(r))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use webproof_evidence::identity::Algorithm;
    use webproof_ledger::note::{ALG_ED25519, NoteSigner};

    /// A depositor to a log nobody serves, for what it names in its deposits.
    fn depositor(rt: &tokio::runtime::Runtime, file_digests: bool) -> Depositor {
        let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
        let log = NoteSigner::new(
            "log.files.test",
            ALG_ED25519,
            ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        )
        .unwrap();
        let mut info = DepositInfo::new("capture-f", &key, None).unwrap();
        info.file_digests = file_digests;
        Depositor::new(
            LogSettings {
                url: "http://127.0.0.1:9/".into(),
                trust: LogTrust {
                    logs: vec![log.key],
                    witnesses: vec![],
                    quorum: 0,
                },
            },
            info,
            rt.handle().clone(),
        )
        .unwrap()
    }

    /// Steps 0..n, step i recording i files.
    fn records(dir: &std::path::Path, n: usize) -> Capture {
        let mut cap = Capture::create(&dir.join("cap")).unwrap();
        for i in 0..n {
            let files: Vec<(String, Vec<u8>)> = (0..i)
                .map(|k| (format!("f{i}-{k}.txt"), format!("{i}/{k}").into_bytes()))
                .collect();
            let refs: Vec<(&str, &str, &[u8])> = files
                .iter()
                .map(|(n, b)| (n.as_str(), "text/plain", b.as_slice()))
                .collect();
            cap.add_step(
                webproof_evidence::record::StepKind::Note,
                webproof_evidence::utc::Utc::now(),
                None,
                Default::default(),
                &refs,
            )
            .unwrap();
        }
        cap
    }

    #[test]
    fn each_file_is_named_once_in_order_and_again_after_a_failed_deposit() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let t = tempfile::tempdir().unwrap();
        let cap = records(t.path(), 4);
        let mut d = depositor(&rt, true);
        // Up to step 1: step 1's one file; then steps 2 and 3: two and three.
        let first = d.files_for(cap.records(), 1);
        assert_eq!(first.iter().map(|f| f.seq).collect::<Vec<_>>(), [1]);
        assert_eq!(
            first[0].sha256,
            cap.records()[1].artifacts[0].sha256.to_hex()
        );
        let rest = d.files_for(cap.records(), 3);
        assert_eq!(
            rest.iter().map(|f| f.seq).collect::<Vec<_>>(),
            [2, 2, 3, 3, 3]
        );
        assert!(d.files_for(cap.records(), 3).is_empty(), "named twice");
        // The log did not take the deposit naming them: the next deposit names them again.
        let entry = Deposit {
            v: 1,
            sha256: "a".repeat(64),
            sm3: "b".repeat(64),
            package: "capture-f".into(),
            operator: "c".repeat(64),
            claimed_time: "2026-12-05T00:00:00Z".into(),
            label: None,
            label_commitment: None,
            files: rest.clone(),
        };
        d.requeue(&entry.to_bytes().unwrap());
        assert_eq!(d.files_for(cap.records(), 3), rest);
        // A tenant that keeps them out names none.
        let mut private = depositor(&rt, false);
        assert!(private.files_for(cap.records(), 3).is_empty());
    }

    #[test]
    fn at_most_the_limit_go_in_one_deposit_and_the_rest_in_the_next() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let t = tempfile::tempdir().unwrap();
        let cap = records(t.path(), 2);
        let mut d = depositor(&rt, true);
        let one = d.files_for(cap.records(), 1).pop().unwrap();
        d.files
            .extend(std::iter::repeat_n(one.clone(), MAX_DEPOSIT_FILES + 5));
        assert_eq!(d.files_for(cap.records(), 1).len(), MAX_DEPOSIT_FILES);
        assert_eq!(d.files_for(cap.records(), 1).len(), 5);
    }
}
