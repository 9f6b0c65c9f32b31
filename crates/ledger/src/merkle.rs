//! RFC 9162 (and RFC 6962 §2.1) Merkle trees over SHA-256: leaf and node hashes, the tree head
//! of a list of leaves, and inclusion and consistency proofs — generated and verified.
//!
//! Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step; generation follows the
//! recursive definitions of §2.1.3.1 and §2.1.4.1.

use sha2::{Digest, Sha256};
use webproof_message::{Explain, Message, msg};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The hash of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The tree head of `leaves` (already leaf-hashed).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` in the tree of `leaves`.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    fn path(leaves: &[Hash], m: usize, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            path(&leaves[..k], m, out);
            out.push(root(&leaves[k..]));
        } else {
            path(&leaves[k..], m - k, out);
            out.push(root(&leaves[..k]));
        }
    }
    let mut out = Vec::new();
    path(leaves, index, &mut out);
    Some(out)
}

/// The tree head of `leaves` and the audit path of every leaf, in O(n log n) (one pass, where
/// [`inclusion_proof`] per leaf would be O(n) each). Empty input: the empty root, no paths.
pub fn all_inclusion_proofs(leaves: &[Hash]) -> (Hash, Vec<Vec<Hash>>) {
    fn rec(leaves: &[Hash], paths: &mut [Vec<Hash>]) -> Hash {
        let n = leaves.len();
        if n == 1 {
            return leaves[0];
        }
        let k = split(n);
        let (lp, rp) = paths.split_at_mut(k);
        let left = rec(&leaves[..k], lp);
        let right = rec(&leaves[k..], rp);
        // Pushed after the subtrees' own siblings: paths run from the leaf upwards.
        lp.iter_mut().for_each(|p| p.push(right));
        rp.iter_mut().for_each(|p| p.push(left));
        node_hash(&left, &right)
    }
    if leaves.is_empty() {
        return (empty_root(), Vec::new());
    }
    let depth = usize::BITS - leaves.len().leading_zeros();
    let mut paths = vec![Vec::with_capacity(depth as usize); leaves.len()];
    let root = rec(leaves, &mut paths);
    (root, paths)
}

/// The consistency proof from the tree of the first `size1` leaves to the tree of all.
pub fn consistency_proof(leaves: &[Hash], size1: usize) -> Option<Vec<Hash>> {
    if size1 > leaves.len() {
        return None;
    }
    if size1 == 0 || size1 == leaves.len() {
        return Some(Vec::new());
    }
    fn sub(leaves: &[Hash], m: usize, complete: bool, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if m == n {
            if !complete {
                out.push(root(leaves));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            sub(&leaves[..k], m, complete, out);
            out.push(root(&leaves[k..]));
        } else {
            sub(&leaves[k..], m - k, false, out);
            out.push(root(&leaves[..k]));
        }
    }
    let mut out = Vec::new();
    sub(leaves, size1, true, &mut out);
    Some(out)
}

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    #[error("index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof leads to another root")]
    RootMismatch,
    #[error("the second tree ({size2}) is smaller than the first ({size1})")]
    Shrunk { size1: u64, size2: u64 },
    #[error("there is no consistency proof from the empty tree")]
    EmptyFirst,
}

/// Verifies that `leaf` is at `index` in the tree of `size` leaves whose head is `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `size2` leaves with head `root2` extends the tree of `size1`
/// leaves with head `root1` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if size2 < size1 {
        return Err(ProofError::Shrunk { size1, size2 });
    }
    if size1 == 0 {
        // Every tree extends the empty one: a "proof" of it proves nothing, and a verifier
        // that has seen no tree must not treat one as a consistency check (RFC 9162 requires
        // 0 < first).
        return Err(ProofError::EmptyFirst);
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(*root1);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (size1 - 1, size2 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != *root1 || sr != *root2 {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

impl Explain for ProofError {
    fn message(&self) -> Message {
        use ProofError as E;
        match self {
            E::IndexOutOfRange { index, size } => msg!("err-proof-index")
                .arg("index", index)
                .arg("size", size),
            E::WrongLength => msg!("err-proof-length"),
            E::RootMismatch => msg!("err-proof-root"),
            E::Shrunk { size1, size2 } => msg!("err-proof-shrunk")
                .arg("size1", size1)
                .arg("size2", size2),
            E::EmptyFirst => msg!("err-proof-empty"),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn all_paths_at_once_equal_each_path_alone() {
        for n in 0..70u32 {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let (r, paths) = all_inclusion_proofs(&leaves);
            assert_eq!(r, root(&leaves), "{n}");
            assert_eq!(paths.len(), n as usize);
            for (i, p) in paths.iter().enumerate() {
                assert_eq!(Some(p.clone()), inclusion_proof(&leaves, i), "{n} {i}");
                verify_inclusion(i as u64, u64::from(n), &leaves[i], p, &r).unwrap();
            }
        }
    }

    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    #[test]
    fn generated_proofs_verify_for_every_index_and_size_up_to_70() {
        for n in 1..=70usize {
            let l = leaves(n);
            let r = root(&l);
            for i in 0..n {
                let p = inclusion_proof(&l, i).unwrap();
                verify_inclusion(i as u64, n as u64, &l[i], &p, &r).unwrap();
                // The wrong leaf or index fails.
                assert!(verify_inclusion(i as u64, n as u64, &leaf_hash(b"x"), &p, &r).is_err());
                if n > 1 {
                    let j = (i + 1) % n;
                    assert!(verify_inclusion(j as u64, n as u64, &l[i], &p, &r).is_err());
                }
            }
            for m in 1..=n {
                let p = consistency_proof(&l, m).unwrap();
                let r1 = root(&l[..m]);
                verify_consistency(m as u64, n as u64, &r1, &r, &p).unwrap();
                if m > 0 && m < n {
                    assert!(verify_consistency(m as u64, n as u64, &r, &r1, &p).is_err());
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    assert!(verify_consistency(m as u64, n as u64, &r1, &r, &bad).is_err());
                }
            }
        }
    }
}
