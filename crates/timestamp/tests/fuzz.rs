//! Property-based fuzzing of everything that reads bytes from a TSA or a package: any input
//! gives a value or an error, never a panic (and a token, once read, always gets a verdict);
//! a changed response is trusted only when what it says is what the TSA signed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use webproof_timestamp::*;

fn real() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors/sigstage/response-sha256.tsr"),
    )
    .unwrap()
}

/// The real response's chain: its root as the one anchor, the rest to build the path with.
fn real_trust() -> Trust {
    let pem = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors/sigstage/ts_chain.pem"),
    )
    .unwrap();
    let mut certs = load_certs(&pem).unwrap();
    let root = certs.pop().unwrap();
    Trust {
        anchors: vec![root],
        intermediates: certs,
        signer_subject: None,
    }
}

fn exercise(bytes: &[u8]) {
    for token in [parse_response(bytes), parse_token(bytes)]
        .into_iter()
        .flatten()
    {
        let e = Expect {
            imprint: Some((HashAlg::Sha256, HashAlg::Sha256.digest(b"hello"))),
            nonce: None,
        };
        let _ = verify(&token, &e, &Trust::default());
    }
    let _ = Request::from_der(bytes);
    let _ = load_certs(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&bytes);
    }

    #[test]
    fn spliced_real_responses_never_panic(
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut b = real();
        for (at, len, x) in cuts {
            let i = at.index(b.len());
            match x % 3 {
                0 => b[i] = x,                                       // overwrite
                1 => { let n = len.index(16).min(b.len() - i); b.drain(i..i + n); } // delete
                _ => b.insert(i, x),                                 // insert
            }
            if b.is_empty() { break; }
        }
        exercise(&b);
        // Trusted only as the TSA signed it: a splice that still verifies under the real
        // chain changed nothing the token says.
        let trust = real_trust();
        let hello = Expect { imprint: Some((HashAlg::Sha256, HashAlg::Sha256.digest(b"hello"))), nonce: None };
        let signed = serde_json::to_value(&parse_response(&real()).unwrap().info).unwrap();
        if let Ok(t) = parse_response(&b)
            && verify(&t, &hello, &trust).verdict == Verdict::Trusted
        {
            prop_assert_eq!(serde_json::to_value(&t.info).unwrap(), signed);
        }
    }
}
