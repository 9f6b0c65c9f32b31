//! Notaries as the people they are (issue 19): a notary keeps their own WEBPROOF_HOME, enrolls
//! there with a code the registrar issued for a notary, and gets a certificate naming the
//! notary's role; packages the notary countersigns carry it, and `verify` names the notary as
//! certified by the alliance.

use crate::alliance::DevUp;
use crate::util::*;

fn check<'a>(c: &'a [serde_json::Value], id: &str) -> (&'a str, &'a str) {
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

/// The code in `dev code`'s or `ra code`'s answer.
fn code_in(out: &str) -> String {
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
    notary.ok(
        &[
            "operator",
            "init",
            "--role",
            "notary",
            "--algorithm",
            "sm2",
            "--name",
            "王公证",
            "--org",
            "杭州互联网公证处",
        ],
        0,
    );
    let nfp = notary
        .ok(
            &["operator", "show", "--role", "notary", "--fingerprint"],
            0,
        )
        .trim()
        .to_owned();
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
