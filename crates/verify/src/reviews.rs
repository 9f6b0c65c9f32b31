//! Countersignatures after review, added after sealing (docs/evidence-package.md §6e): each
//! statement names this package's manifest, is signed by a notary who is not the operator, its
//! tokens stamp the signature, and the notary is who a certificate or a trusted key says
//! (`review.record`, `review.signature`, `review.identity`, `review.token`, `review.time`).

use webproof_evidence::canonical;
use webproof_evidence::digest::digest_bytes;
use webproof_evidence::identity::{IdentityDoc, Role};
use webproof_evidence::manifest::{Manifest, Signer};
use webproof_evidence::package::PackageSource;
use webproof_evidence::review::{self, Part, Review};
use webproof_message::{key, msg};
use webproof_timestamp::{Trust, Verdict as TsVerdict};

use crate::explain::Why;
use crate::signers::{self, TrustedAt, Who};
use crate::timestamps::{stamped_verdict, verify_token_over};
use crate::{CheckId, Policy, Report, Verdict};

/// Every `reviews/NNN.json`, numbered from 1 without gaps.
pub(crate) fn review_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    manifest_bytes: &[u8],
    policy: &Policy,
    report: &mut Report,
) {
    let records: Vec<(u32, String)> = src
        .entries()
        .iter()
        .filter_map(|e| match review::classify(&e.name) {
            Some((n, Part::Record)) => Some((n, e.name.clone())),
            _ => None,
        })
        .collect();
    let trust = Trust {
        anchors: policy.trusted_tsa.clone(),
        ..Trust::default()
    };
    for (i, (n, name)) in records.iter().enumerate() {
        if *n != i as u32 + 1 {
            report.fail(
                CheckId::ReviewRecord,
                name.clone(),
                Why::new(
                    format!("review {n} follows review {i}: numbers must run from 1 without gaps"),
                    msg!("msg-review-gap").arg("n", n).arg("previous", i),
                ),
            );
            continue;
        }
        let pkg = Pkg {
            src,
            m,
            manifest_bytes,
            policy,
        };
        one_review(&pkg, *n, name, &trust, report);
    }
}

/// The package the reviews are of, and the reader's policy.
struct Pkg<'a> {
    src: &'a dyn PackageSource,
    m: &'a Manifest,
    manifest_bytes: &'a [u8],
    policy: &'a Policy,
}

/// Review `n`: its statement, signature, tokens and reviewer.
fn one_review(pkg: &Pkg<'_>, n: u32, name: &str, trust: &Trust, report: &mut Report) {
    let (src, policy) = (pkg.src, pkg.policy);
    let Some((bytes, r)) = record_check(pkg, n, name, report) else {
        return;
    };
    let signer = Signer {
        role: r.role,
        algorithm: r.algorithm,
        fingerprint: r.fingerprint,
        identity: review::identity_path(n),
        public_key: review::public_key_path(n),
        signature: review::signature_path(n),
    };
    let (doc, key, fp) = match signers::signer_key(src, &signer, policy) {
        Ok(k) => k,
        Err((path, why)) => {
            report.fail(CheckId::ReviewIdentity, path, why);
            return;
        }
    };
    let sig = match src.read_all(&signer.signature, 64 << 10) {
        Ok(b) => b,
        Err(e) => {
            report.fail(
                CheckId::ReviewSignature,
                signer.signature.clone(),
                Why::of(&e),
            );
            return;
        }
    };
    if key.verify(&bytes, &sig).is_err() {
        report.fail(
            CheckId::ReviewSignature,
            signer.signature.clone(),
            Why::new(
                format!(
                    "{} does not verify over {name}: one of them was altered",
                    signer.signature
                ),
                msg!("msg-review-signature-bad").arg("file", &signer.signature),
            ),
        );
        return;
    }
    report.pass(
        CheckId::ReviewSignature,
        signer.signature.clone(),
        Why::new(
            format!(
                "{} signature by {} ({fp}) over {name} verifies",
                r.algorithm.as_str(),
                doc.name
            ),
            msg!("msg-review-signature-ok")
                .arg("alg", r.algorithm.as_str())
                .arg("name", &doc.name)
                .arg("fingerprint", fp),
        ),
    );
    let time = token_checks(src, n, &sig, trust, report);
    let at = match &time {
        Some(t) => TrustedAt::Token {
            unix: t.unix,
            tsa: t.tsa.clone(),
        },
        None => TrustedAt::Claimed {
            unix: r.reviewed.as_offset().unix_timestamp(),
        },
    };
    let who = Who {
        id: CheckId::ReviewIdentity,
        signer: &signer,
        certificate: review::certificate_path(n),
    };
    signers::identity_check(src, &who, &doc, fp, policy, report, &at);
    time_check(n, &r, &doc, time, report);
}

/// The trusted time a review's tokens establish: the earliest trusted genTime.
struct Stamped {
    unix: i64,
    gen_time: String,
    tsa: String,
}

/// Review `n`'s statement (`name`), read and held to the package; its bytes and what it says,
/// unless it is not a review of this package by someone other than the operator.
fn record_check(
    pkg: &Pkg<'_>,
    n: u32,
    name: &str,
    report: &mut Report,
) -> Option<(Vec<u8>, Review)> {
    let (src, m, manifest_bytes, policy) = (pkg.src, pkg.m, pkg.manifest_bytes, pkg.policy);
    let fail = |report: &mut Report, why: Why| {
        report.fail(CheckId::ReviewRecord, name, why);
        None
    };
    let bytes = match src.read_all(name, policy.limits.max_json) {
        Ok(b) => b,
        Err(e) => return fail(report, Why::of(&e)),
    };
    let r: Review = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            let why = Why::of(&e).under(key!("msg-not-review"), "not a review statement");
            return fail(report, why);
        }
    };
    if r.v != review::VERSION
        || r.format != review::FORMAT
        || r.n != n
        || r.capture != m.capture
        || !canonical::is_canonical(&bytes)
    {
        let why = Why::new(
            "wrong format, version, number or capture, or not canonical",
            msg!("msg-review-format"),
        );
        return fail(report, why);
    }
    let manifest = digest_bytes(manifest_bytes);
    if r.manifest != manifest {
        let why = Why::new(
            format!(
                "it reviews another manifest (SHA-256 {}, SM3 {}), not this package's",
                r.manifest.sha256, r.manifest.sm3
            ),
            msg!("msg-review-other-manifest").arg("sha256", r.manifest.sha256),
        );
        return fail(report, why);
    }
    if r.role != Role::Notary {
        let why = Why::new(
            format!(
                "a review is a notary's; this one is signed as the {}",
                r.role.as_str()
            ),
            msg!("msg-review-not-notary").arg("role", r.role.as_str()),
        );
        return fail(report, why);
    }
    if m.signers
        .iter()
        .any(|s| s.role == Role::Operator && s.fingerprint == r.fingerprint)
    {
        let why = Why::new(
            format!(
                "the reviewer's key is the operator's own ({}): no independent review",
                r.fingerprint
            ),
            msg!("msg-review-by-operator").arg("fingerprint", r.fingerprint),
        );
        return fail(report, why);
    }
    report.pass(
        CheckId::ReviewRecord,
        name,
        Why::new(
            format!(
                "review {n} names this package's manifest; the reviewer's verifier said {}",
                r.verdict
            ),
            msg!("msg-review-ok").arg("n", n).arg("verdict", &r.verdict),
        ),
    );
    Some((bytes, r))
}

/// Review `n`'s tokens: each stamps the signature `sig` and verifies as of its genTime. The
/// earliest trusted one, if any.
fn token_checks(
    src: &dyn PackageSource,
    n: u32,
    sig: &[u8],
    trust: &Trust,
    report: &mut Report,
) -> Option<Stamped> {
    let tokens: Vec<&str> = src
        .entries()
        .iter()
        .filter(|e| matches!(review::classify(&e.name), Some((m, Part::Token(_))) if m == n))
        .map(|e| e.name.as_str())
        .collect();
    let mut best: Option<Stamped> = None;
    for name in tokens {
        let Some(v) = verify_token_over(src, name, sig, trust, CheckId::ReviewToken, report) else {
            continue;
        };
        let (verdict, why) = stamped_verdict(
            &v,
            &format!("review {n}'s signature"),
            n,
            key!("msg-review-token-trusted"),
            key!("msg-review-token-untrusted"),
        );
        report.push(CheckId::ReviewToken, name, verdict, why);
        if v.verdict == TsVerdict::Trusted
            && best.as_ref().is_none_or(|b| v.info.gen_time_unix < b.unix)
        {
            best = Some(Stamped {
                unix: v.info.gen_time_unix,
                gen_time: v.info.gen_time.clone(),
                tsa: v.signer.clone().unwrap_or_default(),
            });
        }
    }
    best
}

/// `review.time`: the sentence a reader wants — who countersigned after review, and by when,
/// on trusted time or only the reviewer's claim.
fn time_check(n: u32, r: &Review, doc: &IdentityDoc, time: Option<Stamped>, report: &mut Report) {
    let who = doc.who();
    let name = review::json_path(n);
    match time {
        Some(t) => report.pass(
            CheckId::ReviewTime,
            name,
            Why::new(
                format!(
                    "countersigned after review by {who} no later than {} (trusted time, {}): {:?}",
                    t.gen_time, t.tsa, r.statement
                ),
                msg!("msg-review-time-trusted")
                    .arg("who", &who)
                    .arg("time", &t.gen_time)
                    .arg("tsa", &t.tsa)
                    .arg("statement", &r.statement),
            ),
        ),
        None => report.push(
            CheckId::ReviewTime,
            name,
            Verdict::Untrusted,
            Why::new(
                format!(
                    "countersigned after review by {who} at {} by the reviewer's own clock only: no trusted time-stamp over the signature: {:?}",
                    r.reviewed, r.statement
                ),
                msg!("msg-review-time-claimed")
                    .arg("who", &who)
                    .arg("time", r.reviewed)
                    .arg("statement", &r.statement),
            ),
        ),
    }
}
