//! A Merkle tree kept as its complete subtrees: `node(level, index)` is the root of leaves
//! `[index << level, (index + 1) << level)`. Appending a leaf adds O(1) nodes (amortised);
//! any tree head and any proof needs O(log n) of them — what a log stores on disk (and what
//! C2SP tlog-tiles publishes, in tiles of 256).
//!
//! The functions here are the same recursions as [`crate::merkle`]'s, with every left
//! subtree (always complete and aligned in RFC 9162's split) read from storage.

use crate::merkle::{Hash, empty_root, node_hash};

/// Where complete-subtree hashes come from.
pub trait Nodes {
    /// The root of the complete subtree at (`level`, `index`), if stored.
    fn node(&self, level: u32, index: u64) -> Option<Hash>;
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The root of leaves `[start, start + n)` (`n` > 0, `start` aligned as RFC 9162's recursion
/// leaves it).
pub fn range_root(nodes: &dyn Nodes, start: u64, n: u64) -> Option<Hash> {
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return nodes.node(n.trailing_zeros(), start / n);
    }
    let k = split(n);
    Some(node_hash(
        &range_root(nodes, start, k)?,
        &range_root(nodes, start + k, n - k)?,
    ))
}

/// The head of the tree of the first `size` leaves.
pub fn root(nodes: &dyn Nodes, size: u64) -> Option<Hash> {
    if size == 0 {
        return Some(empty_root());
    }
    range_root(nodes, 0, size)
}

/// The audit path of leaf `index` in the tree of `size` leaves.
pub fn inclusion(nodes: &dyn Nodes, index: u64, size: u64) -> Option<Vec<Hash>> {
    if index >= size {
        return None;
    }
    fn path(nodes: &dyn Nodes, start: u64, n: u64, m: u64, out: &mut Vec<Hash>) -> Option<()> {
        if n <= 1 {
            return Some(());
        }
        let k = split(n);
        if m < k {
            path(nodes, start, k, m, out)?;
            out.push(range_root(nodes, start + k, n - k)?);
        } else {
            path(nodes, start + k, n - k, m - k, out)?;
            out.push(range_root(nodes, start, k)?);
        }
        Some(())
    }
    let mut out = Vec::new();
    path(nodes, 0, size, index, &mut out)?;
    Some(out)
}

/// The consistency proof from the tree of `size1` leaves to the tree of `size2`.
pub fn consistency(nodes: &dyn Nodes, size1: u64, size2: u64) -> Option<Vec<Hash>> {
    if size1 > size2 {
        return None;
    }
    if size1 == 0 || size1 == size2 {
        return Some(Vec::new());
    }
    fn sub(
        nodes: &dyn Nodes,
        start: u64,
        n: u64,
        m: u64,
        complete: bool,
        out: &mut Vec<Hash>,
    ) -> Option<()> {
        if m == n {
            if !complete {
                out.push(range_root(nodes, start, n)?);
            }
            return Some(());
        }
        let k = split(n);
        if m <= k {
            sub(nodes, start, k, m, complete, out)?;
            out.push(range_root(nodes, start + k, n - k)?);
        } else {
            sub(nodes, start + k, n - k, m - k, false, out)?;
            out.push(range_root(nodes, start, k)?);
        }
        Some(())
    }
    let mut out = Vec::new();
    sub(nodes, 0, size2, size1, true, &mut out)?;
    Some(out)
}

/// The nodes that appending leaf `index` (with hash `leaf`) completes: the leaf itself at level
/// 0, then each parent whose right child it finishes. `nodes` must already hold the tree of
/// the first `index` leaves; the returned nodes are for the caller to store.
pub fn append(nodes: &dyn Nodes, index: u64, leaf: Hash) -> Option<Vec<(u32, u64, Hash)>> {
    let mut out = vec![(0u32, index, leaf)];
    let (mut level, mut i, mut h) = (0u32, index, leaf);
    while i & 1 == 1 {
        let left = nodes.node(level, i - 1)?;
        h = node_hash(&left, &h);
        level += 1;
        i >>= 1;
        out.push((level, i, h));
    }
    Some(out)
}

/// Complete-subtree hashes in memory (tests, small logs, caches).
#[derive(Default, Clone, Debug)]
pub struct MemNodes {
    levels: Vec<Vec<Hash>>,
}

impl Nodes for MemNodes {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        self.levels
            .get(level as usize)?
            .get(index as usize)
            .copied()
    }
}

impl MemNodes {
    /// Appends the next leaf; returns its index.
    pub fn push(&mut self, leaf: Hash) -> u64 {
        let index = self.levels.first().map_or(0, |l| l.len() as u64);
        let new = append(self, index, leaf).unwrap_or_default();
        for (level, i, h) in new {
            let l = level as usize;
            if self.levels.len() <= l {
                self.levels.push(Vec::new());
            }
            debug_assert_eq!(self.levels[l].len() as u64, i);
            self.levels[l].push(h);
        }
        index
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle;

    #[test]
    fn stored_subtrees_give_the_same_heads_and_proofs_as_the_leaves() {
        let leaves: Vec<Hash> = (0..150u32)
            .map(|i| merkle::leaf_hash(&i.to_be_bytes()))
            .collect();
        let mut t = MemNodes::default();
        assert_eq!(t.size(), 0);
        for (n, l) in leaves.iter().enumerate() {
            assert_eq!(t.push(*l), n as u64);
            assert_eq!(t.size(), n as u64 + 1);
            let size = n as u64 + 1;
            let r = root(&t, size).unwrap();
            assert_eq!(r, merkle::root(&leaves[..=n]), "size {size}");
            // Heads of every earlier size stay readable from the same nodes.
            for m in [1, size / 2, size] {
                if m > 0 {
                    assert_eq!(root(&t, m).unwrap(), merkle::root(&leaves[..m as usize]));
                }
            }
        }
        for size in [1u64, 2, 3, 7, 8, 9, 64, 100, 150] {
            let ls = &leaves[..size as usize];
            for i in 0..size {
                assert_eq!(
                    inclusion(&t, i, size).unwrap(),
                    merkle::inclusion_proof(ls, i as usize).unwrap()
                );
            }
            for m in 0..=size {
                assert_eq!(
                    consistency(&t, m, size).unwrap(),
                    merkle::consistency_proof(ls, m as usize).unwrap()
                );
            }
        }
        assert_eq!(inclusion(&t, 150, 150), None);
        assert_eq!(consistency(&t, 5, 4), None);
    }
}
