//! Renewals added after sealing: each record covers what it must, and its tokens stamp it
//! (`renewal.record`, `renewal.token`).

use std::collections::BTreeMap;
use webproof_message::{key, msg};

use webproof_evidence::canonical;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;

use crate::explain::{Explain, Why};
use crate::timestamps::invalid_token;
use crate::{CheckId, Message, Policy, Report, Verdict};

/// Every `renewals/NNN.json`: canonical, of this capture, numbered from 1 without gaps; every
/// file it must cover (§6b) listed with the digest it has now; and its tokens stamp its bytes
/// and verify as of their genTime.
pub(crate) fn renewal_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    policy: &Policy,
    report: &mut Report,
) {
    use webproof_evidence::renewal::{self, Part, Renewal};
    use webproof_timestamp::{Expect, Trust, Verdict as TsVerdict};
    let records: Vec<(u32, String)> = src
        .entries()
        .iter()
        .filter_map(|e| match renewal::classify(&e.name) {
            Some((n, Part::Record)) => Some((n, e.name.clone())),
            _ => None,
        })
        .collect();
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
        let bytes = match src.read_all(name, 64 << 20) {
            Ok(b) => b,
            Err(e) => {
                report.fail(CheckId::RenewalRecord, name.clone(), Why::of(&e));
                continue;
            }
        };
        let r: Renewal = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => {
                report.fail(
                    CheckId::RenewalRecord,
                    name.clone(),
                    Why::of(&e).under(key!("msg-not-renewal"), "not a renewal record"),
                );
                continue;
            }
        };
        if r.v != renewal::VERSION
            || r.format != renewal::FORMAT
            || r.n != *n
            || r.capture != m.capture
            || !canonical::is_canonical(&bytes)
        {
            report.fail(
                CheckId::RenewalRecord,
                name.clone(),
                Why::new(
                    "wrong format, version, number or capture, or not canonical",
                    msg!("msg-renewal-format"),
                ),
            );
            continue;
        }
        let listed: BTreeMap<&str, &str> = r
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.digest.as_str()))
            .collect();
        let mut problems = Vec::new();
        let mut said: Option<Message> = None;
        for e in src.entries() {
            if renewal::must_cover(&e.name, *n) && !listed.contains_key(e.name.as_str()) {
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
                    name.clone(),
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
                    name.clone(),
                    Why::new(
                        problems.join("; "),
                        msg!("msg-renewal-problems")
                            .arg("count", problems.len())
                            .because(first),
                    ),
                );
            }
        }
        // Its tokens, over the record's bytes.
        let mut anchors = policy.trusted_tsa.clone();
        anchors.dedup();
        let trust = Trust {
            anchors,
            ..Trust::default()
        };
        let mut tokens = 0;
        for e in src.entries() {
            let Some((tn, Part::Token(_))) = renewal::classify(&e.name) else {
                continue;
            };
            if tn != *n {
                continue;
            }
            tokens += 1;
            let token = match src
                .read_all(&e.name, 1 << 20)
                .map_err(|e| Why::of(&e))
                .and_then(|b| {
                    webproof_timestamp::parse_response(&b)
                        .or_else(|_| webproof_timestamp::parse_token(&b))
                        .map_err(|e| {
                            Why::of(&e).under(key!("msg-not-token"), "not a time-stamp token")
                        })
                }) {
                Ok(t) => t,
                Err(why) => {
                    report.fail(CheckId::RenewalToken, e.name.clone(), why);
                    continue;
                }
            };
            let alg = token.info.imprint_alg;
            let mut expect = Expect {
                imprint: Some((alg, alg.digest(&bytes))),
                nonce: None,
            };
            // The request kept beside the token must ask for this very imprint.
            let tsq = format!("{}.tsq", e.name.trim_end_matches(".tsr"));
            if let Ok(q) = src.read_all(&tsq, 64 << 10) {
                match webproof_timestamp::Request::from_der(&q) {
                    Ok(r)
                        if r.alg == alg
                            && Some(&r.imprint) == expect.imprint.as_ref().map(|x| &x.1) =>
                    {
                        expect.nonce = r.nonce
                    }
                    // Both fail; the token is still judged, to say why.
                    Ok(_) => report.fail(
                        CheckId::RenewalToken,
                        tsq,
                        Why::new(
                            "the request kept beside the token asks for another imprint",
                            msg!("msg-token-request-mismatch"),
                        ),
                    ),
                    Err(err) => report.fail(
                        CheckId::RenewalToken,
                        tsq,
                        Why::of(&err).under(key!("msg-not-request"), "not a time-stamp request"),
                    ),
                }
            }
            let v = webproof_timestamp::verify(&token, &expect, &trust);
            let what = format!(
                "{}: renewal {n} existed by {}",
                v.signer.as_deref().unwrap_or("unknown signer"),
                v.info.gen_time
            );
            let tsa = v.signer.as_deref().unwrap_or("unknown signer");
            match v.verdict {
                TsVerdict::Trusted => {
                    report.pass(
                        CheckId::RenewalToken,
                        e.name.clone(),
                        Why::new(
                            format!("{what}; trusted"),
                            msg!("msg-renewal-token-trusted")
                                .arg("tsa", tsa)
                                .arg("n", n)
                                .arg("time", &v.info.gen_time),
                        ),
                    );
                }
                TsVerdict::Untrusted => {
                    let m = msg!("msg-renewal-token-untrusted")
                        .arg("tsa", tsa)
                        .arg("n", n)
                        .arg("time", &v.info.gen_time);
                    let m = match &v.problem {
                        Some(p) => m.because(p.message()),
                        None => m,
                    };
                    let text = format!("{what}; not trusted: {}", v.reason);
                    report.push(
                        CheckId::RenewalToken,
                        e.name.clone(),
                        Verdict::Untrusted,
                        Why::new(text, m),
                    );
                }
                TsVerdict::Invalid => {
                    report.fail(
                        CheckId::RenewalToken,
                        e.name.clone(),
                        Why::new(format!("invalid: {}", v.reason), invalid_token(&v)),
                    );
                }
            }
        }
        if tokens == 0 {
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
