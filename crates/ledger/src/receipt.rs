//! Receipts: what an evidence package keeps of its deposits in an evidence log, so that anyone
//! can check offline that the chain head was deposited and is covered by a checkpoint that the
//! log signed and independent witnesses cosigned.
//!
//! A receipt (`receipts/<seq>-<k>.json`, RFC 8785) holds the deposit entry (the exact bytes the
//! Merkle leaf hashes), the log's signed promise, the witnessed checkpoint and the inclusion
//! proof of the entry in that checkpoint's tree. A refresh (`receipts/refresh-NNN.json`) adds a
//! newer witnessed checkpoint and consistency proofs from the receipts' checkpoints to it.
//! See docs/evidence-package.md §6c.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use webproof_message::{Explain, Message, msg};

use crate::deposit::Deposit;
use crate::merkle::{self, Hash, ProofError};
use crate::note::{Checkpoint, Note, NoteError, NoteKey};

pub const RECEIPT_FORMAT: &str = "webproof-receipt";
pub const REFRESH_FORMAT: &str = "webproof-receipt-refresh";

/// The text of a log's promise for one commit group: the `count` deposits from index `first`,
/// whose leaf hashes have the RFC 9162 head `root`, are durable (log time `time`, Unix s). One
/// signature per commit; each deposit is acknowledged with the note and its path in the
/// group's tree ([`Ack`]).
pub fn promise_text(origin: &str, first: u64, count: u64, root: &Hash, time: u64) -> String {
    format!(
        "webproof-log promise/v2\n{origin}\n{first}\n{count}\n{}\n{time}\n",
        b64(root)
    )
}

/// What the log answers a deposit with (JSON): its index, its commit group's signed promise
/// and its audit path in the group's tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    pub index: u64,
    pub promise: String,
    pub proof: Vec<String>,
}

/// What the log answers a batch with: the first index (the batch's deposits are consecutive
/// and in one commit group), the group's promise, and each deposit's path in the group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchAck {
    pub first: u64,
    pub promise: String,
    pub proofs: Vec<Vec<String>>,
}

impl BatchAck {
    /// One [`Ack`] per deposit.
    pub fn into_acks(self) -> Vec<Ack> {
        let (first, promise) = (self.first, self.promise);
        self.proofs
            .into_iter()
            .zip(first..)
            .map(|(proof, index)| Ack {
                index,
                promise: promise.clone(),
                proof,
            })
            .collect()
    }
}

/// Checks that `promise` is the log `key`'s signed promise covering the entry with leaf hash
/// `leaf` at `index` (through `proof`, its path in the promised group); returns the log time.
pub fn check_promise(
    promise: &str,
    key: &NoteKey,
    index: u64,
    leaf: &Hash,
    proof: &[String],
) -> Result<u64, ReceiptError> {
    let bad = |m: &'static str| ReceiptError::Promise(LogNoteError::Malformed(m));
    let n = Note::parse(promise).map_err(|e| ReceiptError::Promise(LogNoteError::Unreadable(e)))?;
    n.verify_signer(key)
        .map_err(|e| ReceiptError::Promise(LogNoteError::NotSignedByLog(e)))?;
    let lines: Vec<&str> = n.text.lines().collect();
    let [head, origin, first, count, root, time] = lines[..] else {
        return Err(bad("malformed"));
    };
    let num = |s: &str| s.parse::<u64>().map_err(|_| bad("malformed number"));
    let (first, count, time) = (num(first)?, num(count)?, num(time)?);
    let root: Hash = base64::engine::general_purpose::STANDARD
        .decode(root)
        .ok()
        .and_then(|r| r.try_into().ok())
        .ok_or_else(|| bad("malformed root"))?;
    if head != "webproof-log promise/v2" || origin != key.name {
        return Err(bad("not a promise of this log"));
    }
    if n.text != promise_text(origin, first, count, &root, time) {
        return Err(bad("not in canonical form"));
    }
    if index < first || index - first >= count {
        return Err(ReceiptError::Promise(LogNoteError::NotCovered {
            first,
            end: first.saturating_add(count),
            index,
        }));
    }
    let path = proof_from_b64(proof)?;
    merkle::verify_inclusion(index - first, count, leaf, &path, &root)
        .map_err(|e| ReceiptError::Promise(LogNoteError::NotInGroup(e)))?;
    Ok(time)
}

fn b64(h: &Hash) -> String {
    base64::engine::general_purpose::STANDARD.encode(h)
}

/// Base64 lines of a proof.
pub fn proof_to_b64(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(b64).collect()
}

fn proof_from_b64(lines: &[String]) -> Result<Vec<Hash>, ReceiptError> {
    lines
        .iter()
        .map(|l| {
            base64::engine::general_purpose::STANDARD
                .decode(l)
                .ok()
                .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
                .ok_or(ReceiptError::Malformed(
                    "a proof hash is not 32 bytes of base64",
                ))
        })
        .collect()
}

/// The keys a verifier trusts: logs (by origin), witnesses, and how many witnesses must have
/// cosigned a checkpoint.
#[derive(Clone, Debug, Default)]
pub struct LogTrust {
    pub logs: Vec<NoteKey>,
    pub witnesses: Vec<NoteKey>,
    pub quorum: usize,
}

#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    #[error("malformed receipt: {0}")]
    Malformed(&'static str),
    #[error("the deposit entry: {0}")]
    Entry(#[source] crate::deposit::DepositError),
    #[error("the deposit entry: the private label does not open its commitment")]
    LabelCommitment,
    #[error("the log's key: {0}")]
    LogKey(#[source] NoteError),
    #[error("the log's key: the key is named {key:?}, the log {log:?}")]
    LogKeyName { key: String, log: String },
    #[error("the promise: {0}")]
    Promise(#[source] LogNoteError),
    #[error("the checkpoint: {0}")]
    Checkpoint(#[source] LogNoteError),
    #[error("the inclusion proof does not lead to the checkpoint's root: {0}")]
    Inclusion(ProofError),
    #[error("the consistency proof from tree size {size}: {err}")]
    Consistency { size: u64, err: ProofError },
    #[error("no consistency proof from the receipt's tree size {0}")]
    NoConsistency(u64),
    #[error("witness {0}: {1}")]
    Witness(String, NoteError),
    #[error("{got} of the required {need} trusted witnesses cosigned the checkpoint")]
    TooFewWitnesses { got: usize, need: usize },
}

/// What is wrong with one of the log's signed notes in a receipt: its promise or its
/// checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogNoteError {
    #[error("{0}")]
    Unreadable(#[source] NoteError),
    #[error("not signed by the log: {0}")]
    NotSignedByLog(#[source] NoteError),
    #[error("{0}")]
    Malformed(&'static str),
    #[error("of log {got:?}, not {want:?}")]
    OtherLog { got: String, want: String },
    #[error("it covers indices {first}..{end}, not {index}")]
    NotCovered { first: u64, end: u64, index: u64 },
    #[error("the entry is not in the promised group: {0}")]
    NotInGroup(#[source] ProofError),
}

/// One deposit's receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub v: u32,
    pub format: String,
    /// The step whose chain head (after it) was deposited.
    pub seq: u64,
    /// The log's origin.
    pub log: String,
    /// The log's verifier key as the depositor knew it (trusted only if the verifier's is the same).
    pub log_key: String,
    /// The witnesses' verifier keys as the depositor knew them.
    pub witness_keys: Vec<String>,
    pub index: u64,
    /// The deposit entry: canonical [`Deposit`] JSON, the bytes the Merkle leaf hashes.
    pub entry: String,
    /// The log's signed promise for the entry's commit group (a signed note over
    /// [`promise_text`]) and the entry's path in the group's tree (base64 hashes).
    pub promise: String,
    pub promise_proof: Vec<String>,
    /// The witnessed checkpoint (a signed note with cosignatures).
    pub checkpoint: String,
    /// The inclusion proof of `entry` at `index` in the checkpoint's tree (base64 hashes).
    pub inclusion: Vec<String>,
    /// The deposit's private label and its salt (hex), which open its `label_commitment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_salt: Option<String>,
}

/// A newer checkpoint for a package's receipts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    pub v: u32,
    pub format: String,
    /// Numbered from 1 without gaps.
    pub n: u32,
    pub log: String,
    pub checkpoint: String,
    /// A consistency proof from each tree size the receipts' checkpoints have.
    pub consistency: Vec<ConsistencyProof>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    pub size: u64,
    pub proof: Vec<String>,
}

/// A checkpoint checked against the log's key and the witnesses.
#[derive(Clone, Debug)]
pub struct CheckedCheckpoint {
    pub checkpoint: Checkpoint,
    /// (witness name, cosignature time, Unix s) of each witness whose cosignature verifies.
    pub cosigners: Vec<(String, u64)>,
    /// Whether the log's key and the witnesses' keys are the verifier's own (and the quorum
    /// was met). False when only the keys the package carries were used.
    pub trusted: bool,
}

/// A receipt that checks out.
#[derive(Clone, Debug)]
pub struct CheckedReceipt {
    pub deposit: Deposit,
    /// The label: in clear in the deposit, or private and opened by the receipt.
    pub label: Option<String>,
    /// The log time of the promise (Unix s).
    pub promised_at: u64,
    pub witnessed: CheckedCheckpoint,
}

/// Verifies a checkpoint note of log `origin`: signed by the trusted key of that log (or, if the
/// verifier has none, by `fallback_log`, untrusted), with each trusted witness's cosignature
/// verifying (or the fallback witnesses', untrusted) and at least `trust.quorum` trusted ones.
pub fn check_checkpoint(
    note: &str,
    origin: &str,
    fallback_log: &str,
    fallback_witnesses: &[String],
    trust: &LogTrust,
) -> Result<CheckedCheckpoint, ReceiptError> {
    let trusted_log = trust.logs.iter().find(|k| k.name == origin);
    let embedded;
    let key = match trusted_log {
        Some(k) => k,
        None => {
            embedded = NoteKey::from_vkey(fallback_log).map_err(ReceiptError::LogKey)?;
            if embedded.name != origin {
                return Err(ReceiptError::LogKeyName {
                    key: embedded.name,
                    log: origin.to_owned(),
                });
            }
            &embedded
        }
    };
    let bad = ReceiptError::Checkpoint;
    let n = Note::parse(note).map_err(|e| bad(LogNoteError::Unreadable(e)))?;
    n.verify_signer(key)
        .map_err(|e| bad(LogNoteError::NotSignedByLog(e)))?;
    let checkpoint = Checkpoint::parse(&n.text).map_err(|e| bad(LogNoteError::Unreadable(e)))?;
    if checkpoint.origin != origin {
        return Err(bad(LogNoteError::OtherLog {
            got: checkpoint.origin,
            want: origin.to_owned(),
        }));
    }
    let fallback: Vec<NoteKey>;
    let witnesses: &[NoteKey] = if trusted_log.is_some() {
        &trust.witnesses
    } else {
        fallback = fallback_witnesses
            .iter()
            .filter_map(|v| NoteKey::from_vkey(v).ok())
            .collect();
        &fallback
    };
    let mut cosigners = Vec::new();
    for w in witnesses {
        match n.verify_cosigner(w) {
            Ok(t) => cosigners.push((w.name.clone(), t)),
            Err(NoteError::Unsigned) => {}
            Err(e) => return Err(ReceiptError::Witness(w.name.clone(), e)),
        }
    }
    if trusted_log.is_some() && cosigners.len() < trust.quorum {
        return Err(ReceiptError::TooFewWitnesses {
            got: cosigners.len(),
            need: trust.quorum,
        });
    }
    Ok(CheckedCheckpoint {
        checkpoint,
        cosigners,
        trusted: trusted_log.is_some(),
    })
}

impl Receipt {
    pub fn to_bytes(&self) -> Result<Vec<u8>, ReceiptError> {
        serde_json_canonicalizer::to_vec(self).map_err(|_| ReceiptError::Malformed("not JSON"))
    }

    pub fn parse(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
        let r: Receipt =
            serde_json::from_slice(bytes).map_err(|_| ReceiptError::Malformed("not a receipt"))?;
        if r.v != 1 || r.format != RECEIPT_FORMAT {
            return Err(ReceiptError::Malformed("unknown receipt format or version"));
        }
        if r.to_bytes()? != bytes {
            return Err(ReceiptError::Malformed("not in canonical (RFC 8785) form"));
        }
        Ok(r)
    }

    /// The Merkle leaf hash of the entry.
    pub fn leaf(&self) -> Hash {
        merkle::leaf_hash(self.entry.as_bytes())
    }

    /// Checks everything the receipt claims by itself: the entry is a deposit, the promise and
    /// checkpoint are signed by the log, the inclusion proof leads from the entry to the
    /// checkpoint's root, and the witnesses' cosignatures (see [`check_checkpoint`]). Whether
    /// the deposit is of *this* package's chain head is the caller's to compare.
    pub fn check(&self, trust: &LogTrust) -> Result<CheckedReceipt, ReceiptError> {
        let deposit = Deposit::parse(self.entry.as_bytes()).map_err(ReceiptError::Entry)?;
        let label = match (&deposit.label_commitment, &self.label, &self.label_salt) {
            (Some(c), Some(l), Some(salt)) => {
                let salt: [u8; 16] = hex::decode(salt)
                    .ok()
                    .and_then(|s| s.try_into().ok())
                    .ok_or(ReceiptError::Malformed("label_salt is 16 bytes of hex"))?;
                if crate::deposit::label_commitment(l, &salt) != *c {
                    return Err(ReceiptError::LabelCommitment);
                }
                Some(l.clone())
            }
            (None, None, None) => deposit.label.clone(),
            (Some(_), None, None) => None,
            _ => {
                return Err(ReceiptError::Malformed(
                    "a label and salt without a commitment, or only one of them",
                ));
            }
        };
        let witnessed = check_checkpoint(
            &self.checkpoint,
            &self.log,
            &self.log_key,
            &self.witness_keys,
            trust,
        )?;
        // The promise is signed by the same key as the checkpoint.
        let key = match trust.logs.iter().find(|k| k.name == self.log) {
            Some(k) => k.clone(),
            None => NoteKey::from_vkey(&self.log_key).map_err(ReceiptError::LogKey)?,
        };
        let promised_at = check_promise(
            &self.promise,
            &key,
            self.index,
            &self.leaf(),
            &self.promise_proof,
        )?;
        let proof = proof_from_b64(&self.inclusion)?;
        merkle::verify_inclusion(
            self.index,
            witnessed.checkpoint.size,
            &self.leaf(),
            &proof,
            &witnessed.checkpoint.root,
        )
        .map_err(ReceiptError::Inclusion)?;
        Ok(CheckedReceipt {
            deposit,
            label,
            promised_at,
            witnessed,
        })
    }
}

impl Refresh {
    pub fn to_bytes(&self) -> Result<Vec<u8>, ReceiptError> {
        serde_json_canonicalizer::to_vec(self).map_err(|_| ReceiptError::Malformed("not JSON"))
    }

    pub fn parse(bytes: &[u8]) -> Result<Refresh, ReceiptError> {
        let r: Refresh =
            serde_json::from_slice(bytes).map_err(|_| ReceiptError::Malformed("not a refresh"))?;
        if r.v != 1 || r.format != REFRESH_FORMAT {
            return Err(ReceiptError::Malformed("unknown refresh format or version"));
        }
        if r.to_bytes()? != bytes {
            return Err(ReceiptError::Malformed("not in canonical (RFC 8785) form"));
        }
        Ok(r)
    }

    /// Checks the newer checkpoint (signed by the log `key_of` the receipts, cosigned as
    /// [`check_checkpoint`] says) and that it extends every earlier checkpoint given as
    /// (size, root).
    pub fn check(
        &self,
        fallback_log: &str,
        fallback_witnesses: &[String],
        earlier: &[(u64, Hash)],
        trust: &LogTrust,
    ) -> Result<CheckedCheckpoint, ReceiptError> {
        let c = check_checkpoint(
            &self.checkpoint,
            &self.log,
            fallback_log,
            fallback_witnesses,
            trust,
        )?;
        for (size, root) in earlier {
            let proof = match self.consistency.iter().find(|p| p.size == *size) {
                Some(p) => proof_from_b64(&p.proof)?,
                None if *size == c.checkpoint.size => Vec::new(),
                None => return Err(ReceiptError::NoConsistency(*size)),
            };
            merkle::verify_consistency(*size, c.checkpoint.size, root, &c.checkpoint.root, &proof)
                .map_err(|err| ReceiptError::Consistency { size: *size, err })?;
        }
        Ok(c)
    }
}

impl Explain for ReceiptError {
    fn message(&self) -> Message {
        use ReceiptError as E;
        match self {
            E::Malformed(d) => msg!("err-receipt-malformed").arg("detail", d),
            E::Entry(d) => msg!("err-receipt-entry").arg("detail", d.to_string()),
            E::LabelCommitment => msg!("err-receipt-entry")
                .arg("detail", "the private label does not open its commitment"),
            E::LogKey(d) => msg!("err-receipt-log-key").arg("detail", d.to_string()),
            E::LogKeyName { key, log } => msg!("err-receipt-log-key").arg(
                "detail",
                format!("the key is named {key:?}, the log {log:?}"),
            ),
            E::Promise(d) => msg!("err-receipt-promise").arg("detail", d.to_string()),
            E::Checkpoint(d) => msg!("err-receipt-checkpoint").arg("detail", d.to_string()),
            E::Inclusion(p) => msg!("err-receipt-inclusion").because(p.message()),
            E::Consistency { size, err } => msg!("err-receipt-consistency")
                .arg("size", size)
                .because(err.message()),
            E::NoConsistency(n) => msg!("err-receipt-no-consistency").arg("size", n),
            E::Witness(name, e) => msg!("err-receipt-witness")
                .arg("name", name)
                .because(e.message()),
            E::TooFewWitnesses { got, need } => msg!("err-receipt-witnesses")
                .arg("got", got)
                .arg("need", need),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{ALG_COSIGNATURE_V1, ALG_ED25519, NoteSigner};
    use ed25519_dalek::SigningKey;

    const ORIGIN: &str = "log.test/evidence";

    struct Fixture {
        log: NoteSigner,
        witnesses: Vec<NoteSigner>,
        leaves: Vec<Vec<u8>>,
    }

    fn deposit(i: u8) -> Vec<u8> {
        Deposit {
            v: 1,
            sha256: format!("{i:02x}").repeat(32),
            sm3: "cd".repeat(32),
            package: format!("capture-{i}"),
            operator: "ef".repeat(32),
            claimed_time: "2026-11-23T12:00:00Z".into(),
            label: None,
            // Leaf 5 carries a private label's commitment ("CASE-1", salt 3…3).
            label_commitment: (i == 5)
                .then(|| crate::deposit::label_commitment("CASE-1", &[3; 16])),
            files: Vec::new(),
        }
        .to_bytes()
        .unwrap()
    }

    fn fixture(n: u8) -> Fixture {
        let log = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[1; 32])).unwrap();
        let witnesses = ["w.court.test", "w.notary.test", "w.ca.test"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                NoteSigner::new(
                    name,
                    ALG_COSIGNATURE_V1,
                    SigningKey::from_bytes(&[10 + i as u8; 32]),
                )
                .unwrap()
            })
            .collect();
        Fixture {
            log,
            witnesses,
            leaves: (0..n).map(deposit).collect(),
        }
    }

    impl Fixture {
        fn hashes(&self, size: usize) -> Vec<Hash> {
            self.leaves[..size]
                .iter()
                .map(|l| merkle::leaf_hash(l))
                .collect()
        }

        /// A checkpoint of the first `size` leaves cosigned by the first `k` witnesses.
        fn checkpoint(&self, size: usize, k: usize) -> String {
            let cp = Checkpoint {
                origin: ORIGIN.into(),
                size: size as u64,
                root: merkle::root(&self.hashes(size)),
                extensions: vec![],
            };
            let mut note = cp.sign(&self.log);
            for w in &self.witnesses[..k] {
                note.push_str(&w.cosign(&cp.to_text(), 1_795_000_000).to_line());
            }
            note
        }

        /// A receipt whose deposit was committed in a group of the leaves 2..size.
        fn receipt(&self, index: usize, size: usize, k: usize) -> Receipt {
            let group = &self.hashes(size)[2..];
            let (root, paths) = merkle::all_inclusion_proofs(group);
            let text = promise_text(ORIGIN, 2, group.len() as u64, &root, 1_795_000_000);
            let promise = Note {
                sigs: vec![self.log.sign(&text)],
                text,
            }
            .to_text();
            Receipt {
                v: 1,
                format: RECEIPT_FORMAT.into(),
                seq: 7,
                log: ORIGIN.into(),
                log_key: self.log.key.vkey(),
                witness_keys: self.witnesses.iter().map(|w| w.key.vkey()).collect(),
                index: index as u64,
                entry: String::from_utf8(self.leaves[index].clone()).unwrap(),
                promise,
                promise_proof: proof_to_b64(&paths[index - 2]),
                checkpoint: self.checkpoint(size, k),
                inclusion: proof_to_b64(
                    &merkle::inclusion_proof(&self.hashes(size), index).unwrap(),
                ),
                label: None,
                label_salt: None,
            }
        }

        fn trust(&self, quorum: usize) -> LogTrust {
            LogTrust {
                logs: vec![self.log.key.clone()],
                witnesses: self.witnesses.iter().map(|w| w.key.clone()).collect(),
                quorum,
            }
        }
    }

    #[test]
    fn a_receipt_checks_trusted_with_configured_keys_and_untrusted_without() {
        let f = fixture(6);
        let r = f.receipt(4, 6, 3);
        let bytes = r.to_bytes().unwrap();
        assert_eq!(Receipt::parse(&bytes).unwrap(), r);
        let c = r.check(&f.trust(3)).unwrap();
        assert!(c.witnessed.trusted);
        assert_eq!(c.witnessed.cosigners.len(), 3);
        assert_eq!(c.deposit.package, "capture-4");
        assert_eq!(c.promised_at, 1_795_000_000);
        // The configured key rules: a receipt naming another key for this log is checked
        // with the configured one, checkpoint and promise alike.
        let other = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[2; 32])).unwrap();
        let mut claims_other = r.clone();
        claims_other.log_key = other.key.vkey();
        assert!(claims_other.check(&f.trust(3)).unwrap().witnessed.trusted);
        // Without configured keys, the package's own keys: valid, but not trusted.
        let c = r.check(&LogTrust::default()).unwrap();
        assert!(!c.witnessed.trusted);
        assert_eq!(c.witnessed.cosigners.len(), 3);
    }

    #[test]
    fn too_few_witnesses_a_wrong_key_or_a_changed_part_fail() {
        let f = fixture(6);
        assert!(matches!(
            f.receipt(4, 6, 2).check(&f.trust(3)).unwrap_err(),
            ReceiptError::TooFewWitnesses { got: 2, need: 3 }
        ));
        // Another key for the same log name.
        let other = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[2; 32])).unwrap();
        let mut t = f.trust(0);
        t.logs = vec![other.key.clone()];
        assert!(matches!(
            f.receipt(4, 6, 3).check(&t),
            Err(ReceiptError::Checkpoint(_))
        ));
        // Another entry, another index, a shortened proof, an edited promise.
        let mut r = f.receipt(4, 6, 3);
        r.entry = String::from_utf8(f.leaves[3].clone()).unwrap();
        assert!(r.check(&f.trust(3)).is_err());
        let mut r = f.receipt(4, 6, 3);
        r.index = 3;
        assert!(r.check(&f.trust(3)).is_err());
        let mut r = f.receipt(4, 6, 3);
        r.inclusion.pop();
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::Inclusion(_))
        ));
        let mut r = f.receipt(4, 6, 3);
        r.promise_proof.swap(0, 1);
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::Promise(_))
        ));
        // A promise for a group without this entry.
        let mut r = f.receipt(4, 6, 3);
        r.promise = f.receipt(2, 4, 3).promise;
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::Promise(_))
        ));
        let mut r = f.receipt(4, 6, 3);
        r.promise = r.promise.replacen("\n2\n", "\n1\n", 1);
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::Promise(_))
        ));
        // A cosignature that does not verify is an error, not a missing witness.
        let mut r = f.receipt(4, 6, 3);
        let cp = Note::parse(&r.checkpoint).unwrap();
        let mut bad = cp.clone();
        bad.sigs[1].sig[20] ^= 1;
        r.checkpoint = bad.to_text();
        assert!(matches!(
            r.check(&f.trust(1)),
            Err(ReceiptError::Witness(..))
        ));
        // Not canonical: refused.
        let text = String::from_utf8(f.receipt(4, 6, 3).to_bytes().unwrap()).unwrap();
        assert!(Receipt::parse(text.replace(",\"", ", \"").as_bytes()).is_err());
    }

    #[test]
    fn a_private_label_is_opened_by_the_receipt_or_stays_closed() {
        let f = fixture(6);
        let mut r = f.receipt(5, 6, 3);
        assert_eq!(r.check(&f.trust(3)).unwrap().label, None);
        r.label = Some("CASE-1".into());
        r.label_salt = Some(hex::encode([3u8; 16]));
        assert_eq!(
            r.check(&f.trust(3)).unwrap().label.as_deref(),
            Some("CASE-1")
        );
        r.label = Some("CASE-2".into());
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::LabelCommitment)
        ));
        // A label without its salt, or a salt of another length.
        r.label = Some("CASE-1".into());
        r.label_salt = None;
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::Malformed(_))
        ));
        r.label_salt = Some(hex::encode([3u8; 15]));
        assert!(matches!(
            r.check(&f.trust(3)),
            Err(ReceiptError::Malformed(_))
        ));
    }

    #[test]
    fn a_promise_covers_exactly_its_group_and_a_receipt_its_version_and_format() {
        let f = fixture(6);
        // The group of leaves 2..6: first 2, count 4.
        let r = f.receipt(4, 6, 3);
        let hashes = f.hashes(6);
        for (index, covered) in [(1u64, false), (2, true), (5, true), (6, false)] {
            let got = check_promise(
                &r.promise,
                &f.log.key,
                index,
                &hashes[index.min(5) as usize],
                &[],
            );
            if covered {
                // Covered: what fails then is the (empty) path, not the range.
                assert!(
                    !matches!(
                        got,
                        Err(ReceiptError::Promise(LogNoteError::NotCovered { .. }))
                    ),
                    "{index}"
                );
            } else {
                assert!(
                    matches!(
                        got,
                        Err(ReceiptError::Promise(LogNoteError::NotCovered {
                            first: 2,
                            end: 6,
                            ..
                        }))
                    ),
                    "{index}: {got:?}"
                );
            }
        }
        // Signed by this log's key but naming another log (the same key serving two logs):
        // not a promise of this log, even with its right head and form.
        let r = f.receipt(4, 6, 3);
        let group = &hashes[2..];
        let (root, paths) = merkle::all_inclusion_proofs(group);
        let text = promise_text("other.example/log", 2, 4, &root, 1_795_000_000);
        let elsewhere = Note {
            sigs: vec![f.log.sign(&text)],
            text,
        }
        .to_text();
        let path = proof_to_b64(&paths[2]);
        assert!(check_promise(&r.promise, &f.log.key, 4, &hashes[4], &path).is_ok());
        assert!(matches!(
            check_promise(&elsewhere, &f.log.key, 4, &hashes[4], &path),
            Err(ReceiptError::Promise(LogNoteError::Malformed(
                "not a promise of this log"
            )))
        ));
        let mut v2 = f.receipt(4, 6, 3);
        v2.v = 2;
        assert!(Receipt::parse(&v2.to_bytes().unwrap()).is_err());
        let mut other = f.receipt(4, 6, 3);
        other.format = "webproof-receipt/v0".into();
        assert!(Receipt::parse(&other.to_bytes().unwrap()).is_err());
        // A batch's acknowledgement: one per deposit, at consecutive indices, one promise.
        let acks = BatchAck {
            first: 10,
            promise: "p".into(),
            proofs: vec![vec!["a".into()], vec![]],
        }
        .into_acks();
        assert_eq!(acks.len(), 2);
        assert_eq!((acks[0].index, acks[1].index), (10, 11));
        assert_eq!(acks[0].proof, ["a"]);
        assert!(acks.iter().all(|a| a.promise == "p"));
    }

    #[test]
    fn a_refresh_extends_the_receipts_checkpoint() {
        let f = fixture(9);
        let r = f.receipt(2, 5, 3);
        let first = r.check(&f.trust(3)).unwrap().witnessed.checkpoint;
        let refresh = Refresh {
            v: 1,
            format: REFRESH_FORMAT.into(),
            n: 1,
            log: ORIGIN.into(),
            checkpoint: f.checkpoint(9, 3),
            consistency: vec![ConsistencyProof {
                size: 5,
                proof: proof_to_b64(&merkle::consistency_proof(&f.hashes(9), 5).unwrap()),
            }],
        };
        assert_eq!(
            Refresh::parse(&refresh.to_bytes().unwrap()).unwrap(),
            refresh
        );
        let earlier = [(first.size, first.root)];
        let c = refresh
            .check(&r.log_key, &r.witness_keys, &earlier, &f.trust(3))
            .unwrap();
        assert_eq!(c.checkpoint.size, 9);
        // A refresh over another history (a split view) fails.
        let mut forked = f.leaves.clone();
        forked[1] = deposit(99);
        let g = Fixture {
            leaves: forked,
            ..fixture(0)
        };
        let mut split = refresh.clone();
        split.checkpoint = g.checkpoint(9, 3);
        assert!(matches!(
            split.check(&r.log_key, &r.witness_keys, &earlier, &f.trust(3)),
            Err(ReceiptError::Consistency { size: 5, .. })
        ));
        // No proof from the receipt's size.
        let mut none = refresh.clone();
        none.consistency.clear();
        assert!(matches!(
            none.check(&r.log_key, &r.witness_keys, &earlier, &f.trust(3))
                .unwrap_err(),
            ReceiptError::NoConsistency(5)
        ));
        // An earlier checkpoint of the refresh's own size needs no proof (it is the same tree).
        let same = [(9u64, merkle::root(&f.hashes(9)))];
        assert!(
            none.check(&r.log_key, &r.witness_keys, &same, &f.trust(3))
                .is_ok()
        );
        // A refresh's version and format each alone.
        let mut v2 = refresh.clone();
        v2.v = 2;
        assert!(Refresh::parse(&v2.to_bytes().unwrap()).is_err());
        let mut other = refresh.clone();
        other.format = "webproof-refresh/v0".into();
        assert!(Refresh::parse(&other.to_bytes().unwrap()).is_err());
    }
}
