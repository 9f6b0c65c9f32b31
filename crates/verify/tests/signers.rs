//! Signers bound to roles, and certificates judged at trusted time: a "notary" who is the
//! operator under another name, an operator certificate presented for a notary, a name that is
//! not the certificate's, a signer added after sealing, and a certificate that had expired by
//! the time a trusted TSA saw the chain head.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::path::Path;

use common::*;
use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::manifest::Case;
use webproof_evidence::package::{self, Limits};
use webproof_timestamp::HashAlg;
use webproof_timestamp::ca::{Ca, CertRole, Subject};
use webproof_timestamp::dev::DevTsa;
use webproof_verify::{Policy, Report, Verdict};

struct Signer {
    key: SecretKey,
    doc: IdentityDoc,
    cert: Option<String>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A signer certified by `ca` for its own role, valid from now for 30 days.
fn in_role(ca: &Ca, role: Role) -> Signer {
    let cert_role = match role {
        Role::Operator => CertRole::Operator,
        Role::Notary => CertRole::Notary,
    };
    certified(ca, role, cert_role, "Test Signer", now(), 30)
}

/// A signer certified by `ca` for `role` from `from` for `days` days, named `cert_name` in
/// the certificate (the identity document says `doc.name`).
fn certified(
    ca: &Ca,
    role: Role,
    cert_role: CertRole,
    cert_name: &str,
    from: i64,
    days: i64,
) -> Signer {
    let (key, doc) = identity(role, Algorithm::Ed25519, "Test Signer");
    with_certificate(ca, key, doc, cert_role, cert_name, from, days)
}

fn with_certificate(
    ca: &Ca,
    key: SecretKey,
    doc: IdentityDoc,
    cert_role: CertRole,
    cert_name: &str,
    from: i64,
    days: i64,
) -> Signer {
    use x509_cert::der::EncodePem;
    let spki = key.public_key().spki_der().unwrap();
    let subject = Subject {
        name: cert_name.into(),
        organisation: doc.organisation.clone(),
        tenant: "tenant".into(),
        id_ref: None,
    };
    let cert = ca.certify(&subject, &spki, from, days, cert_role).unwrap();
    Signer {
        key,
        doc,
        cert: Some(cert.to_pem(x509_cert::der::pem::LineEnding::LF).unwrap()),
    }
}

struct Setup {
    ca: Ca,
    tsa: DevTsa,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            ca: Ca::generate("test operator CA", now() - 86_400).unwrap(),
            tsa: DevTsa::generate(now() - 86_400).unwrap(),
        }
    }

    fn policy(&self) -> Policy {
        Policy {
            trusted_tsa: vec![self.tsa.root.clone()],
            operator_cas: vec![self.ca.cert.clone()],
            ..Policy::default()
        }
    }

    /// Seals a one-file package; the final chain head is stamped by the development TSA at
    /// `stamp_at` (Unix seconds), or not at all. `seal_notary` says whether the seal step (in
    /// the chain) names the notary; when it does not, `notary` countersigns afterwards: its
    /// identity is added and the manifest signed again by both.
    fn seal(
        &self,
        root: &Path,
        operator: &Signer,
        notary: Option<&Signer>,
        seal_notary: bool,
        stamp_at: Option<i64>,
    ) -> std::path::PathBuf {
        let src = root.join("note.txt");
        std::fs::write(&src, b"what the page showed\n").unwrap();
        let dir = root.join("pkg");
        let mut cap = Capture::create(&dir).unwrap();
        cap.add_file(&src).unwrap();
        fn key(s: &Signer) -> SignerKey<'_> {
            SignerKey {
                key: &s.key,
                identity: &s.doc,
                certificate: s.cert.as_deref(),
            }
        }
        let input = SealInput {
            case: Case {
                id: Some("CASE-S".into()),
                note: None,
            },
            tool_version: "test".into(),
            operator: key(operator),
            notary: notary.filter(|_| seal_notary).map(key),
        };
        let (seq, head) = cap.seal_step(&input).unwrap();
        if let Some(at) = stamp_at {
            let req = webproof_timestamp::request(
                HashAlg::Sha256,
                &head.sha256.0,
                Some(vec![1, 2, 3, 4]),
                None,
            )
            .unwrap();
            let resp = self.tsa.respond(&req.der, at * 1_000_000);
            cap.add_timestamp(seq, 1, "dev", &req.der, &resp).unwrap();
        }
        cap.seal(&input).unwrap();
        let wacz = root.join("pkg.wacz");
        match notary.filter(|_| !seal_notary) {
            None => package::write_zip(&dir, &wacz, &Limits::default()).unwrap(),
            Some(n) => {
                let keys = [
                    (Role::Operator, operator.key.clone()),
                    (Role::Notary, n.key.clone()),
                ];
                resign(&dir, &wacz, &keys, |dir, m| {
                    use webproof_evidence::layout;
                    let doc = webproof_evidence::canonical::to_jcs(&n.doc).unwrap();
                    std::fs::write(dir.join(layout::identity_path(Role::Notary)), doc).unwrap();
                    std::fs::write(
                        dir.join(layout::public_key_path(Role::Notary)),
                        &n.doc.public_key,
                    )
                    .unwrap();
                    if let Some(c) = &n.cert {
                        std::fs::write(dir.join(layout::certificate_path(Role::Notary)), c)
                            .unwrap();
                    }
                    m.signers.push(webproof_evidence::manifest::Signer {
                        role: Role::Notary,
                        algorithm: n.doc.algorithm,
                        fingerprint: n.doc.fingerprint,
                        identity: layout::identity_path(Role::Notary),
                        public_key: layout::public_key_path(Role::Notary),
                        signature: layout::signature_path(Role::Notary),
                    });
                });
            }
        }
        wacz
    }
}

fn check<'a>(r: &'a Report, id: &str, subject_part: &str) -> &'a webproof_verify::Check {
    r.checks
        .iter()
        .find(|c| c.id == id && c.subject.contains(subject_part))
        .unwrap_or_else(|| panic!("no {id} check on {subject_part}: {:#?}", failures(r)))
}

#[test]
fn a_certified_operator_and_notary_in_their_roles_verify() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let op = in_role(&s.ca, Role::Operator);
    let no = in_role(&s.ca, Role::Notary);
    let p = s.seal(t.path(), &op, Some(&no), true, Some(now()));
    let r = verify(&p, &s.policy());
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", failures(&r));
    for role in ["operator", "notary"] {
        assert_eq!(check(&r, "identity.role", role).verdict, Verdict::Pass);
        assert_eq!(check(&r, "identity.subject", role).verdict, Verdict::Pass);
        let id = check(&r, &format!("identity.{role}"), role);
        assert!(
            id.detail.contains("valid at the trusted time"),
            "{}",
            id.detail
        );
    }
    assert_eq!(check(&r, "identity.distinct", "").verdict, Verdict::Pass);
    assert_eq!(check(&r, "seal.signers", "").verdict, Verdict::Pass);
}

#[test]
fn the_operator_posing_as_notary_fails_by_name() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let op = in_role(&s.ca, Role::Operator);
    // The operator's own key and operator certificate, presented as the notary's.
    let mut doc = op.doc.clone();
    doc.role = Role::Notary;
    let twin = Signer {
        key: op.key.clone(),
        doc,
        cert: op.cert.clone(),
    };
    let p = s.seal(t.path(), &op, Some(&twin), true, Some(now()));
    let r = verify(&p, &s.policy());
    assert_eq!(r.verdict(), Verdict::Fail);
    assert_eq!(check(&r, "identity.role", "notary").verdict, Verdict::Fail);
    assert_eq!(check(&r, "identity.distinct", "").verdict, Verdict::Fail);
    // Even when the verifier's user trusts that key as a notary's.
    let mut trusting = s.policy();
    trusting.trusted_notaries.push(op.doc.fingerprint);
    assert_eq!(verify(&p, &trusting).verdict(), Verdict::Fail);

    // Another key, but an operator's certificate: not a notary.
    let t = tempfile::tempdir().unwrap();
    let fake = certified(
        &s.ca,
        Role::Notary,
        CertRole::Operator,
        "Test Signer",
        now(),
        30,
    );
    let p = s.seal(t.path(), &op, Some(&fake), true, Some(now()));
    let r = verify(&p, &s.policy());
    let c = check(&r, "identity.role", "notary");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.detail.contains("operator role"), "{}", c.detail);
    assert_eq!(check(&r, "identity.distinct", "").verdict, Verdict::Pass);
}

#[test]
fn a_name_that_is_not_the_certificates_fails() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    // The identity document says "Test Signer"; the certificate names someone else.
    let op = certified(
        &s.ca,
        Role::Operator,
        CertRole::Operator,
        "Wang Wu",
        now(),
        30,
    );
    let p = s.seal(t.path(), &op, None, false, Some(now()));
    let r = verify(&p, &s.policy());
    let c = check(&r, "identity.subject", "operator");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.detail.contains("Wang Wu"), "{}", c.detail);
    assert_eq!(r.verdict(), Verdict::Fail);
}

#[test]
fn a_signer_the_seal_step_does_not_name_fails() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let op = in_role(&s.ca, Role::Operator);
    let no = in_role(&s.ca, Role::Notary);
    // Sealed (and time-stamped) by the operator alone; a notary signs the manifest later.
    let p = s.seal(t.path(), &op, Some(&no), false, Some(now()));
    let r = verify(&p, &s.policy());
    let c = check(&r, "seal.signers", "journal");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(
        c.detail
            .contains("names operator as signers, the manifest notary, operator")
    );
    assert_eq!(r.verdict(), Verdict::Fail);
}

#[test]
fn certificates_are_judged_at_trusted_time_not_the_machines_clock() {
    let s = Setup::new();
    // Valid for a day from now: the capture machine's clock (the manifest's `sealed`) is
    // inside that day.
    let op = certified(
        &s.ca,
        Role::Operator,
        CertRole::Operator,
        "Test Signer",
        now(),
        1,
    );

    // A trusted token from now: the certificate was valid then.
    let t = tempfile::tempdir().unwrap();
    let p = s.seal(t.path(), &op, None, false, Some(now()));
    assert_eq!(verify(&p, &s.policy()).verdict(), Verdict::Pass);

    // The trusted TSA saw the chain head ten days later (the machine's clock was set back):
    // by then the certificate had expired.
    let t = tempfile::tempdir().unwrap();
    let p = s.seal(t.path(), &op, None, false, Some(now() + 10 * 86_400));
    let r = verify(&p, &s.policy());
    let c = check(&r, "identity.operator", "operator");
    assert_eq!(c.verdict, Verdict::Fail, "{}", c.detail);
    assert!(c.detail.contains("not valid at the time"), "{}", c.detail);

    // No trusted time at all: claimed time only, and the identity is not called verified.
    let t = tempfile::tempdir().unwrap();
    let p = s.seal(t.path(), &op, None, false, None);
    let r = verify(&p, &s.policy());
    let c = check(&r, "identity.operator", "operator");
    assert_eq!(c.verdict, Verdict::Untrusted, "{}", c.detail);
    assert!(
        c.detail.contains("claimed sealing time only"),
        "{}",
        c.detail
    );
}

/// The failed check of `r` whose message is `key`, if any.
fn failed_with<'a>(
    r: &'a webproof_verify::Report,
    key: &str,
) -> Option<&'a webproof_verify::Check> {
    r.failures().find(|c| c.message.key == key)
}

#[test]
fn each_signer_file_at_another_path_alone_is_refused() {
    // Each of the identity, key and signature paths moved on its own (the manifest re-signed):
    // refused for where the files are, before any is read.
    for which in 0..3 {
        let t = tempfile::tempdir().unwrap();
        let b = common::build(t.path(), Algorithm::Ed25519, false);
        let out = t.path().join("moved.wacz");
        common::resign(&b.dir, &out, &b.keys, |_, m| {
            let s = &mut m.signers[0];
            match which {
                0 => s.identity = "identity/someone.json".into(),
                1 => s.public_key = "identity/someone.pub.pem".into(),
                _ => s.signature = "signatures/someone.sig".into(),
            }
        });
        let r = verify(&out, &b.policy());
        let c = failed_with(&r, "msg-signer-paths")
            .unwrap_or_else(|| panic!("path {which}: {:#?}", common::failures(&r)));
        assert_eq!(c.id.as_str(), "signature.operator");
    }
}

#[test]
fn a_public_key_file_that_is_not_the_identity_documents_text_is_refused() {
    // The same key, written with CRLF line ends in identity/operator.json only: the fingerprint
    // and roles all agree, the text does not, and the files must say the same.
    let t = tempfile::tempdir().unwrap();
    let b = common::build(t.path(), Algorithm::Ed25519, false);
    let out = t.path().join("crlf.wacz");
    common::resign(&b.dir, &out, &b.keys, |dir, _| {
        let p = dir.join(webproof_evidence::layout::identity_path(Role::Operator));
        let mut doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        let pem = doc["public_key"].as_str().unwrap().replace('\n', "\r\n");
        doc["public_key"] = pem.into();
        std::fs::write(&p, webproof_evidence::canonical::to_jcs(&doc).unwrap()).unwrap();
    });
    let r = verify(&out, &b.policy());
    let c = failed_with(&r, "msg-identity-disagree")
        .unwrap_or_else(|| panic!("{:#?}", common::failures(&r)));
    assert_eq!(c.id.as_str(), "identity.operator");
}

#[test]
fn a_long_signature_file_is_read_and_found_not_to_verify() {
    // 2 KiB where a signature is (a signature is at most a few hundred bytes; files up to
    // 64 KiB are read): it is read, and it does not verify.
    let t = tempfile::tempdir().unwrap();
    let b = common::build(t.path(), Algorithm::Ed25519, false);
    let sig = webproof_evidence::layout::signature_path(Role::Operator);
    let mut entries = common::read_zip(&b.wacz);
    for (name, bytes) in entries.iter_mut() {
        if *name == sig {
            *bytes = vec![0x5a; 2048];
        }
    }
    let out = t.path().join("long-sig.wacz");
    common::write_zip(&out, &entries);
    let r = verify(&out, &b.policy());
    let c = failed_with(&r, "msg-signature-bad")
        .unwrap_or_else(|| panic!("{:#?}", common::failures(&r)));
    assert_eq!(c.subject, sig);
}
