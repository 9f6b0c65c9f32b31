//! Every RFC 3161 vector in tests/vectors (copied from ../shared/vectors/rfc3161, whose
//! README — kept beside them — names their source: trailofbits/rfc3161-client's public test
//! fixtures, Apache-2.0) gets the verdict its README states.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use webproof_timestamp::*;

fn file(p: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(p);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn certs(p: &str) -> Vec<x509_cert::Certificate> {
    load_certs(&file(p)).unwrap()
}

fn imprint(alg: HashAlg, data: &[u8]) -> Expect {
    Expect {
        imprint: Some((alg, alg.digest(data))),
        nonce: None,
    }
}

/// Anchors = the last certificate of the chain file; the others are supplied intermediates.
fn trust_chain(p: &str) -> Trust {
    let mut c = certs(p);
    let root = c.pop().unwrap();
    Trust {
        anchors: vec![root],
        intermediates: c,
        signer_subject: None,
    }
}

fn check(v: &Verification, want: Verdict) {
    assert_eq!(v.verdict, want, "{}: {:?}", v.reason, v);
}

#[test]
fn identrust_rsa_sha512_with_signer_not_first_in_the_bag() {
    let t = parse_response(&file("identrust/issue-104.tsr")).unwrap();
    let trust = Trust {
        anchors: certs("identrust/ts_chain.pem"),
        ..Trust::default()
    };
    let v = verify(&t, &imprint(HashAlg::Sha512, b"hello"), &trust);
    check(&v, Verdict::Trusted);
    assert_eq!(v.info.gen_time, "2025-03-11T08:52:08Z");
    // Without the anchor: intact but not trusted.
    check(
        &verify(&t, &imprint(HashAlg::Sha512, b"hello"), &Trust::default()),
        Verdict::Untrusted,
    );
}

#[test]
fn sigstage_ecdsa_tokens_for_each_imprint_algorithm() {
    for (f, alg) in [
        ("sigstage/response-sha256.tsr", HashAlg::Sha256),
        ("sigstage/response-sha384.tsr", HashAlg::Sha384),
        ("sigstage/response-sha512.tsr", HashAlg::Sha512),
    ] {
        let t = parse_response(&file(f)).unwrap();
        let v = verify(
            &t,
            &imprint(alg, b"hello"),
            &trust_chain("sigstage/ts_chain.pem"),
        );
        check(&v, Verdict::Trusted);
        assert_eq!(v.info.accuracy_micros, Some(1_000_000), "{f}");
        assert_eq!(
            v.signer.as_deref(),
            Some("CN=sigstore-tsa,O=sigstore.dev"),
            "{f}"
        );
        // Another message: rejected.
        check(
            &verify(
                &t,
                &imprint(alg, b"hellO"),
                &trust_chain("sigstage/ts_chain.pem"),
            ),
            Verdict::Invalid,
        );
    }
}

#[test]
fn sigstage_token_without_certificates_verifies_with_a_supplied_chain() {
    let t = parse_response(&file("sigstage/response-no-embedded-cert.tsr")).unwrap();
    check(
        &verify(
            &t,
            &imprint(HashAlg::Sha256, b"hello"),
            &trust_chain("sigstage/ts_chain.pem"),
        ),
        Verdict::Trusted,
    );
    // Nothing supplied: the signer cannot even be found.
    let v = verify(&t, &imprint(HashAlg::Sha256, b"hello"), &Trust::default());
    check(&v, Verdict::Invalid);
    assert!(v.reason.contains("sid"), "{}", v.reason);
}

#[test]
fn sigstage_changed_signature_is_rejected() {
    let t = parse_response(&file("sigstage/response-invalid-signature.tsr")).unwrap();
    let v = verify(
        &t,
        &imprint(HashAlg::Sha256, b"hello"),
        &trust_chain("sigstage/ts_chain.pem"),
    );
    check(&v, Verdict::Invalid);
    assert!(v.reason.contains("signature"), "{}", v.reason);
}

#[test]
fn expired_chain_is_valid_as_of_gen_time_only() {
    let t = parse_response(&file("sigstore.mock/response-expired.tsr")).unwrap();
    let e = imprint(HashAlg::Sha256, &file("sigstore.mock/payload"));
    let trust = trust_chain("sigstore.mock/ts_chain.pem");
    check(&verify(&t, &e, &trust), Verdict::Trusted);
    // The same token judged at a time outside the certificates' validity is not trusted.
    let now = 1_900_000_000; // 2030
    let v = verify_at(&t, &e, &trust, now);
    check(&v, Verdict::Untrusted);
    assert!(v.reason.contains("not valid at"), "{}", v.reason);
}

#[test]
fn local_tsa_token_with_intermediate() {
    let t = parse_response(&file("test_tsa/response.tsr")).unwrap();
    let v = verify(
        &t,
        &imprint(HashAlg::Sha512, b"hello"),
        &trust_chain("test_tsa/ts_chain.pem"),
    );
    check(&v, Verdict::Trusted);
    assert_eq!(v.chain.len(), 3, "{:?}", v.chain);
}

#[test]
fn injected_certificates_cannot_impersonate_the_signer() {
    let t = parse_response(&file("test_tsa/response-injected-certs.tsr")).unwrap();
    let e = imprint(HashAlg::Sha512, b"hello");
    // Found by sid, the real signer still verifies…
    check(
        &verify(&t, &e, &trust_chain("test_tsa/ts_chain.pem")),
        Verdict::Trusted,
    );
    // …and pinning the spoofed name is rejected: the signer is not chosen by name.
    let mut pinned = trust_chain("test_tsa/ts_chain.pem");
    pinned.signer_subject = Some("CN=Spoofed TSA".into());
    let v = verify(&t, &e, &pinned);
    check(&v, Verdict::Invalid);
    assert!(v.reason.contains("not by the pinned"), "{}", v.reason);
}

#[test]
fn a_response_for_another_request_is_rejected() {
    let req = Request::from_der(&file("test_tsa/request.der")).unwrap();
    let other_req = Request::from_der(&file("test_tsa/other_request.der")).unwrap();
    let other = parse_response(&file("test_tsa/other_response.tsr")).unwrap();
    let trust = trust_chain("test_tsa/ts_chain.pem");
    let v = verify(&other, &Expect::from_request(&req), &trust);
    check(&v, Verdict::Invalid);
    let mine = parse_response(&file("test_tsa/response.tsr")).unwrap();
    check(
        &verify(&mine, &Expect::from_request(&other_req), &trust),
        Verdict::Invalid,
    );
    // The pair that belongs together holds.
    check(
        &verify(&mine, &Expect::from_request(&req), &trust),
        Verdict::Trusted,
    );
}

#[test]
fn garbage_never_panics() {
    let good = file("sigstage/response-sha256.tsr");
    // Every truncation and every single-byte change of a real response: an error or a
    // verdict, never a panic.
    for n in 0..good.len() {
        let _ = parse_response(&good[..n]);
    }
    let trust = trust_chain("sigstage/ts_chain.pem");
    for i in 0..good.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = good.clone();
            b[i] ^= x;
            if let Ok(t) = parse_response(&b) {
                let v = verify(&t, &imprint(HashAlg::Sha256, b"hello"), &trust);
                if v.verdict == Verdict::Trusted {
                    // Only bytes outside what is signed may change (e.g. unsigned attributes
                    // or certificate-bag order) — the TSTInfo and signature must be intact.
                    assert_eq!(
                        v.info.imprint,
                        hex::encode(HashAlg::Sha256.digest(b"hello"))
                    );
                }
            }
        }
    }
}
