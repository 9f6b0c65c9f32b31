//! `cargo bench -p webproof-timestamp --bench tokens`
//!
//! Tokens verified per second, each fully (parse, imprint, ESS, signature, EKU, chain as of
//! genTime): the development TSA's (ECDSA P-256), a public TSA's (IdenTrust, RSA-2048) and
//! sigstore's (ECDSA P-384 chain). Also how fast the development TSA issues tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use webproof_timestamp::dev::DevTsa;
use webproof_timestamp::*;

fn vector(p: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors")
            .join(p),
    )
    .unwrap()
}

fn rate(label: &str, n: u32, mut f: impl FnMut()) {
    f();
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "{label:<48} {:>9.0} /s  ({:.1} µs each)",
        n as f64 / s,
        s * 1e6 / n as f64
    );
}

fn main() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let tsa = DevTsa::generate(now).unwrap();
    let digest = HashAlg::Sha256.digest(b"chain head");
    let req = request(
        HashAlg::Sha256,
        &digest,
        Some(random_nonce().unwrap()),
        None,
    )
    .unwrap();
    let resp = tsa.respond(&req.der, now * 1_000_000);
    let dev_trust = Trust {
        anchors: vec![tsa.root.clone()],
        ..Trust::default()
    };
    let expect = Expect::from_request(&req);

    rate("issue (development TSA, P-256)", 2000, || {
        let _ = tsa.respond(&req.der, now * 1_000_000);
    });
    rate("verify development TSA token (P-256)", 2000, || {
        let t = parse_response(&resp).unwrap();
        assert_eq!(verify(&t, &expect, &dev_trust).verdict, Verdict::Trusted);
    });
    let idt = vector("identrust/issue-104.tsr");
    let idt_trust = Trust {
        anchors: load_certs(&vector("identrust/ts_chain.pem")).unwrap(),
        ..Trust::default()
    };
    let idt_expect = Expect {
        imprint: Some((HashAlg::Sha512, HashAlg::Sha512.digest(b"hello"))),
        nonce: None,
    };
    rate(
        "verify IdenTrust token (RSA-2048, 2-link chain)",
        2000,
        || {
            let t = parse_response(&idt).unwrap();
            assert_eq!(
                verify(&t, &idt_expect, &idt_trust).verdict,
                Verdict::Trusted
            );
        },
    );
    let sg = vector("sigstage/response-sha256.tsr");
    let mut chain = load_certs(&vector("sigstage/ts_chain.pem")).unwrap();
    let root = chain.pop().unwrap();
    let sg_trust = Trust {
        anchors: vec![root],
        intermediates: chain,
        ..Trust::default()
    };
    let sg_expect = Expect {
        imprint: Some((HashAlg::Sha256, HashAlg::Sha256.digest(b"hello"))),
        nonce: None,
    };
    rate(
        "verify sigstore token (P-256 signer, P-384 root)",
        1000,
        || {
            let t = parse_response(&sg).unwrap();
            assert_eq!(verify(&t, &sg_expect, &sg_trust).verdict, Verdict::Trusted);
        },
    );
}
