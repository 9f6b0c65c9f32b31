//! RFC 3161 time-stamps over chain heads, and which trusted time covers which step
//! (`timestamp.token`, `timestamp.coverage`).

use webproof_evidence::digest::Digests;
use webproof_evidence::layout;
use webproof_evidence::package::PackageSource;
use webproof_message::{Key, key, msg};
use webproof_timestamp::{Expect, HashAlg, Token, Trust, Verdict as TsVerdict, Verification};

use crate::explain::{Explain, Why};
use crate::{CheckId, Message, Policy, Report, StepTime, Verdict};

/// A token that verifies but does not chain to a trusted TSA, as a message (with the reason,
/// unless it is only that).
fn untrusted_token(tsa: &str, seq: u64, v: &webproof_timestamp::Verification) -> Message {
    let m = msg!("msg-token-untrusted")
        .arg("tsa", tsa)
        .arg("seq", seq)
        .arg("time", &v.info.gen_time);
    match &v.problem {
        Some(p) if *p != webproof_timestamp::Problem::NoChain => m.because(p.message()),
        _ => m,
    }
}

/// Token `name` over `bytes` (a renewal record, a review's signature — not a chain head):
/// read, the request kept beside it held to the imprint (a wrong one fails as `id`, and the
/// token is still judged, to say why), and verified as of its genTime. `None` when the token
/// does not read (failed as `id`).
pub(crate) fn verify_token_over(
    src: &dyn PackageSource,
    name: &str,
    bytes: &[u8],
    trust: &Trust,
    id: CheckId,
    report: &mut Report,
) -> Option<Verification> {
    let token = match read_token(src, name) {
        Ok(t) => t,
        Err(why) => {
            report.fail(id, name, why);
            return None;
        }
    };
    let alg = token.info.imprint_alg;
    let imprint = alg.digest(bytes);
    let nonce = match kept_request(src, name, alg, &imprint) {
        Kept::Asks(nonce) => nonce,
        Kept::Wrong(tsq, why) => {
            report.fail(id, tsq, why);
            None
        }
        Kept::None => None,
    };
    let expect = Expect {
        imprint: Some((alg, imprint)),
        nonce,
    };
    Some(webproof_timestamp::verify(&token, &expect, trust))
}

/// What a token over something else than a chain head establishes — that `what` (renewal
/// `n`, review `n`'s signature) existed by its genTime — as a verdict and why: trusted,
/// untrusted with the reason, or invalid.
pub(crate) fn stamped_verdict(
    v: &Verification,
    what: &str,
    n: u32,
    trusted: Key,
    untrusted: Key,
) -> (Verdict, Why) {
    let tsa = v.signer.as_deref().unwrap_or("unknown signer");
    let said = format!("{tsa}: {what} existed by {}", v.info.gen_time);
    let m = |k: Key| {
        Message::new(k)
            .arg("tsa", tsa)
            .arg("n", n)
            .arg("time", &v.info.gen_time)
    };
    match v.verdict {
        TsVerdict::Trusted => (
            Verdict::Pass,
            Why::new(format!("{said}; trusted"), m(trusted)),
        ),
        TsVerdict::Untrusted => {
            let msg = match &v.problem {
                Some(p) => m(untrusted).because(p.message()),
                None => m(untrusted),
            };
            (
                Verdict::Untrusted,
                Why::new(format!("{said}; not trusted: {}", v.reason), msg),
            )
        }
        TsVerdict::Invalid => (
            Verdict::Fail,
            Why::new(format!("invalid: {}", v.reason), invalid_token(v)),
        ),
    }
}

/// An invalid token, as a message with its reason.
pub(crate) fn invalid_token(v: &webproof_timestamp::Verification) -> Message {
    let m = msg!("msg-token-invalid");
    match &v.problem {
        Some(p) => m.because(p.message()),
        None => m,
    }
}

/// One time-stamp token of the package, as verified.
struct Stamped {
    file: String,
    seq: u64,
    trusted: bool,
    gen_time: String,
    gen_unix: i64,
    tsa: String,
}

/// Every `timestamps/*.tsr`: the token must stamp the chain head after the step its name
/// gives (SHA-256 or SM3 imprint), answer its request when the request is kept, and verify as
/// of its genTime; then every step gets the earliest trusted time that covers it.
/// `pending`: judged before the seal step of a capture whose seal step will be time-stamped,
/// so a step not covered yet is covered by those later time-stamps rather than missing
/// trusted time.
pub(crate) fn timestamp_checks(
    src: &dyn PackageSource,
    heads: &[Digests],
    policy: &Policy,
    pending: bool,
    report: &mut Report,
) {
    let names: Vec<String> = src
        .entries()
        .iter()
        .filter(|e| layout::is_token(&e.name))
        .map(|e| e.name.clone())
        .collect();
    if names.is_empty() {
        no_tokens(policy, pending, report);
        return;
    }
    let trust = Trust {
        anchors: policy.trusted_tsa.clone(),
        ..Trust::default()
    };
    let stamped: Vec<Stamped> = names
        .into_iter()
        .filter_map(|name| step_token_check(src, name, heads, &trust, report))
        .collect();
    // Coverage: step i existed no later than the earliest trusted genTime of a token over a
    // head at or after i.
    let mut time = Vec::with_capacity(heads.len());
    for i in 0..heads.len() as u64 {
        let best = stamped
            .iter()
            .filter(|t| t.trusted && t.seq >= i)
            .min_by_key(|t| t.gen_unix);
        time.push(StepTime {
            seq: i,
            not_after: best.map(|t| t.gen_time.clone()),
            not_after_unix: best.map(|t| t.gen_unix),
            tsa: best.map(|t| t.tsa.clone()),
            token: best.map(|t| t.file.clone()),
        });
    }
    let (verdict, why) = coverage(&time, pending);
    report.push(CheckId::TimestampCoverage, coverage_subject(), verdict, why);
    report.time = time;
}

/// What `timestamp.coverage` is about: the folder of time-stamps (`timestamps/`).
fn coverage_subject() -> String {
    format!("{}/", layout::TIMESTAMPS_DIR)
}

/// `timestamp.coverage` of a package without time-stamps: like a missing receipt, only a
/// verifier that trusts no TSA expects none.
fn no_tokens(policy: &Policy, pending: bool, report: &mut Report) {
    if pending && policy.trusted_tsa.is_empty() {
        report.push(CheckId::TimestampCoverage, coverage_subject(), Verdict::Untrusted, Why::new("no time-stamps yet, and no time-stamp authority is trusted: those over the seal step will not be trusted either", msg!("msg-time-pending-untrusted")));
    } else if pending {
        report.pass(CheckId::TimestampCoverage, coverage_subject(), Why::new("no time-stamps yet: those over the seal step, requested after this, cover every step", msg!("msg-time-pending").arg("covered", "—")));
    } else if policy.trusted_tsa.is_empty() {
        report.pass(CheckId::TimestampCoverage, coverage_subject(), Why::new("no RFC 3161 time-stamps: the times in this package are the capture machine's clock only", msg!("msg-no-timestamps")));
    } else {
        report.push(CheckId::TimestampCoverage, coverage_subject(), Verdict::Untrusted, Why::new("no RFC 3161 time-stamps, though time-stamp authorities are configured as trusted: the times in this package are the capture machine's clock only", msg!("msg-no-timestamps-trusted")));
    }
}

/// A token file, read and parsed (a TimeStampResp, or the bare token).
pub(crate) fn read_token(src: &dyn PackageSource, name: &str) -> Result<Token, Why> {
    let bytes = src.read_all(name, 1 << 20).map_err(|e| Why::of(&e))?;
    webproof_timestamp::parse_response(&bytes)
        .or_else(|_| webproof_timestamp::parse_token(&bytes))
        .map_err(|e| Why::of(&e).under(key!("msg-not-token"), "not a time-stamp token"))
}

/// The request kept beside a token (`X.tsq` beside `X.tsr`).
pub(crate) enum Kept {
    /// None is kept.
    None,
    /// It asks for the imprint expected, with this nonce.
    Asks(Option<Vec<u8>>),
    /// It is not a request, or asks for another imprint: its file and why.
    Wrong(String, Why),
}

/// The request kept beside token `name`, judged against `imprint` under `alg`.
pub(crate) fn kept_request(
    src: &dyn PackageSource,
    name: &str,
    alg: HashAlg,
    imprint: &[u8],
) -> Kept {
    let tsq = format!("{}.tsq", name.trim_end_matches(".tsr"));
    let Ok(q) = src.read_all(&tsq, 64 << 10) else {
        return Kept::None;
    };
    match webproof_timestamp::Request::from_der(&q) {
        Ok(r) if r.alg == alg && r.imprint == imprint => Kept::Asks(r.nonce),
        Ok(_) => Kept::Wrong(
            tsq,
            Why::new(
                "the request kept beside the token asks for another imprint",
                msg!("msg-token-request-mismatch"),
            ),
        ),
        Err(e) => Kept::Wrong(
            tsq,
            Why::of(&e).under(key!("msg-not-request"), "not a time-stamp request"),
        ),
    }
}

/// One token over a chain head (`timestamp.token`): what it establishes, unless it is invalid.
fn step_token_check(
    src: &dyn PackageSource,
    name: String,
    heads: &[Digests],
    trust: &Trust,
    report: &mut Report,
) -> Option<Stamped> {
    match verify_step_token(src, &name, heads, trust) {
        Ok((seq, alg, v)) => token_verdict(name, seq, alg, &v, report),
        Err((file, why)) => {
            report.fail(CheckId::TimestampToken, file.unwrap_or(name), why);
            None
        }
    }
}

/// Reads token `name` and verifies it over the chain head of the step its name says (and
/// against its kept request, if any): the step, the imprint's algorithm and the verdict; or
/// why not, with the file to blame when it is not the token (its request).
fn verify_step_token(
    src: &dyn PackageSource,
    name: &str,
    heads: &[Digests],
    trust: &Trust,
) -> Result<(u64, HashAlg, Verification), (Option<String>, Why)> {
    let seq = layout::timestamp_seq(name).ok_or_else(|| {
        let why = Why::new(
            "the file name does not say which step it stamps",
            msg!("msg-token-name"),
        );
        (None, why)
    })?;
    let head = heads.get(seq as usize).ok_or_else(|| {
        let why = Why::new(
            format!("stamps step {seq}, which the journal does not have"),
            msg!("msg-token-no-step").arg("seq", seq),
        );
        (None, why)
    })?;
    let token = read_token(src, name).map_err(|why| (None, why))?;
    let alg = token.info.imprint_alg;
    let digest = match alg {
        HashAlg::Sha256 => head.sha256.0.to_vec(),
        HashAlg::Sm3 => head.sm3.0.to_vec(),
        other => {
            let why = Why::new(
                format!(
                    "stamps a {} imprint; chain heads are SHA-256 and SM3",
                    other.name()
                ),
                msg!("msg-token-imprint-alg").arg("alg", other.name()),
            );
            return Err((None, why));
        }
    };
    let nonce = match kept_request(src, name, alg, &digest) {
        Kept::Asks(nonce) => nonce,
        Kept::Wrong(tsq, why) => return Err((Some(tsq), why)),
        Kept::None => None,
    };
    let expect = Expect {
        imprint: Some((alg, digest)),
        nonce,
    };
    Ok((seq, alg, webproof_timestamp::verify(&token, &expect, trust)))
}

/// Reports a step token's verdict; what it establishes unless it is invalid.
fn token_verdict(
    name: String,
    seq: u64,
    alg: HashAlg,
    v: &Verification,
    report: &mut Report,
) -> Option<Stamped> {
    let tsa = v.signer.clone().unwrap_or_else(|| "unknown signer".into());
    let dev = if tsa.contains(webproof_timestamp::DEV_MARK) {
        "development TSA, "
    } else {
        ""
    };
    let acc = v
        .info
        .accuracy_micros
        .map(|a| format!(" ±{} ms", a as f64 / 1000.0))
        .unwrap_or_default();
    let what = format!(
        "{tsa}: {} imprint of the chain head after step {seq}, genTime {}{acc}",
        alg.name(),
        v.info.gen_time
    );
    match v.verdict {
        TsVerdict::Trusted => report.pass(
            CheckId::TimestampToken,
            name.clone(),
            Why::new(
                format!("{what}; trusted"),
                msg!("msg-token-trusted")
                    .arg("tsa", &tsa)
                    .arg("seq", seq)
                    .arg("time", &v.info.gen_time),
            ),
        ),
        TsVerdict::Untrusted => report.push(
            CheckId::TimestampToken,
            name.clone(),
            Verdict::Untrusted,
            Why::new(
                format!("{what}; {dev}not trusted: {}", v.reason),
                untrusted_token(&tsa, seq, v),
            ),
        ),
        TsVerdict::Invalid => {
            let why = Why::new(format!("invalid: {}", v.reason), invalid_token(v));
            report.fail(CheckId::TimestampToken, name, why);
            return None;
        }
    }
    Some(Stamped {
        file: name,
        seq,
        trusted: v.verdict == TsVerdict::Trusted,
        gen_time: v.info.gen_time.clone(),
        gen_unix: v.info.gen_time_unix,
        tsa,
    })
}

/// `timestamp.coverage`: which trusted time covers which steps, as runs of steps with the
/// same time (`steps 0-3: not after <time> (<tsa>)`). Every step covered passes; so does a
/// capture about to be sealed (`pending`), whose seal step's time-stamps will cover the rest.
fn coverage(time: &[StepTime], pending: bool) -> (Verdict, Why) {
    let ranges = time_runs(time);
    let all = time.iter().all(|t| t.not_after.is_some());
    let verdict = if all || pending {
        Verdict::Pass
    } else {
        Verdict::Untrusted
    };
    let detail = ranges
        .iter()
        .map(|(a, b, l)| {
            let steps = if a == b {
                format!("step {a}")
            } else {
                format!("steps {a}-{b}")
            };
            format!(
                "{steps}: {}",
                l.as_deref().unwrap_or("no trusted time-stamp")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let detail = if pending && !all {
        format!(
            "{detail}; the time-stamps over the seal step, requested after this, cover the steps without one"
        )
    } else {
        detail
    };
    let key = if all {
        key!("msg-time-covered")
    } else if pending {
        key!("msg-time-pending")
    } else {
        key!("msg-time-partly-covered")
    };
    (
        verdict,
        Why::new(detail, coverage_words(key, &ranges, time)),
    )
}

/// A run of steps with the same trusted time: first step, last step, `not after <time>
/// (<tsa>)` or `None` for steps no trusted time covers.
type Run = (u64, u64, Option<String>);

fn time_runs(time: &[StepTime]) -> Vec<Run> {
    let mut ranges: Vec<Run> = Vec::new();
    for t in time {
        let label = t
            .not_after
            .as_ref()
            .map(|n| format!("not after {n} ({})", t.tsa.as_deref().unwrap_or("")));
        match ranges.last_mut() {
            Some((_, end, l)) if *l == label && *end + 1 == t.seq => *end = t.seq,
            _ => ranges.push((t.seq, t.seq, label)),
        }
    }
    ranges
}

/// The coverage in words any language can wrap: `0–3 ≤ <time> (<tsa>)`, uncovered steps
/// apart.
fn coverage_words(key: Key, ranges: &[Run], time: &[StepTime]) -> Message {
    let span = |a: u64, b: u64| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        }
    };
    let covered: Vec<String> = ranges
        .iter()
        .filter(|(_, _, l)| l.is_some())
        .map(|(a, b, _)| {
            let t = time.iter().find(|t| t.seq == *a);
            format!(
                "{} ≤ {} ({})",
                span(*a, *b),
                t.and_then(|t| t.not_after.as_deref()).unwrap_or(""),
                t.and_then(|t| t.tsa.as_deref()).unwrap_or("")
            )
        })
        .collect();
    let uncovered: Vec<String> = ranges
        .iter()
        .filter(|(_, _, l)| l.is_none())
        .map(|(a, b, _)| span(*a, *b))
        .collect();
    let covered = if covered.is_empty() {
        "—".into()
    } else {
        covered.join("; ")
    };
    Message::new(key)
        .arg("covered", covered)
        .arg("uncovered", uncovered.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_evidence::package::{DirSource, Limits};
    use webproof_timestamp::{Problem, TokenInfo, Verdict as V};

    fn verification(problem: Option<Problem>) -> Verification {
        Verification {
            verdict: V::Untrusted,
            reason: String::new(),
            problem,
            info: TokenInfo {
                gen_time: "2026-12-05T10:00:00Z".into(),
                gen_time_unix: 1_796_464_800,
                gen_time_micros: 1_796_464_800_000_000,
                policy: "1.2.3".into(),
                serial: "1".into(),
                imprint_alg: HashAlg::Sha256,
                imprint: "00".into(),
                nonce: None,
                accuracy_micros: None,
                ordering: false,
                tsa_name: None,
            },
            signer: None,
            chain: Vec::new(),
        }
    }

    #[test]
    fn an_untrusted_token_says_why_unless_it_is_only_the_missing_chain() {
        let pinned = Problem::NotPinned {
            subject: "CN=a".into(),
            pinned: "CN=b".into(),
        };
        let m = untrusted_token("Test TSA", 3, &verification(Some(pinned.clone())));
        assert_eq!(m.key, "msg-token-untrusted");
        assert_eq!(m.args["tsa"], "Test TSA");
        assert_eq!(m.args["seq"], "3");
        assert_eq!(m.args["time"], "2026-12-05T10:00:00Z");
        assert_eq!(m.cause.as_deref(), Some(&pinned.message()));
        // No chain to a trusted TSA is what "untrusted" says already.
        let m = untrusted_token("Test TSA", 3, &verification(Some(Problem::NoChain)));
        assert_eq!((m.key.as_str(), m.cause), ("msg-token-untrusted", None));
        let m = untrusted_token("Test TSA", 3, &verification(None));
        assert_eq!(m.cause, None);
    }

    #[test]
    fn an_invalid_token_says_why() {
        let m = invalid_token(&verification(Some(Problem::ContentChanged)));
        assert_eq!(m.key, "msg-token-invalid");
        assert_eq!(m.cause.as_deref(), Some(&Problem::ContentChanged.message()));
        let m = invalid_token(&verification(None));
        assert_eq!((m.key.as_str(), m.cause), ("msg-token-invalid", None));
    }

    /// A package directory holding `timestamps/0.tsq` (when given).
    fn with_request(tsq: Option<&[u8]>) -> (tempfile::TempDir, DirSource) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("timestamps")).unwrap();
        std::fs::write(dir.path().join("timestamps/0.tsr"), b"token").unwrap();
        if let Some(q) = tsq {
            std::fs::write(dir.path().join("timestamps/0.tsq"), q).unwrap();
        }
        let src = DirSource::open(dir.path(), &Limits::default()).unwrap();
        (dir, src)
    }

    #[test]
    fn the_kept_request_must_ask_for_this_imprint_under_this_algorithm() {
        let imprint = [7u8; 32];
        let q =
            webproof_timestamp::request(HashAlg::Sha256, &imprint, Some(vec![1, 2]), None).unwrap();
        let (_d, src) = with_request(Some(&q.der));
        let kept = |alg, imprint: &[u8]| kept_request(&src, "timestamps/0.tsr", alg, imprint);
        assert!(matches!(kept(HashAlg::Sha256, &imprint), Kept::Asks(Some(n)) if n == [1, 2]));
        // The same bytes under another algorithm of the same length, or another imprint.
        assert!(
            matches!(kept(HashAlg::Sm3, &imprint), Kept::Wrong(f, _) if f == "timestamps/0.tsq")
        );
        assert!(matches!(kept(HashAlg::Sha256, &[8u8; 32]), Kept::Wrong(..)));
        // Not a request at all; none kept.
        let (_d, src) = with_request(Some(b"not DER"));
        assert!(matches!(
            kept_request(&src, "timestamps/0.tsr", HashAlg::Sha256, &imprint),
            Kept::Wrong(_, w) if w.message.key == "msg-not-request"
        ));
        let (_d, src) = with_request(None);
        assert!(matches!(
            kept_request(&src, "timestamps/0.tsr", HashAlg::Sha256, &imprint),
            Kept::None
        ));
    }

    fn step(seq: u64, at: Option<&str>) -> StepTime {
        StepTime {
            seq,
            not_after: at.map(str::to_owned),
            not_after_unix: at.map(|_| 0),
            tsa: at.map(|_| "TSA".into()),
            token: at.map(|_| format!("timestamps/{seq}.tsr")),
        }
    }

    #[test]
    fn steps_with_the_same_trusted_time_make_one_run_only_when_consecutive() {
        let (ta, tb) = ("2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z");
        let (a, b) = (Some(ta), Some(tb));
        let time = [
            step(0, a),
            step(1, a),
            step(2, a),
            step(3, b),
            step(4, None),
        ];
        let label = |t: &str| Some(format!("not after {t} (TSA)"));
        assert_eq!(
            time_runs(&time),
            vec![(0, 2, label(ta)), (3, 3, label(tb)), (4, 4, None)]
        );
        // A gap in the steps starts a new run even under the same time.
        assert_eq!(
            time_runs(&[step(0, a), step(2, a)]),
            vec![(0, 0, label(ta)), (2, 2, label(ta))]
        );
        let m = coverage_words(key!("msg-time-partly-covered"), &time_runs(&time), &time);
        assert_eq!(
            m.args["covered"],
            "0–2 ≤ 2026-12-05T10:00:00Z (TSA); 3 ≤ 2026-12-05T11:00:00Z (TSA)"
        );
        assert_eq!(m.args["uncovered"], "4");
        let none = [step(0, None), step(1, None), step(2, a)];
        let m = coverage_words(key!("msg-time-partly-covered"), &time_runs(&none), &none);
        assert_eq!(
            (m.args["covered"].as_str(), m.args["uncovered"].as_str()),
            ("2 ≤ 2026-12-05T10:00:00Z (TSA)", "0–1")
        );
    }

    #[test]
    fn coverage_mentions_the_pending_seal_tokens_only_when_steps_lack_time() {
        let a = Some("2026-12-05T10:00:00Z");
        let full = [step(0, a), step(1, a)];
        let part = [step(0, a), step(1, None)];
        let note = "the time-stamps over the seal step";
        let (v, w) = coverage(&full, true);
        assert_eq!(
            (v, w.message.key.as_str()),
            (Verdict::Pass, "msg-time-covered")
        );
        assert!(!w.text.contains(note), "{}", w.text);
        let (v, w) = coverage(&part, true);
        assert_eq!(
            (v, w.message.key.as_str()),
            (Verdict::Pass, "msg-time-pending")
        );
        assert!(w.text.contains(note), "{}", w.text);
        let (v, w) = coverage(&part, false);
        assert_eq!(
            (v, w.message.key.as_str()),
            (Verdict::Untrusted, "msg-time-partly-covered")
        );
        assert!(!w.text.contains(note), "{}", w.text);
        assert_eq!(
            w.text,
            "step 0: not after 2026-12-05T10:00:00Z (TSA); step 1: no trusted time-stamp"
        );
    }
}
