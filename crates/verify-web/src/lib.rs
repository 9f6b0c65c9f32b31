//! The verifier page's engine: [`webproof_verify`] compiled to WebAssembly. The page's worker
//! gives it a dropped package as a function reading slices of the file (`FileReaderSync` over
//! `Blob.slice`, so a 1 GiB package is never in memory whole) and what the reader trusts (an
//! alliance trust bundle, docs/trust-bundle.md, and keys entered by hand); it answers with the
//! very JSON `webproof verify --json` prints ([`Verification`]).
//!
//! Everything but the binding to the browser is plain Rust and tested natively; the page
//! itself (scripts/build-verify-page.sh) is tested in Chromium against the CLI.

use webproof_evidence::Hash32;
use webproof_evidence::container::ReadAt;
use webproof_i18n::{Catalogue, Lang};
use webproof_message::{Explain, Message, key, msg};
use webproof_verify::verification::Verification;
use webproof_verify::{Policy, bundle};

#[cfg(target_arch = "wasm32")]
mod web;

/// What the reader trusts, as the page sends it (JSON): alliance trust bundles (logs,
/// witnesses and quorum, operator CAs, TSA roots), and fingerprints of operator and notary
/// keys entered by hand.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// Trust bundle files' text.
    #[serde(default)]
    pub bundles: Vec<String>,
    /// Operator key fingerprints (hex SHA-256 of SPKI DER).
    #[serde(default)]
    pub operators: Vec<String>,
    /// Notary key fingerprints.
    #[serde(default)]
    pub notaries: Vec<String>,
    /// Evidence logs' verifier keys entered by hand (`name+hash+base64`).
    #[serde(default)]
    pub logs: Vec<String>,
    /// Witnesses' verifier keys entered by hand.
    #[serde(default)]
    pub witnesses: Vec<String>,
    /// How many of those witnesses must have cosigned (default: 1 when witnesses are given,
    /// as `verify --witness-quorum`).
    #[serde(default)]
    pub quorum: Option<usize>,
    /// Operator CA certificates entered by hand (each one PEM certificate).
    #[serde(default)]
    pub operator_cas: Vec<String>,
    /// TSA root certificates entered by hand (each one PEM certificate).
    #[serde(default)]
    pub tsa_roots: Vec<String>,
}

impl Trust {
    /// What was entered by hand of an alliance's anchors, as a trust bundle (read, so checked,
    /// as a bundle file is); `None` when nothing was.
    fn by_hand(&self) -> Option<bundle::TrustBundle> {
        let nothing = self.logs.is_empty()
            && self.witnesses.is_empty()
            && self.operator_cas.is_empty()
            && self.tsa_roots.is_empty();
        let trim = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).collect::<Vec<_>>();
        (!nothing).then(|| bundle::TrustBundle {
            format: bundle::FORMAT.into(),
            v: bundle::VERSION,
            alliance: "entered by hand".into(),
            development: false,
            logs: trim(&self.logs),
            witnesses: trim(&self.witnesses),
            quorum: self
                .quorum
                .unwrap_or(usize::from(!self.witnesses.is_empty())),
            operator_cas: self.operator_cas.clone(),
            tsa_roots: self.tsa_roots.clone(),
        })
    }
}

/// Why the page cannot verify with what it was given.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("the trust settings: {0}")]
    Trust(#[source] serde_json::Error),
    #[error("trust bundle {index}: {source}")]
    Bundle {
        index: usize,
        #[source]
        source: bundle::BundleError,
    },
    #[error("the keys and certificates entered by hand: {0}")]
    Hand(#[source] bundle::BundleError),
    #[error("{0:?} is not a key fingerprint (64 hex digits)")]
    Fingerprint(String),
    #[error("language {0:?}")]
    Lang(String),
    #[error("the result cannot be written: {0}")]
    Json(#[source] serde_json::Error),
}

impl Explain for PageError {
    fn message(&self) -> Message {
        match self {
            PageError::Trust(e) => msg!("err-page-trust").arg("detail", e),
            PageError::Bundle { index, source } => msg!("err-page-bundle")
                .arg("index", index + 1)
                .because(source.message()),
            PageError::Hand(source) => msg!("err-page-hand").because(source.message()),
            PageError::Fingerprint(v) => msg!("cli-bad-fingerprint").arg("value", v),
            PageError::Lang(l) => msg!("err-page-lang").arg("lang", l),
            PageError::Json(e) => msg!("err-page-json").arg("detail", e),
        }
    }
}

fn fingerprints(list: &[String]) -> Result<Vec<Hash32>, PageError> {
    list.iter()
        .map(|s| {
            Hash32::from_hex(&s.trim().to_ascii_lowercase())
                .map_err(|_| PageError::Fingerprint(s.clone()))
        })
        .collect()
}

/// The verification policy of `trust` (the page's JSON): one thread, the default limits.
pub fn policy(trust: &str) -> Result<Policy, PageError> {
    let t: Trust = if trust.trim().is_empty() {
        Trust::default()
    } else {
        serde_json::from_str(trust).map_err(PageError::Trust)?
    };
    let mut policy = Policy {
        trusted_operators: fingerprints(&t.operators)?,
        trusted_notaries: fingerprints(&t.notaries)?,
        threads: 1,
        ..Policy::default()
    };
    for (index, b) in t.bundles.iter().enumerate() {
        bundle::read(b.as_bytes())
            .map_err(|source| PageError::Bundle { index, source })?
            .apply(&mut policy);
    }
    if let Some(b) = t.by_hand() {
        let json = serde_json::to_vec(&b).map_err(PageError::Json)?;
        bundle::read(&json)
            .map_err(PageError::Hand)?
            .apply(&mut policy);
    }
    Ok(policy)
}

/// The catalogue of language `lang` (`en`, `zh-CN`).
pub fn catalogue(lang: &str) -> Result<Catalogue, PageError> {
    Lang::parse(lang)
        .ok()
        .and_then(|l| Catalogue::new(l).ok())
        .ok_or_else(|| PageError::Lang(lang.to_owned()))
}

/// Verifies the package `name` (`len` bytes, read through `bytes`) with what `trust` says
/// the reader trusts; the result as `webproof verify --json` prints it, in language `lang`.
pub fn verify(
    name: &str,
    bytes: Box<dyn ReadAt + Send + Sync>,
    len: u64,
    trust: &str,
    lang: &str,
) -> Result<String, PageError> {
    let policy = policy(trust)?;
    let (_, v) = verified(name, bytes, len, &policy, lang)?;
    serde_json::to_string_pretty(&v).map_err(PageError::Json)
}

/// The package verified under `policy`: the report and its JSON form in language `lang`.
fn verified(
    name: &str,
    bytes: Box<dyn ReadAt + Send + Sync>,
    len: u64,
    policy: &Policy,
    lang: &str,
) -> Result<(webproof_verify::Report, Verification), PageError> {
    let cat = catalogue(lang)?;
    let report = webproof_verify::verify_zip(name, bytes, len, policy);
    let v = Verification::new(
        &report,
        cat.lang().tag(),
        |c| cat.check_name(c.id.as_str()),
        |c| cat.finding(&c.detail, Some(&c.message)),
    );
    Ok((report, v))
}

/// The SHA-256 (hex) of the whole file read through `bytes` (`len` bytes), in 1 MiB slices:
/// what the report's QR code names as the package's digest (`/verify#sha256=HEX`), compared
/// on the page with the file the reader chose.
pub fn package_sha256(bytes: &dyn ReadAt, len: u64) -> std::io::Result<String> {
    Ok(file_digests(bytes, len)?.sha256.to_string())
}

/// The SHA-256 and SM3 of the whole file read through `bytes` (`len` bytes), in slices.
pub fn file_digests(
    bytes: &dyn ReadAt,
    len: u64,
) -> std::io::Result<webproof_evidence::digest::Digests> {
    struct Whole<'a> {
        bytes: &'a dyn ReadAt,
        at: u64,
        len: u64,
    }
    impl std::io::Read for Whole<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let left = self.len.saturating_sub(self.at);
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            if want == 0 {
                return Ok(0);
            }
            let n = self.bytes.read_at(&mut buf[..want], self.at)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.at += n as u64;
            Ok(n)
        }
    }
    let (d, n) = webproof_evidence::digest::digest_reader(Whole { bytes, at: 0, len })?;
    if n != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(d)
}

/// The values the page fills into its words, each written `{name}` there.
const PLACES: [(&str, &str); 9] = [
    ("sha256", "{sha256}"),
    ("seq", "{seq}"),
    ("kind", "{kind}"),
    ("url", "{url}"),
    ("path", "{path}"),
    ("receipt", "{receipt}"),
    ("log", "{log}"),
    ("index", "{index}"),
    ("verdict", "{verdict}"),
];

/// The page's own words in language `lang`, by catalogue key (JSON object), with the verdict
/// words and explanations the CLI uses.
pub fn page_texts(lang: &str) -> Result<String, PageError> {
    let cat = catalogue(lang)?;
    let keys = [
        key!("page-title"),
        key!("page-intro"),
        key!("page-offline"),
        key!("page-package"),
        key!("page-trust"),
        key!("page-trust-bundle"),
        key!("page-trust-operators"),
        key!("page-trust-notaries"),
        key!("page-trust-logs"),
        key!("page-trust-witnesses"),
        key!("page-trust-quorum"),
        key!("page-trust-cas"),
        key!("page-trust-roots"),
        key!("page-trust-hint"),
        key!("page-verify"),
        key!("page-working"),
        key!("page-result"),
        key!("page-check"),
        key!("page-subject"),
        key!("page-finding"),
        key!("page-json"),
        key!("page-language"),
        key!("page-expected"),
        key!("page-digest-same"),
        key!("page-digest-different"),
        key!("page-one-title"),
        key!("page-one-file"),
        key!("page-one-find"),
        key!("page-one-recorded"),
        key!("page-one-deposited"),
        key!("page-one-absent"),
        key!("page-one-note"),
        key!("verdict-pass"),
        key!("verdict-untrusted"),
        key!("verdict-fail"),
        key!("verdict-finding"),
        key!("verdict-word-pass"),
        key!("verdict-word-untrusted"),
        key!("verdict-word-fail"),
        key!("verdict-word-finding"),
    ];
    let map: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        // What the page fills in is written `{name}` in its words.
        .map(|k| {
            let text = cat.t_with(k, &PLACES);
            (k.as_str().to_owned(), text.into())
        })
        .collect();
    serde_json::to_string(&map).map_err(PageError::Json)
}

/// An error as the page shows it, in language `lang` (English if that is unknown).
pub fn explain(e: &PageError, lang: &str) -> String {
    let cat = catalogue(lang).or_else(|_| catalogue("en"));
    match cat {
        Ok(cat) => cat.message(&e.message()),
        Err(_) => e.to_string(),
    }
}

/// Where one file is in a package — the page's "check one file": the steps whose records list
/// it (by SHA-256 and SM3), the receipts whose deposits name it, and the package's own
/// verification (`verify --json`), which says whether any of that is to be believed.
#[derive(Debug, serde::Serialize)]
pub struct FileInPackage {
    /// The file's digests (hex), as the page computed them.
    pub sha256: String,
    pub sm3: String,
    /// The steps that recorded it.
    pub recorded: Vec<Recorded>,
    /// The receipts whose deposits name it.
    pub deposited: Vec<DepositedIn>,
    /// The package's verification.
    pub verification: Verification,
}

/// A step that recorded the file.
#[derive(Debug, serde::Serialize)]
pub struct Recorded {
    pub seq: u64,
    /// The step's kind (`navigate`, `file`, …).
    pub kind: String,
    pub url: Option<String>,
    /// The artifact's path in the package.
    pub path: String,
}

/// A receipt whose deposit names the file.
#[derive(Debug, serde::Serialize)]
pub struct DepositedIn {
    /// The receipt's path in the package.
    pub receipt: String,
    pub log: String,
    pub index: u64,
    /// The step whose chain head the deposit is of.
    pub seq: u64,
    /// The verdict of the receipt's `receipt.deposit` check.
    pub verdict: webproof_verify::Verdict,
}

/// Finds the file of digests `sha256`, `sm3` (hex) in the package `name` (`len` bytes, read
/// through what `open` gives), verified with `trust`; the answer as JSON ([`FileInPackage`]).
/// The package is read as the verifier reads it; what it does not hold is not found.
pub fn find_file(
    name: &str,
    open: &dyn Fn() -> Box<dyn ReadAt + Send + Sync>,
    len: u64,
    trust: &str,
    lang: &str,
    sha256: &str,
    sm3: &str,
) -> Result<String, PageError> {
    use webproof_evidence::layout;
    use webproof_evidence::package::{PackageSource, ZipSource};
    let policy = policy(trust)?;
    let (report, verification) = verified(name, open(), len, &policy, lang)?;
    let (sha256, sm3) = (sha256.to_ascii_lowercase(), sm3.to_ascii_lowercase());
    let mut recorded = Vec::new();
    let mut deposited = Vec::new();
    // A package that does not open has nothing to find (the verification says why).
    if let Ok(src) = ZipSource::read(name.to_owned(), open(), len, &policy.limits) {
        let src: &dyn PackageSource = &src;
        let records = src
            .read_all(layout::JOURNAL, policy.limits.max_journal)
            .ok()
            .and_then(|b| webproof_evidence::journal::parse(&b).ok())
            .map(|j| j.records)
            .unwrap_or_default();
        for r in &records {
            for a in &r.artifacts {
                if a.sha256.to_hex() == sha256 && a.sm3.to_hex() == sm3 {
                    recorded.push(Recorded {
                        seq: r.seq,
                        kind: r.kind.as_str().to_owned(),
                        url: r.url.clone(),
                        path: a.path.clone(),
                    });
                }
            }
        }
        let receipts = src
            .entries()
            .iter()
            .map(|e| e.name.clone())
            .filter(|n| layout::is_receipt_file(n) && !layout::is_refresh(n));
        for receipt in receipts {
            let Some(r) = src
                .read_all(&receipt, 1 << 20)
                .ok()
                .and_then(|b| webproof_ledger::receipt::Receipt::parse(&b).ok())
            else {
                continue;
            };
            let Ok(d) = webproof_ledger::deposit::Deposit::parse(r.entry.as_bytes()) else {
                continue;
            };
            if d.files.iter().any(|f| f.sha256 == sha256 && f.sm3 == sm3) {
                let verdict = report
                    .checks
                    .iter()
                    .find(|c| {
                        c.id == webproof_verify::CheckId::ReceiptDeposit && c.subject == receipt
                    })
                    .map_or(webproof_verify::Verdict::Fail, |c| c.verdict);
                deposited.push(DepositedIn {
                    receipt,
                    log: r.log.clone(),
                    index: r.index,
                    seq: r.seq,
                    verdict,
                });
            }
        }
    }
    serde_json::to_string_pretty(&FileInPackage {
        sha256,
        sm3,
        recorded,
        deposited,
        verification,
    })
    .map_err(PageError::Json)
}
