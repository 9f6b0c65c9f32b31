//! C2SP tlog-tiles paths and encodings (pure): hash tiles `tile/<L>/<N>[.p/<W>]` hold the
//! `W` (≤ 256) consecutive complete-subtree hashes of tree level `8·L` from index `256·N`;
//! entry bundles `tile/entries/<N>[.p/<W>]` hold entries `256·N …` each as a big-endian
//! 16-bit length and the bytes. `<N>` is written in 3-digit groups, all but the last
//! prefixed with `x` (1234067 → `x001/x234/067`).

/// Hashes (or entries) per full tile.
pub const WIDTH: u64 = 256;
/// Tree levels per tile level.
pub const HEIGHT: u32 = 8;

/// A tile: `level` is the tile level (hash tiles) or `None` for an entry bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tile {
    pub level: Option<u8>,
    pub index: u64,
    /// 1..=256; 256 is a full tile.
    pub width: u64,
}

fn encode_index(n: u64) -> String {
    let s = n.to_string();
    let pad = s.len().div_ceil(3) * 3;
    let s = format!("{n:0>pad$}");
    let groups: Vec<&str> = (0..pad / 3).map(|i| &s[i * 3..i * 3 + 3]).collect();
    let last = groups.len() - 1;
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if i < last {
                format!("x{g}")
            } else {
                (*g).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl Tile {
    /// The path under the log's prefix.
    pub fn path(&self) -> String {
        let level = self
            .level
            .map_or_else(|| "entries".to_owned(), |l| l.to_string());
        let mut p = format!("tile/{level}/{}", encode_index(self.index));
        if self.width < WIDTH {
            p.push_str(&format!(".p/{}", self.width));
        }
        p
    }

    /// Parses a path (after the log's prefix). Refuses non-canonical forms (leading zeroes
    /// beyond the 3-digit groups, `x` on the last group, widths outside 1..=255 for `.p`).
    pub fn parse(path: &str) -> Option<Tile> {
        let rest = path.strip_prefix("tile/")?;
        let (level, rest) = rest.split_once('/')?;
        let level = match level {
            "entries" => None,
            l if l.len() <= 2 && (l == "0" || !l.starts_with('0')) => Some(l.parse::<u8>().ok()?),
            _ => return None,
        };
        if level.is_some_and(|l| l > 63) {
            return None;
        }
        let (idx, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                if w.starts_with('0') || w.len() > 3 {
                    return None;
                }
                let w: u64 = w.parse().ok()?;
                if !(1..WIDTH).contains(&w) {
                    return None;
                }
                (i, w)
            }
            None => (rest, WIDTH),
        };
        let groups: Vec<&str> = idx.split('/').collect();
        let last = groups.len() - 1;
        let mut digits = String::new();
        for (i, g) in groups.iter().enumerate() {
            let g = if i < last { g.strip_prefix('x')? } else { g };
            if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.push_str(g);
        }
        if digits.len() > 21 {
            return None;
        }
        let index: u64 = digits.parse().ok()?;
        let t = Tile {
            level,
            index,
            width,
        };
        // Only the canonical spelling (no extra leading groups of zeroes).
        (t.path() == path).then_some(t)
    }

    /// The tree level and first index of the hashes a hash tile holds.
    pub fn tree_level(&self) -> u32 {
        u32::from(self.level.unwrap_or(0)) * HEIGHT
    }

    /// Whether a tree of `size` leaves has all of this tile's hashes (or entries).
    pub fn within(&self, size: u64) -> bool {
        let shift = self.tree_level();
        let available = if shift >= 64 { 0 } else { size >> shift };
        self.index
            .checked_mul(WIDTH)
            .and_then(|s| s.checked_add(self.width))
            .is_some_and(|end| end <= available)
    }
}

/// An entry bundle: each entry as a big-endian u16 length and its bytes.
pub fn entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for e in entries {
        let e = e.as_ref();
        out.extend_from_slice(&u16::try_from(e.len()).ok()?.to_be_bytes());
        out.extend_from_slice(e);
    }
    Some(out)
}

/// The entries of a bundle.
pub fn parse_entry_bundle(mut b: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let n = usize::from(u16::from_be_bytes([*b.first()?, *b.get(1)?]));
        let e = b.get(2..2 + n)?;
        out.push(e.to_vec());
        b = &b[2 + n..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_specs() {
        let t = |level, index, width| Tile {
            level,
            index,
            width,
        };
        assert_eq!(t(Some(0), 1_234_067, 256).path(), "tile/0/x001/x234/067");
        assert_eq!(t(Some(1), 0, 256).path(), "tile/1/000");
        assert_eq!(t(Some(2), 1000, 7).path(), "tile/2/x001/000.p/7");
        assert_eq!(t(None, 5, 3).path(), "tile/entries/005.p/3");
        for p in [
            "tile/0/x001/x234/067",
            "tile/1/000",
            "tile/2/x001/000.p/7",
            "tile/entries/005.p/3",
            "tile/63/999",
        ] {
            assert_eq!(Tile::parse(p).unwrap().path(), p);
        }
        for bad in [
            "tile/0/1234067",
            "tile/0/x000/067",
            "tile/0/001/234",
            "tile/0/067.p/256",
            "tile/0/067.p/0",
            "tile/0/067.p/07",
            "tile/00/067",
            "tile/64/000",
            "tile/entries/x067",
            "tile/0/67",
        ] {
            assert_eq!(Tile::parse(bad), None, "{bad}");
        }
        // Availability: level 1 tile 0 needs 256 * 256 leaves when full.
        assert!(t(Some(1), 0, 256).within(65_536));
        assert!(!t(Some(1), 0, 256).within(65_535));
        assert!(t(Some(1), 0, 255).within(65_535));
        assert!(t(None, 1, 4).within(260));
        assert!(!t(None, 1, 5).within(260));
    }

    #[test]
    fn bundles_round_trip() {
        let es = vec![b"a".to_vec(), Vec::new(), vec![7; 300]];
        let b = entry_bundle(&es).unwrap();
        assert_eq!(&b[..3], &[0, 1, b'a']);
        assert_eq!(parse_entry_bundle(&b).unwrap(), es);
        assert_eq!(parse_entry_bundle(&b[..b.len() - 1]), None);
        assert_eq!(entry_bundle(&[vec![0u8; 70_000]]), None);
    }
}
