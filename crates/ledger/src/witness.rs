//! Witnessing (c2sp.org/tlog-witness semantics, pure): a witness cosigns a log's checkpoint
//! only if it is signed by the log and consistent with the last checkpoint the witness
//! cosigned for that log; a second tree of the same size, or one that does not extend the
//! last, is a fork, refused with the two signed checkpoints as evidence. And the client side:
//! a checkpoint counts once k of the configured witnesses have cosigned it.

use std::collections::BTreeMap;

use crate::merkle::{self, Hash, ProofError};
use crate::note::{Checkpoint, Note, NoteError, NoteKey, NoteSigner, SigLine};

/// What a witness remembers of one log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub size: u64,
    pub root: Hash,
    /// The signed checkpoint note it last cosigned (evidence, should the log fork).
    pub note: String,
}

/// Why a witness refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("unknown log {0:?}")]
    UnknownLog(String),
    #[error("the checkpoint is not signed by the log's key")]
    NotSignedByLog,
    /// The client assumed another previous size (HTTP 409 in tlog-witness).
    #[error("the witness's last checkpoint for this log has size {have}, not {claimed}")]
    Conflict { have: u64, claimed: u64 },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("not consistent with the last cosigned checkpoint: {0}")]
    Inconsistent(ProofError),
    /// Two different trees from one log: a split view. Both signed notes are kept.
    #[error("fork: the log signed two different trees; evidence kept")]
    Fork { earlier: String, later: String },
}

/// Most fork evidence pairs a witness keeps (the first ones prove the fork; more add nothing).
pub const MAX_FORKS: usize = 100;

/// A witness: its cosigning key, the logs it watches and what it has seen of each.
pub struct Witness {
    signer: NoteSigner,
    logs: BTreeMap<String, NoteKey>,
    pub state: BTreeMap<String, Seen>,
    /// Signed evidence of every fork seen (earlier, later).
    pub forks: Vec<(String, String)>,
}

impl Witness {
    /// `signer` must be a cosignature/v1 (0x04) key; `logs` maps each log's origin to its key.
    pub fn new(signer: NoteSigner, logs: Vec<(String, NoteKey)>) -> Self {
        Witness {
            signer,
            logs: logs.into_iter().collect(),
            state: BTreeMap::new(),
            forks: Vec::new(),
        }
    }

    pub fn key(&self) -> &NoteKey {
        &self.signer.key
    }

    /// tlog-witness `add-checkpoint`: `old_size` is what the log believes the witness last
    /// cosigned, `proof` the consistency proof from it, `note` the signed checkpoint. Returns the
    /// cosignature line (at `now`, Unix seconds) and remembers the checkpoint.
    pub fn add_checkpoint(
        &mut self,
        old_size: u64,
        proof: &[Hash],
        note: &str,
        now: u64,
    ) -> Result<SigLine, WitnessError> {
        let n = Note::parse(note)?;
        let cp = Checkpoint::parse(&n.text)?;
        let log = self
            .logs
            .get(&cp.origin)
            .ok_or_else(|| WitnessError::UnknownLog(cp.origin.clone()))?;
        n.verify_signer(log)
            .map_err(|_| WitnessError::NotSignedByLog)?;
        if old_size > cp.size {
            return Err(WitnessError::BadRequest(format!(
                "old size {old_size} is larger than the checkpoint's {}",
                cp.size
            )));
        }
        if (old_size == 0 || old_size == cp.size) && !proof.is_empty() {
            return Err(WitnessError::BadRequest(
                "a proof from size 0, or from the checkpoint's own size, must be empty".into(),
            ));
        }
        let seen = self.state.get(&cp.origin);
        let have = seen.map_or(0, |s| s.size);
        if let Some(s) = seen
            && s.size == cp.size
            && s.root != cp.root
        {
            // Same size, another root, both signed by the log: a split view proven by the two
            // notes themselves, whatever the client claims. Kept once, and at most MAX_FORKS.
            let pair = (s.note.clone(), note.to_owned());
            if self.forks.len() < MAX_FORKS && !self.forks.contains(&pair) {
                self.forks.push(pair);
            }
            return Err(WitnessError::Fork {
                earlier: s.note.clone(),
                later: note.to_owned(),
            });
        }
        if old_size != have {
            return Err(WitnessError::Conflict {
                have,
                claimed: old_size,
            });
        }
        if let Some(s) = seen
            && cp.size > s.size
            && let Err(e) = merkle::verify_consistency(s.size, cp.size, &s.root, &cp.root, proof)
        {
            // A validly signed tree with no valid proof that it extends the one cosigned:
            // never cosigned, but not kept as fork evidence either — a bogus proof from any
            // client proves nothing about the log, and keeping each would let anyone fill the
            // witness's disk. (A split view of equal size is proven by the notes alone, above.)
            return Err(WitnessError::Inconsistent(e));
        }
        let line = self.signer.cosign(&n.text, now);
        self.state.insert(
            cp.origin.clone(),
            Seen {
                size: cp.size,
                root: cp.root,
                note: note.to_owned(),
            },
        );
        Ok(line)
    }
}

impl WitnessError {
    /// The HTTP status c2sp.org/tlog-witness gives this refusal.
    pub fn http_status(&self) -> u16 {
        match self {
            WitnessError::UnknownLog(_) => 404,
            WitnessError::NotSignedByLog => 403,
            WitnessError::Conflict { .. } | WitnessError::Fork { .. } => 409,
            WitnessError::Inconsistent(_) => 422,
            WitnessError::Note(_) | WitnessError::BadRequest(_) => 400,
        }
    }
}

/// The body of a tlog-witness `add-checkpoint` request: `old N`, the consistency proof (one
/// base64 hash per line), an empty line, the signed checkpoint.
pub fn add_checkpoint_body(old_size: u64, proof: &[Hash], note: &str) -> String {
    use base64::Engine as _;
    let mut s = format!("old {old_size}\n");
    for h in proof {
        s.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
        s.push('\n');
    }
    s.push('\n');
    s.push_str(note);
    s
}

/// Reads an `add-checkpoint` request body.
pub fn parse_add_checkpoint(body: &str) -> Result<(u64, Vec<Hash>, String), WitnessError> {
    use base64::Engine as _;
    let bad = |m: &str| WitnessError::BadRequest(m.to_owned());
    let (head, note) = body
        .split_once("\n\n")
        .ok_or_else(|| bad("no empty line"))?;
    let mut lines = head.split('\n');
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .filter(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n.len() == 1 || !n.starts_with('0'))
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("the first line must be `old <size>`"))?;
    let mut proof = Vec::new();
    for l in lines {
        let h: Hash = base64::engine::general_purpose::STANDARD
            .decode(l)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("a proof line is not a base64 hash"))?;
        proof.push(h);
        if proof.len() > 63 {
            return Err(bad("more than 63 proof lines"));
        }
    }
    Ok((old, proof, note.to_owned()))
}

/// A checkpoint note verified against the log's key and k of the given witnesses.
#[derive(Clone, Debug)]
pub struct Witnessed {
    pub checkpoint: Checkpoint,
    /// (witness name, cosignature time) of every witness whose cosignature verifies.
    pub cosigners: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuorumError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("the checkpoint is not signed by the log")]
    NotSignedByLog,
    #[error("{got} of the required {need} witnesses cosigned")]
    TooFew { got: usize, need: usize },
}

/// Checks a checkpoint note: the log's signature, and at least `k` valid cosignatures among
/// `witnesses`. A cosignature by a known witness that does not verify rejects the note.
pub fn verify_witnessed(
    note: &str,
    log: &NoteKey,
    witnesses: &[NoteKey],
    k: usize,
) -> Result<Witnessed, QuorumError> {
    let n = Note::parse(note)?;
    n.verify_signer(log)
        .map_err(|_| QuorumError::NotSignedByLog)?;
    let checkpoint = Checkpoint::parse(&n.text)?;
    let mut cosigners = Vec::new();
    for w in witnesses {
        match n.verify_cosigner(w) {
            Ok(t) => cosigners.push((w.name.clone(), t)),
            Err(NoteError::Unsigned) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if cosigners.len() < k {
        return Err(QuorumError::TooFew {
            got: cosigners.len(),
            need: k,
        });
    }
    Ok(Witnessed {
        checkpoint,
        cosigners,
    })
}

/// Reads proof lines (one base64 hash per line).
pub fn parse_proof(text: &str) -> Option<Vec<Hash>> {
    use base64::Engine as _;
    text.lines()
        .map(|l| {
            base64::engine::general_purpose::STANDARD
                .decode(l)
                .ok()
                .and_then(|b| b.try_into().ok())
        })
        .collect()
}

/// Why a deposit is not proven by a witnessed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepositProofError {
    /// The checkpoint is not the log's, or not cosigned by enough witnesses.
    #[error(transparent)]
    Checkpoint(#[from] QuorumError),
    /// The inclusion proof does not lead from the entry to the checkpoint's root.
    #[error("inclusion proof: {0}")]
    Inclusion(#[source] merkle::ProofError),
}

/// Checks that `entry` is deposit `index` of the tree a witnessed checkpoint commits to:
/// the checkpoint (log key, k of `witnesses`) and the inclusion proof, offline.
pub fn verify_deposit(
    checkpoint: &str,
    log: &NoteKey,
    witnesses: &[NoteKey],
    k: usize,
    index: u64,
    entry: &[u8],
    proof: &[Hash],
) -> Result<Witnessed, DepositProofError> {
    let w = verify_witnessed(checkpoint, log, witnesses, k)?;
    merkle::verify_inclusion(
        index,
        w.checkpoint.size,
        &merkle::leaf_hash(entry),
        proof,
        &w.checkpoint.root,
    )
    .map_err(DepositProofError::Inclusion)?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{consistency_proof, leaf_hash, root};
    use crate::note::{ALG_COSIGNATURE_V1, ALG_ED25519};
    use ed25519_dalek::SigningKey;

    const ORIGIN: &str = "log.webproof.test/evidence";

    fn key(name: &str, alg: u8, seed: u8) -> NoteSigner {
        NoteSigner::new(name, alg, SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    fn signed(log: &NoteSigner, leaves: &[Hash]) -> String {
        Checkpoint {
            origin: ORIGIN.into(),
            size: leaves.len() as u64,
            root: root(leaves),
            extensions: vec![],
        }
        .sign(log)
    }

    fn leaves(tag: &str, n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("{tag}{i}").as_bytes()))
            .collect()
    }

    #[test]
    fn a_deposit_is_proven_by_a_cosigned_checkpoint_and_its_inclusion_proof_only() {
        let log = key(ORIGIN, ALG_ED25519, 1);
        let mut w = Witness::new(
            key("court.test/w", ALG_COSIGNATURE_V1, 10),
            vec![(ORIGIN.to_owned(), log.key.clone())],
        );
        let entries: Vec<Vec<u8>> = (0..5)
            .map(|i| format!("deposit {i}").into_bytes())
            .collect();
        let tree: Vec<Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
        let mut note = Note::parse(&signed(&log, &tree)).unwrap();
        note.sigs.push(
            w.add_checkpoint(0, &[], &signed(&log, &tree), 1000)
                .unwrap(),
        );
        let cosigned = note.to_text();
        let wkeys = [w.key().clone()];
        let proof = merkle::inclusion_proof(&tree, 3).unwrap();
        let ok = verify_deposit(&cosigned, &log.key, &wkeys, 1, 3, &entries[3], &proof).unwrap();
        assert_eq!(ok.checkpoint.size, 5);
        assert_eq!(ok.cosigners, [("court.test/w".to_owned(), 1000)]);
        // Another entry at that index: the proof does not lead to the root.
        let e = verify_deposit(&cosigned, &log.key, &wkeys, 1, 3, &entries[2], &proof).unwrap_err();
        assert!(matches!(e, DepositProofError::Inclusion(_)), "{e}");
        assert!(e.to_string().starts_with("inclusion proof: "), "{e}");
        // The log's checkpoint without the witness's cosignature: not enough.
        let bare = signed(&log, &tree);
        let e = verify_deposit(&bare, &log.key, &wkeys, 1, 3, &entries[3], &proof).unwrap_err();
        assert_eq!(
            e,
            DepositProofError::Checkpoint(QuorumError::TooFew { got: 0, need: 1 })
        );
    }

    #[test]
    fn three_witnesses_cosign_a_growing_log_and_refuse_a_split_view() {
        let log = key(ORIGIN, ALG_ED25519, 1);
        let mut ws: Vec<Witness> = ["court.test/w", "notary.test/w", "ca.test/w"]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                Witness::new(
                    key(n, ALG_COSIGNATURE_V1, 10 + i as u8),
                    vec![(ORIGIN.to_owned(), log.key.clone())],
                )
            })
            .collect();
        let wkeys: Vec<NoteKey> = ws.iter().map(|w| w.key().clone()).collect();
        let tree = leaves("deposit", 10);
        // First contact at size 4, then 10 with a consistency proof.
        let mut note = Note::parse(&signed(&log, &tree[..4])).unwrap();
        for w in &mut ws {
            note.sigs.push(
                w.add_checkpoint(0, &[], &signed(&log, &tree[..4]), 1000)
                    .unwrap(),
            );
        }
        let v = verify_witnessed(&note.to_text(), &log.key, &wkeys, 3).unwrap();
        assert_eq!(v.cosigners.len(), 3);
        let proof = consistency_proof(&tree, 4).unwrap();
        let n10 = signed(&log, &tree);
        for w in &mut ws {
            w.add_checkpoint(4, &proof, &n10, 1001).unwrap();
        }
        // Split view: the log signs another tree of size 10 (one deposit replaced).
        let mut other = tree.clone();
        other[7] = leaf_hash(b"rewritten history");
        let forged = signed(&log, &other);
        for w in &mut ws {
            let e = w.add_checkpoint(10, &[], &forged, 1002).unwrap_err();
            assert!(matches!(e, WitnessError::Fork { .. }), "{e:?}");
            assert_eq!(w.forks.len(), 1);
            assert_eq!(w.forks[0], (n10.clone(), forged.clone()));
        }
        // …and a bigger tree that does not extend the cosigned one: also a fork.
        let mut longer = other.clone();
        longer.push(leaf_hash(b"x"));
        let p = consistency_proof(&longer, 10).unwrap();
        let e = ws[0]
            .add_checkpoint(10, &p, &signed(&log, &longer), 1003)
            .unwrap_err();
        assert!(matches!(e, WitnessError::Inconsistent(_)), "{e:?}");
        assert_eq!(e.http_status(), 422);
        // Refused, but a failed proof proves nothing about the log: not kept as evidence.
        assert_eq!(ws[0].forks.len(), 1);
        // The same split view again, many times: kept once.
        for t in 0..500 {
            assert!(ws[0].add_checkpoint(10, &[], &forged, 1004 + t).is_err());
        }
        assert_eq!(ws[0].forks.len(), 1);
        // Distinct split views are kept up to MAX_FORKS, then no more (the disk is bounded).
        for i in 0..MAX_FORKS as u32 {
            let mut v = tree.clone();
            v[3] = leaf_hash(format!("rewrite {i}").as_bytes());
            let e = ws[1]
                .add_checkpoint(10, &[], &signed(&log, &v), 1600)
                .unwrap_err();
            assert!(matches!(e, WitnessError::Fork { .. }), "{e:?}");
            assert_eq!(ws[1].forks.len(), (i as usize + 2).min(MAX_FORKS), "{i}");
        }
        // A forged checkpoint carries no cosignature, so clients reject it.
        assert_eq!(
            verify_witnessed(&forged, &log.key, &wkeys, 2).unwrap_err(),
            QuorumError::TooFew { got: 0, need: 2 }
        );
    }

    #[test]
    fn requests_and_proofs_read_back_as_written_up_to_63_lines() {
        use base64::Engine as _;
        let hashes: Vec<Hash> = (0..64u8).map(|i| [i; 32]).collect();
        let note = "log.example/x\n5\nAAAA\n\n\u{2014} log.example/x AAAA\n";
        let body = add_checkpoint_body(5, &hashes[..63], note);
        let (old, proof, n) = parse_add_checkpoint(&body).unwrap();
        assert_eq!(
            (old, proof.as_slice(), n.as_str()),
            (5, &hashes[..63], note)
        );
        assert!(parse_add_checkpoint(&add_checkpoint_body(5, &hashes, note)).is_err());
        let lines: String = hashes[..3]
            .iter()
            .map(|h| format!("{}\n", base64::engine::general_purpose::STANDARD.encode(h)))
            .collect();
        assert_eq!(parse_proof(&lines).unwrap(), &hashes[..3]);
        assert_eq!(parse_proof("").unwrap(), Vec::<Hash>::new());
        assert_eq!(parse_proof("not base64\n"), None);
    }

    #[test]
    fn refusals_say_why() {
        let log = key(ORIGIN, ALG_ED25519, 1);
        let mut w = Witness::new(
            key("w.test", ALG_COSIGNATURE_V1, 2),
            vec![(ORIGIN.to_owned(), log.key.clone())],
        );
        let tree = leaves("d", 8);
        // Unknown log, and a checkpoint not signed by the log's key.
        let stranger = key("other.test/log", ALG_ED25519, 3);
        let n = Checkpoint {
            origin: "other.test/log".into(),
            size: 1,
            root: tree[0],
            extensions: vec![],
        }
        .sign(&stranger);
        assert!(matches!(
            w.add_checkpoint(0, &[], &n, 1),
            Err(WitnessError::UnknownLog(_))
        ));
        let impostor = key(ORIGIN, ALG_ED25519, 4);
        assert!(matches!(
            w.add_checkpoint(0, &[], &signed(&impostor, &tree), 1),
            Err(WitnessError::NotSignedByLog)
        ));
        w.add_checkpoint(0, &[], &signed(&log, &tree[..5]), 1)
            .unwrap();
        // The same checkpoint again (a retry) is cosigned again; with a proof it is refused,
        // as from size 0: there is nothing to prove between a tree and itself.
        assert!(
            w.add_checkpoint(5, &[], &signed(&log, &tree[..5]), 1)
                .is_ok()
        );
        assert_eq!(
            w.add_checkpoint(5, &[[1; 32]], &signed(&log, &tree[..5]), 1)
                .unwrap_err()
                .http_status(),
            400
        );
        // A client that assumes another old size learns the witness's.
        assert_eq!(
            w.add_checkpoint(3, &[], &signed(&log, &tree), 2)
                .unwrap_err(),
            WitnessError::Conflict {
                have: 5,
                claimed: 3
            }
        );
        // A bad proof.
        let mut p = consistency_proof(&tree, 5).unwrap();
        p.pop();
        assert!(matches!(
            w.add_checkpoint(5, &p, &signed(&log, &tree), 2),
            Err(WitnessError::Inconsistent(_))
        ));
        // Rollback.
        assert_eq!(
            w.add_checkpoint(5, &[], &signed(&log, &tree[..3]), 2)
                .unwrap_err(),
            WitnessError::BadRequest("old size 5 is larger than the checkpoint's 3".into())
        );
        assert_eq!(
            w.add_checkpoint(0, &[[1; 32]], &signed(&log, &tree), 2)
                .unwrap_err()
                .http_status(),
            400
        );
        // Nothing was remembered from the refusals.
        assert_eq!(w.state[ORIGIN].size, 5);
    }

    #[test]
    fn the_add_checkpoint_wire_format_round_trips() {
        let log = key(ORIGIN, ALG_ED25519, 1);
        let tree = leaves("d", 9);
        let proof = consistency_proof(&tree, 4).unwrap();
        let note = signed(&log, &tree);
        let body = add_checkpoint_body(4, &proof, &note);
        assert!(body.starts_with("old 4\n"));
        assert_eq!(
            parse_add_checkpoint(&body).unwrap(),
            (4, proof, note.clone())
        );
        for bad in [
            "old 04\n\nx",
            "new 4\n\nx",
            "old 4\nnot-base64\n\nx",
            "old 4\n",
        ] {
            assert!(parse_add_checkpoint(bad).is_err(), "{bad:?}");
        }
        let mut w = Witness::new(
            key("w.test", ALG_COSIGNATURE_V1, 2),
            vec![(ORIGIN.to_owned(), log.key.clone())],
        );
        let (old, p, n) = parse_add_checkpoint(&add_checkpoint_body(0, &[], &note)).unwrap();
        let line = w.add_checkpoint(old, &p, &n, 7).unwrap();
        // The response line appended to the checkpoint verifies as a cosignature.
        let cosigned = format!("{note}{}", line.to_line());
        let v = verify_witnessed(&cosigned, &log.key, std::slice::from_ref(w.key()), 1).unwrap();
        assert_eq!(v.cosigners, vec![("w.test".to_owned(), 7)]);
    }
}
