//! Notaries as the people they are (issue 19): a notary keeps their own WEBPROOF_HOME, enrolls
//! there with a code the registrar issued for a notary, and gets a certificate naming the
//! notary's role; packages the notary countersigns carry it, and `verify` names the notary as
//! certified by the alliance.

use crate::alliance::DevUp;
use crate::util::*;

pub(crate) fn check<'a>(c: &'a [serde_json::Value], id: &str) -> (&'a str, &'a str) {
    c.iter()
        .find(|x| x["id"] == id)
        .map(|x| {
            (
                x["verdict"].as_str().unwrap(),
                x["detail"].as_str().unwrap(),
            )
        })
        .unwrap_or(("absent", ""))
}

/// A notary's identity in `notary`'s own home (王公证 of 杭州互联网公证处, with a key of `alg`);
/// its fingerprint.
pub(crate) fn init_notary(notary: &Env, alg: &str) -> String {
    notary.ok(
        &[
            "operator",
            "init",
            "--role",
            "notary",
            "--algorithm",
            alg,
            "--name",
            "王公证",
            "--org",
            "杭州互联网公证处",
        ],
        0,
    );
    notary
        .ok(
            &["operator", "show", "--role", "notary", "--fingerprint"],
            0,
        )
        .trim()
        .to_owned()
}

/// The development registrar of `operator`'s `dev up` issues a notary's code for the key
/// `nfp`, and the notary enrolls with it from their own home.
fn enroll_notary(operator: &Env, notary: &Env, dev: &DevUp, nfp: &str) {
    let code = code_in(&operator.ok(
        &[
            "dev",
            "code",
            "--name",
            "王公证",
            "--org",
            "杭州互联网公证处",
            "--role",
            "notary",
            "--fingerprint",
            nfp,
        ],
        0,
    ));
    notary.ok(
        &[
            "operator",
            "enroll",
            "--role",
            "notary",
            "--log",
            &dev.log_url,
            "--code",
            &code,
        ],
        0,
    );
}

/// The notary joins the session of `join`, says yes to "present", and is gone (killed) while
/// asked to countersign: no answer, no refusal.
fn drop_out_after_present(notary: &Env, join: &str) {
    use std::io::{BufRead, Write};
    let mut first = notary
        .cmd()
        .args(["supervise", join])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(b"yes\n").unwrap();
    let mut out = std::io::BufReader::new(first.stdout.take().unwrap()).lines();
    loop {
        let l = out
            .next()
            .expect("the notary is asked to countersign")
            .unwrap();
        if l.starts_with("sign \"countersign\"") {
            break;
        }
    }
    first.kill().unwrap();
    let _ = first.wait();
    drop(stdin);
}

/// The code in `dev code`'s or `ra code`'s answer.
pub(crate) fn code_in(out: &str) -> String {
    out.split_whitespace()
        .find(|w| w.len() > 20 && w.contains('-'))
        .unwrap_or_else(|| panic!("no code in {out}"))
        .to_owned()
}

#[test]
fn a_notary_enrolls_in_their_own_home_and_countersigns_as_a_certified_notary() {
    let (operator, notary) = (Env::new(), Env::new());
    let op_fpr = operator.init_operator("ed25519");
    let dev = DevUp::start(&operator);
    let nfp = init_notary(&notary, "sm2");
    // The registrar (here the development one) issues a notary's code bound to the key.
    let out = operator.ok(
        &[
            "dev",
            "code",
            "--name",
            "王公证",
            "--org",
            "杭州互联网公证处",
            "--role",
            "notary",
            "--fingerprint",
            &nfp,
        ],
        0,
    );
    let code = code_in(&out);
    // A notary's code (this one bound to no key): an operator cannot enroll with it.
    let unbound =
        code_in(&operator.ok(&["dev", "code", "--name", "王公证", "--role", "notary"], 0));
    let other = Env::new();
    other.init_operator("ed25519");
    let o = other.run(&[
        "operator",
        "enroll",
        "--log",
        &dev.log_url,
        "--code",
        &unbound,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("for a notary"), "{err}");
    // The notary enrolls from their own home: only the public key leaves it.
    let out = notary.ok(
        &[
            "operator",
            "enroll",
            "--role",
            "notary",
            "--log",
            &dev.log_url,
            "--code",
            &code,
        ],
        0,
    );
    assert!(
        out.contains("certified as notary 王公证 (杭州互联网公证处)"),
        "{out}"
    );
    let cert = notary.home().join("notary/certificate.pem");
    let o = tool(
        "openssl",
        &[
            "x509",
            "-in",
            cert.to_str().unwrap(),
            "-noout",
            "-ext",
            "certificatePolicies",
        ],
        notary.path(),
    );
    let policies = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        policies.contains("Policy: 2.25.69257284516704912422874150880086036780.1.2"),
        "{policies}"
    );

    // A package the notary countersigns carries the certificate; under the alliance's trust
    // (config.toml of `dev up`: its operator CA) the notary is named as a certified notary
    // without the notary's key being pinned.
    let f = operator.write("contract.txt", "合同正文".as_bytes());
    let o = operator
        .cmd()
        .env("WEBPROOF_NOTARY_PASSPHRASE", PASS)
        .args([
            "seal",
            f.to_str().unwrap(),
            "--out",
            "n.wacz",
            "--notary-home",
            notary.home().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        entry(&operator.path().join("n.wacz"), "identity/notary.cert.pem"),
        std::fs::read(&cert).unwrap()
    );
    let c = checks(&operator, &["n.wacz"], 0);
    let (v, d) = check(&c, "identity.notary");
    assert_eq!(v, "pass", "{d}\n{c:#?}");
    assert!(d.contains("王公证"), "{d}");
    let (v, d) = check(&c, "identity.operator");
    assert_eq!(v, "pass", "{d}");
    assert!(!d.contains(&nfp), "{d}");
    let _ = op_fpr;
}

/// The TSA URLs and roots `dev up` wrote into `env`'s config.toml.
fn dev_tsas(env: &Env) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(env.home().join("config.toml")).unwrap();
    let list = |key: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{key} = [")))
            .unwrap_or_else(|| panic!("no {key} in {text}"));
        serde_json::from_str(line.split_once(" = ").unwrap().1).unwrap()
    };
    (list("tsa"), list("trust"))
}

/// A notary who did not supervise reviews a sealed package in their own home and countersigns
/// a copy; `verify` reports the countersignature after review apart from live supervision,
/// standard tools check it, and what a notary must not countersign is refused.
#[test]
fn a_notary_countersigns_a_sealed_package_after_review() {
    let (operator, notary) = (Env::new(), Env::new());
    operator.init_operator("ed25519");
    let dev = DevUp::start(&operator);
    let nfp = init_notary(&notary, "ed25519");
    enroll_notary(&operator, &notary, &dev, &nfp);
    let sample = samples()[0].display().to_string();
    operator.ok(&["seal", &sample, "--out", "s.wacz"], 0);
    let sealed = operator.path().join("s.wacz");
    let bundle = operator.home().join("dev/trust-bundle.json");
    let (tsas, roots) = dev_tsas(&operator);
    let before = std::fs::read(&sealed).unwrap();

    // The operator cannot countersign: this home holds no notary.
    let o = operator.run(&[
        "countersign",
        "s.wacz",
        "--out",
        "r.wacz",
        "--statement",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("notary"));

    // The notary reviews under the alliance's trust: verdict, steps, then the countersignature.
    let o = notary
        .cmd()
        .args([
            "countersign",
            sealed.to_str().unwrap(),
            "--out",
            "r.wacz",
            "--statement",
            "已审查全部步骤与截图，与所述一致",
            "--trust-bundle",
            bundle.to_str().unwrap(),
            "--tsa",
            &tsas[0],
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(": VERIFIED under your trust; its steps:"),
        "{err}"
    );
    assert!(
        err.contains("#0   ") && err.contains("  file ") && err.contains("  seal "),
        "{err}"
    );
    assert!(err.contains("review 1 stamped by"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("review 1 added (the package was VERIFIED"),
        "{out}"
    );
    let reviewed = notary.path().join("r.wacz");
    assert_eq!(
        std::fs::read(&sealed).unwrap(),
        before,
        "the original is left as it is"
    );

    // Verified under the alliance's trust: countersigned after review by a certified notary,
    // at trusted time; the package's own verdict is unchanged.
    let c = checks(&operator, &[reviewed.to_str().unwrap()], 0);
    let (v, d) = check(&c, "review.time");
    assert_eq!(v, "pass", "{d}");
    assert!(
        d.starts_with("countersigned after review by 王公证 (杭州互联网公证处) no later than")
            && d.contains("已审查全部步骤与截图"),
        "{d}"
    );
    let (v, d) = check(&c, "review.identity");
    assert_eq!(v, "pass", "{d}");
    assert!(d.contains("tenant dev"), "{d}");
    assert_eq!(
        check(&c, "identity.notary").0,
        "absent",
        "no live supervision is claimed"
    );
    // In Chinese too.
    let zh = operator
        .cmd()
        .env("WEBPROOF_LANG", "zh-CN")
        .args(["verify", reviewed.to_str().unwrap()])
        .output()
        .unwrap();
    let zh = String::from_utf8_lossy(&zh.stdout);
    assert!(
        zh.contains("经 王公证 (杭州互联网公证处) 审查后会签"),
        "{zh}"
    );

    // Standard tools: the statement's signature, the manifest it names, the token over it.
    let dir = notary.path().join("x");
    unzip(&reviewed, &dir);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verify-by-hand.sh");
    let o = std::process::Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .env("TSA_ROOTS", roots.join(":"))
        .current_dir(&dir)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.status.success() && said.contains("ALL CHECKS PASSED"),
        "{said}"
    );
    assert!(
        said.contains("reviews/001.json: notary ed25519 signature over the statement verifies"),
        "{said}"
    );
    // One changed byte of the statement: both verifiers refuse it.
    let st = dir.join("reviews/001.json");
    let text = std::fs::read_to_string(&st).unwrap();
    std::fs::write(&st, text.replace("一致", "不一致")).unwrap();
    let o = std::process::Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let c = checks(&notary, &[dir.to_str().unwrap()], 1);
    assert_eq!(check(&c, "review.signature").0, "fail");

    // A package that fails is not countersigned.
    let mut bytes = std::fs::read(&sealed).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 1;
    notary.write("bad.wacz", &bytes);
    let o = notary.run(&[
        "countersign",
        "bad.wacz",
        "--out",
        "bad-r.wacz",
        "--statement",
        "x",
        "--tsa",
        &tsas[0],
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("a notary does not countersign it"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!notary.path().join("bad-r.wacz").exists());
}

/// `seal --supervised` of a file, started in `operator`'s home (in the background), and the
/// join code it shows; its stderr lines go on being collected.
pub(crate) fn supervised_seal(
    operator: &Env,
    out: &str,
) -> (Reaped, String, std::sync::mpsc::Receiver<String>) {
    let f = operator.write("evidence.txt", "截图所示页面".as_bytes());
    supervised(operator, &["seal", f.to_str().unwrap(), "--out", out])
}

/// `args` with `--supervised`, started in `operator`'s home (in the background), and the join
/// code it shows; its stderr lines go on being collected.
pub(crate) fn supervised(
    operator: &Env,
    args: &[&str],
) -> (Reaped, String, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = operator
        .cmd()
        .args(args)
        .args(["--supervised", "--supervise-wait", "60"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    let code = loop {
        let l = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("--supervised shows a join code");
        if let Some(c) = l.strip_prefix("join code for the notary") {
            break c.rsplit(' ').next().unwrap().to_owned();
        }
    };
    (Reaped(child), code, rx)
}

/// `webproof supervise CODE` in the notary's home, answering with `answers` (one per line).
pub(crate) fn supervise(notary: &Env, code: &str, answers: &str) -> std::process::Output {
    use std::io::Write;
    let mut c = notary
        .cmd()
        .args(["supervise", code, "--retry-for", "20"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    c.wait_with_output().unwrap()
}

/// Live supervision from the command line: the notary, in their own home, joins the operator's
/// `seal --supervised` with the join code, is shown each step, states their presence and
/// countersigns; the package verifies as supervised live by that notary. A notary who refuses
/// makes a package that verifies as "notary refused: <reason>".
#[test]
fn a_notary_supervises_a_seal_live_from_another_home_or_refuses() {
    let (operator, notary) = (Env::new(), Env::new());
    let op = operator.init_operator("ed25519");
    let nfp = init_notary(&notary, "sm2");
    let (mut seal, code, _err) = supervised_seal(&operator, "s.wacz");
    let o = supervise(&notary, &code, "yes\nyes\n");
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(said.contains("step 0: file"), "{said}");
    assert!(said.contains("step 3: seal"), "{said}");
    assert!(said.contains("the operator ended the session"), "{said}");
    assert!(seal.0.wait().unwrap().success());
    let trust = ["--trust-operator", &op, "--trust-notary", &nfp];
    let mut args = vec!["s.wacz"];
    args.extend(trust);
    let c = checks(&operator, &args, 0);
    let (v, d) = check(&c, "supervision.live");
    assert_eq!(v, "pass", "{d}");
    assert!(
        d.starts_with("supervised live by notary 王公证 (杭州互联网公证处) from step 1"),
        "{d}"
    );
    assert_eq!(check(&c, "signature.notary").0, "pass");

    // The notary refuses at the countersignature: recorded, and the package says so.
    let (mut seal, code, _err) = supervised_seal(&operator, "r.wacz");
    let o = supervise(
        &notary,
        &code,
        "yes\nthe page is not the shop named in the application\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(seal.0.wait().unwrap().success());
    let mut args = vec!["r.wacz"];
    args.extend(trust);
    let c = checks(&operator, &args, 4);
    let (v, d) = check(&c, "supervision.live");
    assert_eq!(v, "finding", "{d}");
    assert!(
        d.starts_with("notary refused: the page is not the shop named in the application"),
        "{d}"
    );
    assert_eq!(check(&c, "signature.notary").0, "absent");
}

/// The notary's webproof loses the connection mid-session (killed) and joins again: the session
/// is shown again, and the request still open is answered.
#[test]
fn a_notary_who_drops_out_joins_again_and_reviews_what_happened_meanwhile() {
    let (operator, notary) = (Env::new(), Env::new());
    operator.init_operator("ed25519");
    init_notary(&notary, "ed25519");
    let (mut seal, code, _err) = supervised_seal(&operator, "s.wacz");
    // The notary says yes to "present", then is gone while asked to countersign.
    drop_out_after_present(&notary, &code);
    // Back: shown what it had not seen, and asked again.
    let o = supervise(&notary, &code, "yes\n");
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(said.contains("step 0: file"), "{said}");
    assert!(said.contains("sign \"countersign\""), "{said}");
    assert!(seal.0.wait().unwrap().success());
    let c = checks(&operator, &["s.wacz"], 3);
    assert_eq!(check(&c, "supervision.live").0, "pass");
}

/// Issue 19's end-to-end case: two homes and the `dev up` alliance; the enrolled notary
/// supervises a capture of the demo site, drops out and joins again; the package verifies under
/// the alliance's trust as supervised live by a certified notary.
#[test]
fn a_certified_notary_supervises_a_capture_of_the_demo_site_across_a_drop() {
    let base = crate::site::serve();
    let (operator, notary) = (Env::new(), Env::new());
    operator.init_operator("ed25519");
    let dev = DevUp::start(&operator);
    let nfp = init_notary(&notary, "sm2");
    enroll_notary(&operator, &notary, &dev, &nfp);
    let url = format!("{base}/index.html");
    let (mut capture, join, _err) = supervised(
        &operator,
        &[
            "capture",
            &url,
            "--out",
            "c.wacz",
            "--headless",
            "--no-video",
            "--stamp-every",
            "1",
        ],
    );
    // The notary states presence after step 0, watches (its webproof countersigning each
    // checkpoint as it comes), and drops out before the end.
    drop_out_after_present(&notary, &join);
    // Back on another connection: shown the session again, and countersigns.
    let o = supervise(&notary, &join, "yes\n");
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(said.contains("step 0: environment"), "{said}");
    assert!(said.contains(&url), "{said}");
    // The notary was shown each screenshot, kept in their home: the very bytes of the package.
    let picture = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("picture: "))
        .unwrap_or_else(|| panic!("no picture shown: {said}"))
        .to_owned();
    assert!(
        picture.starts_with(notary.home().to_str().unwrap()),
        "{picture}"
    );
    let shown = std::fs::read(&picture).unwrap();
    assert!(shown.starts_with(b"\x89PNG"), "{picture}");
    assert!(capture.0.wait().unwrap().success());
    // Under the alliance's trust (config.toml): supervised live by a certified notary.
    let c = checks(&operator, &["c.wacz"], 0);
    let (v, d) = check(&c, "supervision.live");
    assert_eq!(v, "pass", "{d}");
    assert!(
        d.starts_with("supervised live by notary 王公证 (杭州互联网公证处) from step 1"),
        "{d}"
    );
    let (v, d) = check(&c, "identity.notary");
    assert_eq!(v, "pass", "{d}");
    assert!(d.contains("tenant dev"), "{d}");
    let screenshots: Vec<Vec<u8>> = journal(&operator.path().join("c.wacz"))
        .iter()
        .flat_map(|r| r["artifacts"].as_array().cloned().unwrap_or_default())
        .filter(|a| a["media_type"] == "image/png")
        .map(|a| entry(&operator.path().join("c.wacz"), a["path"].as_str().unwrap()))
        .collect();
    assert!(
        screenshots.contains(&shown),
        "the picture shown is a screenshot of the package"
    );
    // Checkpoints countersigned by the notary's webproof while the capture went on: each a
    // statement about an earlier chain head, listed by supervision.live.
    let events: Vec<String> = journal(&operator.path().join("c.wacz"))
        .iter()
        .filter(|r| r["kind"] == "supervision")
        .map(|r| r["params"]["event"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        events.first().map(String::as_str),
        Some("present"),
        "{events:?}"
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("countersign"),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e == "checkpoint"), "{events:?}");
    let (_, d) = check(&c, "supervision.live");
    let steps = d
        .split("chain heads countersigned after steps ")
        .nth(1)
        .and_then(|t| t.split(';').next())
        .unwrap_or_default();
    assert!(steps.split(", ").count() >= 2, "{d}");
    let statements = c
        .iter()
        .filter(|c| c["id"] == "supervision.statement" && c["verdict"] == "pass")
        .count();
    assert_eq!(statements, events.len(), "every statement holds");
}
