//! Amending a sealed package into a new one, the original left as it is: a renewal
//! (`renewals/NNN…`: every file's digest under a chosen algorithm, the certificate chains of the
//! package's tokens, and new tokens over it; docs/evidence-package.md §6b) or a receipt refresh
//! (`receipts/refresh-NNN.json`: the log's newest witnessed checkpoint and consistency proofs
//! from the receipts' checkpoints to it; §6c) or a countersignature after review
//! (`reviews/NNN…`: a notary's signed statement naming the manifest, and tokens over the
//! signature; §6e). A package that does not verify is refused:
//! amending it would lend it new credibility. The copy is made in a work directory beside the
//! new package, removed afterwards whatever happens.
//!
//! `rt` is the handle of a multi-thread runtime: the requests run on its workers while the
//! session waits for them (a current-thread runtime's handle cannot drive them).

use std::path::{Path, PathBuf};
use std::time::Duration;

use webproof_evidence::canonical::CanonicalError;
use webproof_evidence::layout;
use webproof_evidence::package::{self, Limits, PackageError, PackageSource};
use webproof_evidence::renewal::{self, Part, RenewalAlg};
use webproof_ledger::note::{Checkpoint, Note as SignedNote, NoteError};
use webproof_ledger::receipt::{self, ConsistencyProof, LogTrust, Receipt, ReceiptError, Refresh};
use webproof_net::{LogClient, NetError, TsaClient};
use webproof_timestamp::{HashAlg, TspError};
use webproof_verify::{Policy, Verdict, VerifyError};
use x509_cert::Certificate;

use crate::Note;

/// Why a package could not be amended (nothing is written then).
#[derive(Debug, thiserror::Error)]
pub enum AmendError {
    #[error("{} exists; choose another name", .0.display())]
    OutExists(PathBuf),
    #[error("{} exists (left by an earlier run?); remove it first", .0.display())]
    WorkExists(PathBuf),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The package does not verify (`first`: its first failed check).
    #[error("{} does not verify ({first}); it is not amended", package.display())]
    Fails { package: PathBuf, first: String },
    #[error("the package names no capture")]
    NoCapture,
    #[error("opening {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: PackageError,
    },
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the package's manifest: {0}")]
    Manifest(#[source] serde_json::Error),
    /// Writing the WACZ datapackage that lists the files added.
    #[error(transparent)]
    Datapackage(webproof_evidence::capture::CaptureError),
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error(transparent)]
    Tsp(#[from] TspError),
    #[error(transparent)]
    Client(NetError),
    /// A renewal needs a TSA.
    #[error("no time-stamp authority is configured for the renewal")]
    NoTsa,
    /// No TSA stamped the renewal.
    #[error("no time-stamp authority stamped the renewal")]
    NoneStamped,
    /// Only a notary countersigns after review.
    #[error("a review is countersigned by a notary, and this identity is the {0}'s")]
    NotNotary(&'static str),
    /// The operator's own key cannot review the operator's package.
    #[error("the reviewer's key is the operator's own: no independent review")]
    OwnPackage,
    /// The countersigned package does not verify as countersigned (nothing is kept).
    #[error("the countersigned package does not verify ({first}); it is not kept")]
    ReviewFails { first: String },
    /// Signing the review statement.
    #[error("signing the review: {0}")]
    Sign(#[source] webproof_evidence::identity::KeyError),
    #[error("{} has no receipt of an evidence log to refresh", .0.display())]
    NoReceipts(PathBuf),
    /// A receipt or refresh of the package does not parse.
    #[error("{name}: {source}")]
    Member {
        name: String,
        #[source]
        source: ReceiptError,
    },
    /// A checkpoint of the package or the log does not parse.
    #[error("a checkpoint: {0}")]
    Checkpoint(#[source] NoteError),
    /// The log did not answer.
    #[error(transparent)]
    Log(NetError),
    #[error("{url} has published no checkpoint")]
    NoCheckpoint { url: String },
    #[error("the checkpoint of {url} is not one of log {log} under the keys given: {source}")]
    NotOfLog {
        url: String,
        log: String,
        #[source]
        source: ReceiptError,
    },
    #[error(
        "the log's newest checkpoint (size {size}) is no newer than the package's (size {held}): nothing to refresh"
    )]
    NothingToRefresh { size: u64, held: u64 },
    #[error("the log's checkpoint (size {size}) is older than a receipt's (size {old})")]
    Older { size: u64, old: u64 },
    #[error("{url} has no consistency proof from size {old} to {size}")]
    NoConsistency { url: String, old: u64, size: u64 },
    #[error("the log's consistency proof is malformed")]
    ConsistencyMalformed,
    /// The newer checkpoint does not extend the receipts' (a split view, or a forked log).
    #[error("the log's newer checkpoint does not extend the package's: {0}")]
    SplitView(#[source] ReceiptError),
    #[error("encoding the refresh: {0}")]
    Encode(#[source] ReceiptError),
}

/// A renewal to add.
pub struct Renewal<'a> {
    pub package: &'a Path,
    pub out: &'a Path,
    /// Every TSA asked to stamp the renewal (at least one must).
    pub tsa_urls: &'a [String],
    pub alg: RenewalAlg,
    /// TSA roots the package's tokens are checked against, and kept in the renewal's
    /// certificate file.
    pub roots: &'a [Certificate],
}

/// A renewal added.
#[derive(Debug)]
pub struct Renewed {
    /// Its number.
    pub n: u32,
    /// Files it covers.
    pub files: usize,
    pub alg: RenewalAlg,
    /// TSAs that stamped it.
    pub stamped: usize,
}

/// A refresh added.
#[derive(Debug)]
pub struct Refreshed {
    pub n: u32,
    /// The size of the log's checkpoint it holds.
    pub size: u64,
    /// The log's origin.
    pub log: String,
    /// Witnesses whose cosignature of that checkpoint verifies.
    pub witnesses: Vec<String>,
    /// The sizes of the receipts' checkpoints it is proven consistent with.
    pub earlier: Vec<u64>,
}

/// Adds the next renewal of `r.package` in a copy at `r.out`. What each TSA did is noted
/// (`RenewalStamped`, or `StampFailed`).
pub fn renew(
    r: &Renewal<'_>,
    note: &dyn Fn(Note<'_>),
    rt: &tokio::runtime::Handle,
) -> Result<Renewed, AmendError> {
    fresh(r.out)?;
    if r.tsa_urls.is_empty() {
        return Err(AmendError::NoTsa);
    }
    let policy = Policy {
        trusted_tsa: r.roots.to_vec(),
        ..Policy::default()
    };
    let capture = must_verify(r.package, &policy)?
        .capture
        .ok_or(AmendError::NoCapture)?;
    let limits = Limits::default();
    let src = open(r.package, &limits)?;
    amend(src.as_ref(), r.out, &limits, |work| {
        let n = src
            .entries()
            .iter()
            .filter(|e| matches!(renewal::classify(&e.name), Some((_, Part::Record))))
            .count() as u32
            + 1;
        let certs = certificates(src.as_ref(), r.roots)?;
        write(
            &work.join(renewal::certs_path(n)),
            webproof_timestamp::certs_to_pem(&certs)?.as_bytes(),
        )?;
        let record = renewal::plan(open(work, &limits)?.as_ref(), &capture, n, r.alg)?;
        let bytes = renewal::to_bytes(&record)?;
        write(&work.join(renewal::json_path(n)), &bytes)?;
        let stamped = stamp_renewal(work, n, r, &bytes, note, rt)?;
        Ok(Renewed {
            n,
            files: record.files.len(),
            alg: r.alg,
            stamped,
        })
    })
}

/// The certificates that verify every token of the package so far, and the roots given,
/// each once.
fn certificates(
    src: &dyn PackageSource,
    roots: &[Certificate],
) -> Result<Vec<Certificate>, AmendError> {
    use x509_cert::der::Encode as _;
    let mut certs: Vec<Certificate> = Vec::new();
    for e in src.entries().iter().filter(|e| e.name.ends_with(".tsr")) {
        let b = src.read_all(&e.name, 1 << 20)?;
        if let Ok(t) =
            webproof_timestamp::parse_response(&b).or_else(|_| webproof_timestamp::parse_token(&b))
        {
            certs.extend(t.certificates());
        }
    }
    certs.extend(roots.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    certs.retain(|c| seen.insert(c.to_der().unwrap_or_default()));
    Ok(certs)
}

/// Asks every TSA to stamp the renewal's bytes; keeps each request and response. At least one
/// must stamp.
fn stamp_renewal(
    work: &Path,
    n: u32,
    r: &Renewal<'_>,
    bytes: &[u8],
    note: &dyn Fn(Note<'_>),
    rt: &tokio::runtime::Handle,
) -> Result<usize, AmendError> {
    let hash = match r.alg {
        RenewalAlg::Sha256 => HashAlg::Sha256,
        RenewalAlg::Sha512 => HashAlg::Sha512,
        RenewalAlg::Sm3 => HashAlg::Sm3,
    };
    let stamps = Stamps {
        urls: r.tsa_urls,
        hash,
        path: &|k, ext| renewal::token_path(n, k, ext),
        stamped: &|tsa, time| note(Note::RenewalStamped { n, tsa, time }),
    };
    stamp_each(work, &stamps, bytes, note, rt)
}

/// What to stamp with and where the tokens go.
struct Stamps<'a> {
    urls: &'a [String],
    hash: HashAlg,
    /// The member path of TSA `k`'s (from 1) request or token (`tsq`, `tsr`).
    path: &'a dyn Fn(usize, &str) -> String,
    /// Says that a TSA stamped, at its genTime.
    stamped: &'a dyn Fn(&str, &str),
}

/// Asks every TSA to stamp `bytes`; keeps each request and response where `s.path` says. At
/// least one must stamp.
fn stamp_each(
    work: &Path,
    s: &Stamps<'_>,
    bytes: &[u8],
    note: &dyn Fn(Note<'_>),
    rt: &tokio::runtime::Handle,
) -> Result<usize, AmendError> {
    let client = TsaClient::new(Duration::from_secs(10)).map_err(AmendError::Client)?;
    let mut stamped = 0;
    for (k, url) in s.urls.iter().enumerate() {
        let req = webproof_timestamp::request(
            s.hash,
            &s.hash.digest(bytes),
            Some(webproof_timestamp::random_nonce()?),
            None,
        )?;
        match rt.block_on(client.stamp(url, &req)) {
            Ok(t) => {
                write(&work.join((s.path)(k + 1, "tsq")), &req.der)?;
                write(&work.join((s.path)(k + 1, "tsr")), &t.response)?;
                (s.stamped)(url, &t.token.info.gen_time);
                stamped += 1;
            }
            Err(error) => note(Note::StampFailed { error: &error }),
        }
    }
    if stamped == 0 {
        return Err(AmendError::NoneStamped);
    }
    Ok(stamped)
}

/// A countersignature after review to add.
pub struct Countersign<'a> {
    pub package: &'a Path,
    pub out: &'a Path,
    /// Every TSA asked to stamp the reviewer's signature (at least one must).
    pub tsa_urls: &'a [String],
    /// The reviewer's trust: the package is verified under it first (and refused if it
    /// fails), and the verdict it gives is what the statement says the reviewer saw.
    pub policy: &'a Policy,
    pub key: &'a webproof_evidence::identity::SecretKey,
    pub identity: &'a webproof_evidence::identity::IdentityDoc,
    /// The reviewer's certificate (PEM), when enrolled.
    pub certificate: Option<&'a str>,
    /// What the reviewer states.
    pub statement: &'a str,
}

/// A countersignature added.
#[derive(Debug)]
pub struct Countersigned {
    /// Its number.
    pub n: u32,
    /// The verdict the reviewer saw before signing, as the statement records it.
    pub verdict_seen: &'static str,
    /// TSAs that stamped the signature.
    pub stamped: usize,
    /// The countersigned package verified under the reviewer's trust.
    pub report: webproof_verify::Report,
}

/// The words of a package verdict, as `verify` says them (docs/evidence-package.md §7).
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "VERIFIED",
        Verdict::Untrusted => "INTACT, NOT TRUSTED",
        Verdict::Finding => "INTACT WITH FINDINGS",
        Verdict::Fail => "FAILED",
    }
}

/// Adds the next review of `c.package`, signed by the notary `c.key`, in a copy at `c.out`:
/// the package is verified first, the statement names its manifest and the verdict seen, the
/// TSAs stamp the signature, and the result must verify with the review's checks passing (or
/// untrusted, when the reviewer's own trust does not cover them).
pub fn countersign(
    c: &Countersign<'_>,
    note: &dyn Fn(Note<'_>),
    rt: &tokio::runtime::Handle,
) -> Result<Countersigned, AmendError> {
    use webproof_evidence::identity::Role;
    use webproof_evidence::review::{self, Part, Review};
    fresh(c.out)?;
    if c.identity.role != Role::Notary {
        return Err(AmendError::NotNotary(c.identity.role.as_str()));
    }
    if c.tsa_urls.is_empty() {
        return Err(AmendError::NoTsa);
    }
    let seen = must_verify(c.package, c.policy)?;
    let verdict_seen = verdict_words(seen.verdict());
    let capture = seen.capture.clone().ok_or(AmendError::NoCapture)?;
    let limits = Limits::default();
    let src = open(c.package, &limits)?;
    let manifest_bytes = src.read_all(layout::MANIFEST, limits.max_json)?;
    let manifest: webproof_evidence::manifest::Manifest =
        serde_json::from_slice(&manifest_bytes).map_err(AmendError::Manifest)?;
    if manifest
        .signers
        .iter()
        .any(|s| s.role == Role::Operator && s.fingerprint == c.identity.fingerprint)
    {
        return Err(AmendError::OwnPackage);
    }
    let (n, stamped) = amend(src.as_ref(), c.out, &limits, |work| {
        let n = src
            .entries()
            .iter()
            .filter(|e| matches!(review::classify(&e.name), Some((_, Part::Record))))
            .count() as u32
            + 1;
        let record = Review {
            v: review::VERSION,
            format: review::FORMAT.into(),
            n,
            capture: capture.clone(),
            manifest: webproof_evidence::digest::digest_bytes(&manifest_bytes),
            role: Role::Notary,
            algorithm: c.identity.algorithm,
            fingerprint: c.identity.fingerprint,
            verdict: verdict_seen.into(),
            statement: c.statement.to_owned(),
            reviewed: webproof_evidence::Utc::now(),
        };
        let bytes = review::to_bytes(&record)?;
        let sig = c.key.sign(&bytes).map_err(AmendError::Sign)?;
        write(&work.join(review::json_path(n)), &bytes)?;
        write(&work.join(review::signature_path(n)), &sig)?;
        let doc = webproof_evidence::canonical::to_jcs(c.identity)?;
        write(&work.join(review::identity_path(n)), &doc)?;
        write(
            &work.join(review::public_key_path(n)),
            c.identity.public_key.as_bytes(),
        )?;
        if let Some(cert) = c.certificate {
            write(&work.join(review::certificate_path(n)), cert.as_bytes())?;
        }
        let stamps = Stamps {
            urls: c.tsa_urls,
            hash: HashAlg::Sha256,
            path: &|k, ext| review::token_path(n, k, ext),
            stamped: &|tsa, time| note(Note::ReviewStamped { n, tsa, time }),
        };
        let stamped = stamp_each(work, &stamps, &sig, note, rt)?;
        Ok((n, stamped))
    })?;
    // What was written must verify as countersigned: else it is not kept.
    let report = webproof_verify::verify_path(c.out, c.policy)?;
    if let Some(bad) = report
        .failures()
        .find(|ch| ch.id.as_str().starts_with("review.") || ch.id.as_str() == "file.unlisted")
    {
        let first = format!("{} {}: {}", bad.id, bad.subject, bad.detail);
        let _ = std::fs::remove_file(c.out);
        return Err(AmendError::ReviewFails { first });
    }
    Ok(Countersigned {
        n,
        verdict_seen,
        stamped,
        report,
    })
}

/// Adds the next refresh of `package`'s receipts (from the log at `url`, checked under
/// `trust`) in a copy at `out`.
pub fn refresh(
    package: &Path,
    out: &Path,
    url: &str,
    trust: &LogTrust,
    rt: &tokio::runtime::Handle,
) -> Result<Refreshed, AmendError> {
    fresh(out)?;
    let policy = Policy {
        log: trust.clone(),
        ..Policy::default()
    };
    must_verify(package, &policy)?;
    let limits = Limits::default();
    let src = open(package, &limits)?;
    let held = Held::read(src.as_ref(), package)?;
    let first = &held.receipts[0];
    let origin = first.log.clone();
    let earlier = held.earlier(&origin)?;
    let client = LogClient::new(url, Duration::from_secs(10)).map_err(AmendError::Client)?;
    let note = rt
        .block_on(client.checkpoint())
        .map_err(AmendError::Log)?
        .ok_or_else(|| AmendError::NoCheckpoint { url: url.into() })?;
    let newest =
        receipt::check_checkpoint(&note, &origin, &first.log_key, &first.witness_keys, trust)
            .map_err(|source| AmendError::NotOfLog {
                url: url.into(),
                log: origin.clone(),
                source,
            })?;
    let size = newest.checkpoint.size;
    let newest_held = held
        .newest
        .max(earlier.iter().map(|(s, _)| *s).max().unwrap_or(0));
    if size <= newest_held {
        return Err(AmendError::NothingToRefresh {
            size,
            held: newest_held,
        });
    }
    let consistency = consistency(&client, url, &earlier, size, rt)?;
    let refresh = Refresh {
        v: 1,
        format: receipt::REFRESH_FORMAT.into(),
        n: held.refreshes + 1,
        log: origin.clone(),
        checkpoint: note,
        consistency,
    };
    // Checked before it is written: a log that forked is caught here.
    refresh
        .check(&first.log_key, &first.witness_keys, &earlier, trust)
        .map_err(AmendError::SplitView)?;
    let bytes = refresh.to_bytes().map_err(AmendError::Encode)?;
    amend(src.as_ref(), out, &limits, |work| {
        write(&work.join(layout::refresh_path(refresh.n)), &bytes)
    })?;
    Ok(Refreshed {
        n: refresh.n,
        size,
        log: origin,
        witnesses: newest.cosigners.into_iter().map(|(n, _)| n).collect(),
        earlier: earlier.iter().map(|(s, _)| *s).collect(),
    })
}

/// What a package holds of the log: its receipts, how many refreshes, the newest size they
/// reach.
struct Held {
    receipts: Vec<Receipt>,
    refreshes: u32,
    newest: u64,
}

impl Held {
    fn read(src: &dyn PackageSource, package: &Path) -> Result<Held, AmendError> {
        let mut held = Held {
            receipts: Vec::new(),
            refreshes: 0,
            newest: 0,
        };
        let member = |name: &str| {
            let name = name.to_owned();
            move |source| AmendError::Member { name, source }
        };
        for e in src.entries() {
            if layout::is_refresh(&e.name) {
                held.refreshes += 1;
                let b = src.read_all(&e.name, 1 << 20)?;
                let r = Refresh::parse(&b).map_err(member(&e.name))?;
                held.newest = held.newest.max(checkpoint_of(&r.checkpoint)?.size);
            } else if layout::receipt_seq(&e.name).is_some() {
                let b = src.read_all(&e.name, 1 << 20)?;
                held.receipts
                    .push(Receipt::parse(&b).map_err(member(&e.name))?);
            }
        }
        if held.receipts.is_empty() {
            return Err(AmendError::NoReceipts(package.to_owned()));
        }
        Ok(held)
    }

    /// The (size, root) of every checkpoint the receipts of log `origin` hold, each once, in
    /// order.
    fn earlier(
        &self,
        origin: &str,
    ) -> Result<Vec<(u64, webproof_ledger::merkle::Hash)>, AmendError> {
        let mut earlier = Vec::new();
        for r in self.receipts.iter().filter(|r| r.log == origin) {
            let c = checkpoint_of(&r.checkpoint)?;
            earlier.push((c.size, c.root));
        }
        earlier.sort();
        earlier.dedup();
        Ok(earlier)
    }
}

/// Consistency proofs from every earlier size to `size`.
fn consistency(
    client: &LogClient,
    url: &str,
    earlier: &[(u64, webproof_ledger::merkle::Hash)],
    size: u64,
    rt: &tokio::runtime::Handle,
) -> Result<Vec<ConsistencyProof>, AmendError> {
    let mut proofs = Vec::new();
    for &(old, _) in earlier {
        if old > size {
            return Err(AmendError::Older { size, old });
        }
        if old == size {
            continue;
        }
        let text = rt
            .block_on(client.consistency(old, size))
            .map_err(AmendError::Log)?
            .ok_or_else(|| AmendError::NoConsistency {
                url: url.into(),
                old,
                size,
            })?;
        let proof =
            webproof_ledger::witness::parse_proof(&text).ok_or(AmendError::ConsistencyMalformed)?;
        proofs.push(ConsistencyProof {
            size: old,
            proof: receipt::proof_to_b64(&proof),
        });
    }
    Ok(proofs)
}

fn checkpoint_of(note: &str) -> Result<Checkpoint, AmendError> {
    let n = SignedNote::parse(note).map_err(AmendError::Checkpoint)?;
    Checkpoint::parse(&n.text).map_err(AmendError::Checkpoint)
}

/// `out` must not exist yet.
fn fresh(out: &Path) -> Result<(), AmendError> {
    if out.exists() {
        return Err(AmendError::OutExists(out.to_owned()));
    }
    Ok(())
}

/// The package's verification report, unless it fails.
fn must_verify(package: &Path, policy: &Policy) -> Result<webproof_verify::Report, AmendError> {
    let report = webproof_verify::verify_path(package, policy)?;
    if report.verdict() == Verdict::Fail {
        return Err(AmendError::Fails {
            package: package.to_owned(),
            first: report.first_failure().unwrap_or_default(),
        });
    }
    Ok(report)
}

fn open(path: &Path, limits: &Limits) -> Result<Box<dyn PackageSource>, AmendError> {
    package::open(path, limits).map_err(|source| AmendError::Open {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), AmendError> {
    Ok(package::write_file(path, bytes)?)
}

/// Copies `src` into a work directory beside `out`, lets `add` add its files there, rewrites
/// the derived WACZ files to list them, and writes the ZIP `out`. The work directory goes
/// whatever happens.
fn amend<T>(
    src: &dyn PackageSource,
    out: &Path,
    limits: &Limits,
    add: impl FnOnce(&Path) -> Result<T, AmendError>,
) -> Result<T, AmendError> {
    let work = out.with_extension("amend-work");
    if work.exists() {
        return Err(AmendError::WorkExists(work));
    }
    let result = (|| {
        unpack(src, &work)?;
        let added = add(&work)?;
        rederive_datapackage(&work)?;
        package::write_zip(&work, out, limits)?;
        Ok(added)
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Copies every file of a package into the directory `work`.
fn unpack(src: &dyn PackageSource, work: &Path) -> Result<(), AmendError> {
    for e in src.entries() {
        let dst = work.join(&e.name);
        let io = |source| AmendError::Io {
            path: dst.clone(),
            source,
        };
        if let Some(p) = dst.parent() {
            std::fs::create_dir_all(p).map_err(io)?;
        }
        let mut f = std::fs::File::create(&dst).map_err(io)?;
        src.read_with(&e.name, &mut |r| std::io::copy(r, &mut f).map(|_| ()))?;
        f.sync_all().map_err(io)?;
    }
    Ok(())
}

/// Rewrites `datapackage.json` and `datapackage-digest.json` of the package directory `dir`
/// to list the files added.
fn rederive_datapackage(dir: &Path) -> Result<(), AmendError> {
    for p in [layout::DATAPACKAGE, layout::DATAPACKAGE_DIGEST] {
        let path = dir.join(p);
        std::fs::remove_file(&path).map_err(|source| AmendError::Io { path, source })?;
    }
    let manifest_path = dir.join(layout::MANIFEST);
    let manifest = std::fs::read(&manifest_path).map_err(|source| AmendError::Io {
        path: manifest_path,
        source,
    })?;
    let manifest: webproof_evidence::manifest::Manifest =
        serde_json::from_slice(&manifest).map_err(AmendError::Manifest)?;
    webproof_evidence::capture::write_datapackage(dir, &manifest).map_err(AmendError::Datapackage)
}
