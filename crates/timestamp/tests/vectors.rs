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
fn truncated_and_altered_responses_are_rejected() {
    let good = file("sigstage/response-sha256.tsr");
    let trust = trust_chain("sigstage/ts_chain.pem");
    let hello = imprint(HashAlg::Sha256, b"hello");
    let original = parse_response(&good).unwrap();
    assert_eq!(verify(&original, &hello, &trust).verdict, Verdict::Trusted);
    let signed = serde_json::to_value(&original.info).unwrap();
    // Every truncation of a real response is refused as it is read.
    for n in 0..good.len() {
        assert!(
            parse_response(&good[..n]).is_err(),
            "a response cut to {n} of {} bytes was read",
            good.len()
        );
    }
    // Every single-byte change: refused when read, or not trusted — unless it lies outside
    // what is signed (e.g. the order of the certificate bag), and then the token still says
    // exactly what the TSA signed.
    let (mut refused, mut untrusted) = (0, 0);
    for i in 0..good.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = good.clone();
            b[i] ^= x;
            let Ok(t) = parse_response(&b) else {
                refused += 1;
                continue;
            };
            let v = verify(&t, &hello, &trust);
            if v.verdict == Verdict::Trusted {
                assert_eq!(
                    serde_json::to_value(&t.info).unwrap(),
                    signed,
                    "byte {i} ^ {x:#04x}: trusted with other content"
                );
            } else {
                untrusted += 1;
            }
        }
    }
    // Nearly every change is caught; the rest (about 5% for this response) are in bytes no
    // signature covers, such as certificates of the bag the chain is not built from.
    let changes = good.len() * 3;
    assert!(
        refused + untrusted >= changes * 90 / 100,
        "{refused} refused + {untrusted} untrusted of {changes} changes"
    );
    // And no change to what the TSA signed is ever trusted: each byte of the message imprint
    // and of genTime, changed, is refused or untrusted.
    let find = |needle: &[u8]| {
        good.windows(needle.len())
            .position(|w| w == needle)
            .expect("in the response")
    };
    let at_imprint = find(&HashAlg::Sha256.digest(b"hello"));
    let gen_time = original.info.gen_time.replace(['-', ':', 'T'], "");
    let at_time = find(gen_time.trim_end_matches('Z').as_bytes());
    for i in (at_imprint..at_imprint + 32).chain(at_time..at_time + 14) {
        let mut b = good.clone();
        b[i] ^= 0x01;
        if let Ok(t) = parse_response(&b) {
            assert_ne!(
                verify(&t, &hello, &trust).verdict,
                Verdict::Trusted,
                "a signed byte changed at {i} is trusted"
            );
        }
    }
}

#[test]
fn a_token_names_its_tsa_and_carries_its_certificates_in_order() {
    let t = parse_response(&file("sigstage/response-sha256.tsr")).unwrap();
    assert_eq!(
        t.info.tsa_name.as_deref(),
        Some("CN=sigstore-tsa,O=sigstore.dev")
    );
    let t = parse_response(&file("identrust/issue-104.tsr")).unwrap();
    assert_eq!(t.info.tsa_name, None);
    assert_eq!(t.info.accuracy_micros, None);

    // The bag as it is, spoofed certificate first: PEM text that reads back the same.
    let t = parse_response(&file("test_tsa/response-injected-certs.tsr")).unwrap();
    let bag = t.certificates();
    let subjects: Vec<String> = bag
        .iter()
        .map(|c| c.tbs_certificate().subject().to_string())
        .collect();
    assert_eq!(
        subjects,
        [
            "CN=Spoofed TSA",
            "CN=Test TSA Timestamping,O=local",
            "CN=Test TSA Timestamping,O=local"
        ]
    );
    let pem = certs_to_pem(&bag).unwrap();
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----\n").count(), 3);
    assert_eq!(load_certs(pem.as_bytes()).unwrap(), bag);
    assert_eq!(certs_to_pem(&[]).unwrap(), "");
    let t = parse_response(&file("sigstage/response-no-embedded-cert.tsr")).unwrap();
    assert!(t.certificates().is_empty());
}

/// `sigstage/response-sha256.tsr` with its PKIStatus changed to `status`.
fn with_status(status: u8) -> Vec<u8> {
    let mut r = file("sigstage/response-sha256.tsr");
    // TimeStampResp SEQUENCE (long form length), then PKIStatusInfo { INTEGER 0 }.
    let at = r
        .windows(5)
        .position(|w| w == [0x30, 0x03, 0x02, 0x01, 0x00])
        .unwrap();
    assert!(at < 6, "the status is the response's first element");
    r[at + 4] = status;
    r
}

#[test]
fn granted_with_modifications_is_a_token_and_a_refusal_is_not() {
    // 1, grantedWithMods: the token is there, and it is what is judged.
    let t = parse_response(&with_status(1)).unwrap();
    let v = verify(
        &t,
        &imprint(HashAlg::Sha256, b"hello"),
        &trust_chain("sigstage/ts_chain.pem"),
    );
    check(&v, Verdict::Trusted);
    // 2, rejection (with a token beside it, which is not read): refused.
    for s in [2, 3, 4, 5] {
        match parse_response(&with_status(s)) {
            Err(TspError::Rejected { status, .. }) => assert_eq!(status, s),
            other => panic!("status {s}: {other:?}"),
        }
    }
}

#[test]
fn hash_algorithms_are_named_as_openssl_and_the_rfcs_name_them() {
    let names: Vec<(&str, usize)> = [
        HashAlg::Sha256,
        HashAlg::Sha384,
        HashAlg::Sha512,
        HashAlg::Sm3,
    ]
    .iter()
    .map(|a| (a.name(), a.digest(b"").len()))
    .collect();
    assert_eq!(
        names,
        [
            ("SHA-256", 32),
            ("SHA-384", 48),
            ("SHA-512", 64),
            ("SM3", 32)
        ]
    );
}

#[test]
fn nonces_are_random_64_bit_numbers_with_no_leading_zero_byte() {
    let nonces: Vec<Vec<u8>> = (0..64).map(|_| random_nonce().unwrap()).collect();
    for n in &nonces {
        assert_eq!(n.len(), 8);
        assert_eq!(n[0] & 1, 1, "{n:?}");
    }
    let distinct: std::collections::HashSet<&Vec<u8>> = nonces.iter().collect();
    assert_eq!(distinct.len(), nonces.len());
}
