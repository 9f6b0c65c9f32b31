//! Renewals added after sealing: each record covers what it must, and its tokens stamp it
//! (`renewal.record`, `renewal.token`).

use std::collections::BTreeMap;

use webproof_evidence::canonical;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_evidence::renewal::{self, Part, Renewal};
use webproof_message::{key, msg};
use webproof_timestamp::Trust;

use crate::explain::Why;
use crate::timestamps::{stamped_verdict, verify_token_over};
use crate::{CheckId, Message, Policy, Report};

/// Every `renewals/NNN.json`: canonical, of this capture, numbered from 1 without gaps; every
/// file it must cover (§6b) listed with the digest it has now; and its tokens stamp its bytes
/// and verify as of their genTime.
pub(crate) fn renewal_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    policy: &Policy,
    report: &mut Report,
) {
    let records: Vec<(u32, String)> = src
        .entries()
        .iter()
        .filter_map(|e| match renewal::classify(&e.name) {
            Some((n, Part::Record)) => Some((n, e.name.clone())),
            _ => None,
        })
        .collect();
    let mut anchors = policy.trusted_tsa.clone();
    anchors.dedup();
    let trust = Trust {
        anchors,
        ..Trust::default()
    };
    for (i, (n, name)) in records.iter().enumerate() {
        if *n != i as u32 + 1 {
            report.fail(
                CheckId::RenewalRecord,
                name.clone(),
                Why::new(
                    format!(
                        "renewal {n} follows renewal {i}: numbers must run from 1 without gaps"
                    ),
                    msg!("msg-renewal-gap").arg("n", n).arg("previous", i),
                ),
            );
            continue;
        }
        let Some(bytes) = record_check(src, m, *n, name, report) else {
            continue;
        };
        // Its tokens, over the record's bytes.
        let tokens: Vec<&str> = src
            .entries()
            .iter()
            .filter(|e| {
                renewal::classify(&e.name)
                    .is_some_and(|(tn, p)| tn == *n && matches!(p, Part::Token(_)))
            })
            .map(|e| e.name.as_str())
            .collect();
        for token in &tokens {
            token_check(src, token, *n, &bytes, &trust, report);
        }
        if tokens.is_empty() {
            report.fail(
                CheckId::RenewalToken,
                name.clone(),
                Why::new(
                    "a renewal without a time-stamp token proves nothing",
                    msg!("msg-renewal-no-token"),
                ),
            );
        }
    }
}

/// Renewal `n`'s record (`name`), read and judged: its bytes when it is a renewal record of
/// this capture (whether or not it covers what it must, which is said), else `None`.
fn record_check(
    src: &dyn PackageSource,
    m: &Manifest,
    n: u32,
    name: &str,
    report: &mut Report,
) -> Option<Vec<u8>> {
    let bytes = match src.read_all(name, 64 << 20) {
        Ok(b) => b,
        Err(e) => {
            report.fail(CheckId::RenewalRecord, name, Why::of(&e));
            return None;
        }
    };
    let r: Renewal = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            report.fail(
                CheckId::RenewalRecord,
                name,
                Why::of(&e).under(key!("msg-not-renewal"), "not a renewal record"),
            );
            return None;
        }
    };
    if r.v != renewal::VERSION
        || r.format != renewal::FORMAT
        || r.n != n
        || r.capture != m.capture
        || !canonical::is_canonical(&bytes)
    {
        report.fail(
            CheckId::RenewalRecord,
            name,
            Why::new(
                "wrong format, version, number or capture, or not canonical",
                msg!("msg-renewal-format"),
            ),
        );
        return None;
    }
    coverage_check(src, &r, name, report);
    Some(bytes)
}

/// Whether a renewal lists every file it must cover, each with the digest it has now.
fn coverage_check(src: &dyn PackageSource, r: &Renewal, name: &str, report: &mut Report) {
    let listed: BTreeMap<&str, &str> = r
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.digest.as_str()))
        .collect();
    let mut problems = Vec::new();
    let mut said: Option<Message> = None;
    for e in src.entries() {
        if renewal::must_cover(&e.name, r.n) && !listed.contains_key(e.name.as_str()) {
            problems.push(format!("{} is not covered", e.name));
            said.get_or_insert(msg!("msg-renewal-uncovered").arg("file", &e.name));
        }
    }
    for (path, want) in &listed {
        if src.entry(path).is_none() {
            problems.push(format!("{path} is missing"));
            said.get_or_insert(msg!("msg-renewal-missing").arg("file", path));
            continue;
        }
        let mut got = Vec::new();
        let read = src.read_with(path, &mut |rd| {
            got = r.alg.digest_reader(rd)?;
            Ok(())
        });
        if read.is_err() || hex::encode(&got) != *want {
            problems.push(format!("{path} changed since the renewal"));
            said.get_or_insert(msg!("msg-renewal-changed").arg("file", path));
        }
    }
    match said {
        None => {
            report.pass(
                CheckId::RenewalRecord,
                name,
                Why::new(
                    format!("covers {} files under {}", r.files.len(), r.alg.as_str()),
                    msg!("msg-renewal-ok")
                        .arg("count", r.files.len())
                        .arg("alg", r.alg.as_str()),
                ),
            );
        }
        Some(first) => {
            report.fail(
                CheckId::RenewalRecord,
                name,
                Why::new(
                    problems.join("; "),
                    msg!("msg-renewal-problems")
                        .arg("count", problems.len())
                        .because(first),
                ),
            );
        }
    }
}

/// One token of renewal `n` (`name`): it stamps the record's `bytes`, its kept request asks
/// for them, and it verifies as of its genTime.
fn token_check(
    src: &dyn PackageSource,
    name: &str,
    n: u32,
    bytes: &[u8],
    trust: &Trust,
    report: &mut Report,
) {
    let Some(v) = verify_token_over(src, name, bytes, trust, CheckId::RenewalToken, report) else {
        return;
    };
    let (verdict, why) = stamped_verdict(
        &v,
        &format!("renewal {n}"),
        n,
        key!("msg-renewal-token-trusted"),
        key!("msg-renewal-token-untrusted"),
    );
    report.push(CheckId::RenewalToken, name, verdict, why);
}
