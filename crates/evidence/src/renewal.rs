//! Long-term validity (the idea of RFC 4998 Evidence Records, in webproof's JSON): a renewal
//! lists the digest of every file of a sealed package — manifest, signatures, time-stamp
//! tokens, the certificate chains that verify them (`NNN-certs.pem`) and earlier renewals —
//! under a hash algorithm chosen at renewal time, and a new RFC 3161 token stamps the
//! renewal's bytes. It proves all of that existed, unchanged, at the new genTime, so a token
//! still counts after its TSA's certificate expires, its key leaks or its algorithm weakens.
//!
//! Renewals live in `renewals/` beside the signed manifest (they are added after sealing and
//! cannot change what was signed): `NNN.json` (RFC 8785), `NNN-certs.pem`, `NNN-K.tsq`,
//! `NNN-K.tsr` for renewal `NNN` (from 001) and TSA `K`.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::layout;
use crate::package::{PackageError, PackageSource};

pub use crate::layout::RENEWALS_DIR;
pub const FORMAT: &str = "webproof-renewal";
pub const VERSION: u32 = 1;

/// Hash algorithms a renewal may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RenewalAlg {
    Sha256,
    Sha512,
    Sm3,
}

impl RenewalAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            RenewalAlg::Sha256 => "sha256",
            RenewalAlg::Sha512 => "sha512",
            RenewalAlg::Sm3 => "sm3",
        }
    }

    /// Digest of everything `r` yields.
    pub fn digest_reader(self, r: &mut dyn Read) -> std::io::Result<Vec<u8>> {
        use sha2::Digest as _;
        fn run<D: sha2::Digest>(mut d: D, r: &mut dyn Read) -> std::io::Result<Vec<u8>> {
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    return Ok(d.finalize().to_vec());
                }
                d.update(&buf[..n]);
            }
        }
        match self {
            RenewalAlg::Sha256 => run(sha2::Sha256::new(), r),
            RenewalAlg::Sha512 => run(sha2::Sha512::new(), r),
            RenewalAlg::Sm3 => run(sm3::Sm3::new(), r),
        }
    }

    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        let mut r = bytes;
        // Reading from a slice cannot fail.
        self.digest_reader(&mut r).unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewedFile {
    pub path: String,
    /// Hex digest under the renewal's algorithm.
    pub digest: String,
}

/// `renewals/NNN.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    pub v: u32,
    pub format: String,
    pub capture: String,
    pub n: u32,
    pub alg: RenewalAlg,
    pub files: Vec<RenewedFile>,
}

pub fn json_path(n: u32) -> String {
    format!("{RENEWALS_DIR}/{n:03}.json")
}

pub fn certs_path(n: u32) -> String {
    format!("{RENEWALS_DIR}/{n:03}-certs.pem")
}

pub fn token_path(n: u32, k: usize, ext: &str) -> String {
    format!("{RENEWALS_DIR}/{n:03}-{k}.{ext}")
}

/// What a file under `renewals/` is: (renewal number, part), or `None` if the name is not one
/// of the four forms.
pub fn classify(path: &str) -> Option<(u32, Part)> {
    let name = path.strip_prefix(RENEWALS_DIR)?.strip_prefix('/')?;
    let (num, rest) = name.split_at_checked(3)?;
    let n: u32 = num.parse().ok().filter(|n| *n > 0)?;
    let part = match rest {
        ".json" => Part::Record,
        "-certs.pem" => Part::Certs,
        _ => {
            let (k, ext) = rest.strip_prefix('-')?.split_once('.')?;
            let k: usize = k.parse().ok()?;
            match ext {
                "tsr" => Part::Token(k),
                "tsq" => Part::Request(k),
                _ => return None,
            }
        }
    };
    Some((n, part))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Record,
    Certs,
    Token(usize),
    Request(usize),
}

/// Whether renewal `n` must cover `path`: every file but the derived WACZ files, renewal
/// `n`'s own record and tokens (its certificate file is covered), and receipt refreshes and
/// reviews (which may come after it; a renewal lists those that came before, see [`plan`]).
pub fn must_cover(path: &str, n: u32) -> bool {
    if path == layout::DATAPACKAGE
        || path == layout::DATAPACKAGE_DIGEST
        || layout::is_added_later(path)
    {
        return false;
    }
    match classify(path) {
        Some((m, Part::Certs)) => m <= n,
        Some((m, _)) => m < n,
        None => true,
    }
}

/// Renewal `n` of the package in `src`: every file it must cover, hashed under `alg`.
pub fn plan(
    src: &dyn PackageSource,
    capture: &str,
    n: u32,
    alg: RenewalAlg,
) -> Result<Renewal, PackageError> {
    let mut files = Vec::new();
    for e in src.entries() {
        if !must_cover(&e.name, n) && !layout::is_added_later(&e.name) {
            continue;
        }
        let mut d = Vec::new();
        src.read_with(&e.name, &mut |r| {
            d = alg.digest_reader(r)?;
            Ok(())
        })?;
        files.push(RenewedFile {
            path: e.name.clone(),
            digest: hex::encode(d),
        });
    }
    Ok(Renewal {
        v: VERSION,
        format: FORMAT.into(),
        capture: capture.to_owned(),
        n,
        alg,
        files,
    })
}

/// The canonical bytes of a renewal (what its tokens stamp).
pub fn to_bytes(r: &Renewal) -> Result<Vec<u8>, crate::canonical::CanonicalError> {
    crate::canonical::to_jcs(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify_and_coverage_excludes_only_derived_and_own_files() {
        assert_eq!(classify("renewals/001.json"), Some((1, Part::Record)));
        assert_eq!(classify("renewals/002-certs.pem"), Some((2, Part::Certs)));
        assert_eq!(classify("renewals/002-3.tsr"), Some((2, Part::Token(3))));
        assert_eq!(classify("renewals/002-1.tsq"), Some((2, Part::Request(1))));
        for bad in [
            "renewals/000.json",
            "renewals/01.json",
            "renewals/001-x.tsr",
            "renewals/001.txt",
            "timestamps/001.json",
        ] {
            assert_eq!(classify(bad), None, "{bad}");
        }
        assert!(must_cover("evidence/manifest.json", 1));
        assert!(must_cover("timestamps/000004-1-tsa.tsr", 1));
        assert!(must_cover("renewals/001-certs.pem", 1));
        assert!(!must_cover("renewals/001.json", 1));
        assert!(!must_cover("renewals/001-1.tsr", 1));
        assert!(must_cover("renewals/001-1.tsr", 2));
        assert!(!must_cover("datapackage.json", 1));
        assert!(!must_cover("datapackage-digest.json", 1));
        assert!(!must_cover("receipts/refresh-001.json", 1));
        assert!(must_cover("receipts/000007.json", 1));
        assert_eq!(RenewalAlg::Sha512.digest(b"abc").len(), 64);
        assert_eq!(
            hex::encode(RenewalAlg::Sm3.digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn the_names_a_renewal_writes_are_the_names_it_reads() {
        assert_eq!(json_path(1), "renewals/001.json");
        assert_eq!(certs_path(12), "renewals/012-certs.pem");
        assert_eq!(token_path(3, 2, "tsr"), "renewals/003-2.tsr");
        assert_eq!(classify(&json_path(7)), Some((7, Part::Record)));
        assert_eq!(classify(&certs_path(7)), Some((7, Part::Certs)));
        assert_eq!(
            classify(&token_path(7, 1, "tsq")),
            Some((7, Part::Request(1)))
        );
        for alg in [RenewalAlg::Sha256, RenewalAlg::Sha512, RenewalAlg::Sm3] {
            let json = serde_json::to_value(alg).unwrap_or_default();
            assert_eq!(json.as_str(), Some(alg.as_str()));
        }
        assert_eq!(RenewalAlg::Sm3.as_str(), "sm3");
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_plan_covers_every_file_but_the_derived_ones_and_its_own_and_lists_refreshes() {
        use crate::package::{DirSource, Limits};
        let t = tempfile::tempdir().unwrap();
        let files = [
            ("evidence/manifest.json", "m"),
            ("datapackage.json", "d"),
            ("renewals/001-certs.pem", "c"),
            ("renewals/001.json", "r"),
            ("renewals/001-1.tsr", "t"),
            ("receipts/refresh-001.json", "f"),
        ];
        for (name, body) in files {
            let p = t.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        let src = DirSource::open(t.path(), &Limits::default()).unwrap();
        let r = plan(&src, "cap-1", 1, RenewalAlg::Sha256).unwrap();
        let covered: Vec<(&str, &str)> = r
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.digest.as_str()))
            .collect();
        let sha = |s: &str| hex::encode(RenewalAlg::Sha256.digest(s.as_bytes()));
        let (m, f, c) = (sha("m"), sha("f"), sha("c"));
        assert_eq!(
            covered,
            [
                ("evidence/manifest.json", m.as_str()),
                ("receipts/refresh-001.json", f.as_str()),
                ("renewals/001-certs.pem", c.as_str()),
            ]
        );
        assert_eq!(
            (r.capture.as_str(), r.n, r.alg),
            ("cap-1", 1, RenewalAlg::Sha256)
        );
        // What its tokens stamp: the record's canonical JSON, which reads back as itself.
        let bytes = to_bytes(&r).unwrap();
        assert_eq!(bytes, crate::canonical::to_jcs(&r).unwrap());
        let back: Renewal = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, r);
    }
}
