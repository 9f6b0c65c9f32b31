//! Real-name enrollment as the people involved run it, each in their own WEBPROOF_HOME: the
//! log's admin starts `log serve --admin-key`, adds a registrar; the registrar, having checked
//! the operator's identity, issues a code bound to the operator's key and salted ID reference;
//! the operator enrolls and seals; the certificate verifies with OpenSSL and identifies the
//! operator to `webproof verify`; a reused code, an unknown operator and a revoked operator
//! are refused, and the verifier shows the revocation.

use crate::util::*;
use crate::witness::serve;

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

#[test]
fn registrar_code_enrollment_certificate_and_revocation() {
    let (admin, registrar, operator, stranger) = (Env::new(), Env::new(), Env::new(), Env::new());
    admin.init_operator("ed25519");
    registrar.init_operator("sm2");
    let op_fpr = operator.init_operator("ed25519");
    stranger.init_operator("ed25519");
    let admin_id = admin.home().join("operator/identity.json");
    let (_log, url, vkey) = serve(
        &admin,
        &[
            "log",
            "serve",
            "--origin",
            "log.enroll.test/evidence",
            "--listen",
            "127.0.0.1:0",
            "--interval-ms",
            "200",
            "--admin-key",
            admin_id.to_str().unwrap(),
        ],
    );
    let registrar_id = registrar.home().join("operator/identity.json");
    // Only the admin adds registrars.
    let o = registrar.run(&[
        "ra",
        "registrar-add",
        "--log",
        &url,
        "--name",
        "Notary Office 1",
        "--key",
        registrar_id.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let out = admin.ok(
        &[
            "ra",
            "registrar-add",
            "--log",
            &url,
            "--name",
            "Notary Office 1",
            "--key",
            registrar_id.to_str().unwrap(),
        ],
        0,
    );
    assert!(out.starts_with("registrar Notary Office 1 added"), "{out}");

    // The registrar checks the ID card and the operator's salt, and issues a code.
    let salt = std::fs::read_to_string(operator.home().join("operator/id-salt.hex")).unwrap();
    // (A code for E2E Operator of tenant agency-a, with `more` arguments.)
    let code_for = |more: &[&str]| {
        let base = [
            "ra",
            "code",
            "--log",
            &url,
            "--name",
            "E2E Operator",
            "--tenant",
            "agency-a",
        ];
        crate::notary::code_in(&registrar.ok(&[&base[..], more].concat(), 0))
    };
    let code = code_for(&[
        "--org",
        "Test Agency",
        "--id-number",
        "110101199003071234",
        "--id-salt",
        salt.trim(),
        "--fingerprint",
        &op_fpr,
    ]);
    // A code for the operator's name without the organisation their identity names is
    // refused before it is used: the certificate would contradict every package they seal.
    let other = code_for(&[]);
    let o = operator.run(&["operator", "enroll", "--log", &url, "--code", &other]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("is for E2E Operator, but the key's identity is E2E Operator (Test Agency)"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!operator.home().join("operator/certificate.pem").exists());
    // A stranger cannot use it; the operator can, once.
    let o = stranger.run(&["operator", "enroll", "--log", &url, "--code", &code]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another key"));
    let out = operator.ok(&["operator", "enroll", "--log", &url, "--code", &code], 0);
    assert!(
        out.contains("certified as E2E Operator (Test Agency), tenant agency-a"),
        "{out}"
    );
    let o = operator.run(&["operator", "enroll", "--log", &url, "--code", &code]);
    assert_eq!(o.status.code(), Some(2));

    // The certificate is standard X.509: OpenSSL checks it against the log's operator CA, and
    // it carries the same salted ID reference as the operator's identity document.
    let cert = operator.home().join("operator/certificate.pem");
    let ca = operator.home().join("operator/operator-ca.pem");
    let o = tool(
        "openssl",
        &[
            "verify",
            "-CAfile",
            ca.to_str().unwrap(),
            cert.to_str().unwrap(),
        ],
        operator.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = tool(
        "openssl",
        &["x509", "-in", cert.to_str().unwrap(), "-noout", "-subject"],
        operator.path(),
    );
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(operator.home().join("operator/identity.json")).unwrap(),
    )
    .unwrap();
    let subject = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        subject.contains(doc["id_ref"].as_str().unwrap()),
        "{subject}"
    );
    assert!(subject.contains("OU = agency-a"), "{subject}");
    // It names its role: the operator policy under webproof's arc (docs/evidence-package.md §5).
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
        operator.path(),
    );
    let policies = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        policies.contains("Policy: 2.25.69257284516704912422874150880086036780.1.1"),
        "{policies}"
    );

    // The enrolled operator deposits; the package carries the certificate and, with the CA
    // trusted, verify names the operator from it (no fingerprint given).
    let sample = samples()[0].display().to_string();
    let seal = |env: &Env, out: &str| {
        env.run(&[
            "seal",
            &sample,
            "--out",
            out,
            "--log",
            &url,
            "--log-key",
            &vkey,
            "--case",
            "CASE-7",
        ])
    };
    let o = seal(&operator, "a.wacz");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // a.wacz's deposit was promised by this second at the latest.
    let deposited_by = unix_secs();
    let ca_s = ca.to_str().unwrap();
    let c = checks(
        &operator,
        &["a.wacz", "--trust-log", &vkey, "--trust-operator-ca", ca_s],
        0,
    );
    let (v, d) = check(&c, "identity.operator");
    assert_eq!(v, "pass", "{d}");
    assert!(
        d.contains("E2E Operator (Test Agency), tenant agency-a"),
        "{d}"
    );
    assert_eq!(check(&c, "receipt.coverage").0, "pass");
    // The case id is a private label: only its commitment is in the log, the receipt opens it.
    let (v, d) = check(&c, "receipt.deposit");
    assert_eq!(v, "pass", "{d}");
    assert!(d.contains("label \"CASE-7\""), "{d}");
    let receipt = entry(&operator.path().join("a.wacz"), "receipts/000001-1.json");
    let receipt: serde_json::Value = serde_json::from_slice(&receipt).unwrap();
    assert!(!receipt["entry"].as_str().unwrap().contains("CASE-7"));

    // An unknown operator's deposit is refused: the package is sealed without a receipt, and
    // the seal says so with exit 5.
    let o = seal(&stranger, "s.wacz");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(
        err.contains("not enrolled") && err.contains("no receipt"),
        "{err}"
    );
    assert!(stranger.path().join("s.wacz").exists());
    let c = checks(&stranger, &["s.wacz", "--trust-log", &vkey], 3);
    assert_eq!(check(&c, "receipt.coverage").0, "untrusted");

    // Revoked by the admin: no more deposits; the signed revocation list shows it, and the
    // earlier package still verifies because it was deposited before the revocation.
    // Revocation times are whole seconds: revoke in a later second than the deposit, so
    // "deposited before the revocation" is decided by the order of events, not by a tie.
    while unix_secs() <= deposited_by {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    admin.ok(
        &[
            "ra",
            "revoke",
            &op_fpr,
            "--log",
            &url,
            "--reason",
            "left the agency",
        ],
        0,
    );
    let o = seal(&operator, "b.wacz");
    assert!(String::from_utf8_lossy(&o.stderr).contains("revoked"));
    let list = operator.ok(&["ra", "revocations", "--log", &url], 0);
    assert!(list.contains(&op_fpr), "{list}");
    operator.write("revoked.txt", list.as_bytes());
    let c = checks(
        &operator,
        &[
            "a.wacz",
            "--trust-log",
            &vkey,
            "--trust-operator-ca",
            ca_s,
            "--revocations",
            "revoked.txt",
        ],
        0,
    );
    let (v, d) = check(&c, "identity.revocation");
    assert_eq!(v, "pass", "{d}");
    assert!(d.contains("sealed while the key was valid"), "{d}");
    // A package with no receipt from before the revocation: it fails.
    let c = checks(
        &operator,
        &[
            "b.wacz",
            "--trust-log",
            &vkey,
            "--trust-operator-ca",
            ca_s,
            "--revocations",
            "revoked.txt",
        ],
        1,
    );
    assert_eq!(check(&c, "identity.revocation").0, "fail");
    // A revocation list not signed by the trusted log is refused.
    let mut forged = list.clone();
    forged = forged.replacen(&op_fpr, &"00".repeat(32), 1);
    operator.write("forged.txt", forged.as_bytes());
    let o = operator.run(&[
        "verify",
        "a.wacz",
        "--trust-log",
        &vkey,
        "--revocations",
        "forged.txt",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
