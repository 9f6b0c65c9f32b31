//! Interoperability with OpenSSL's time-stamping (`openssl ts`), an independent
//! implementation: OpenSSL accepts the development TSA's tokens, and webproof verifies tokens
//! that OpenSSL's own TSA (`openssl ts -reply`) issues.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use webproof_timestamp::dev::DevTsa;
use webproof_timestamp::*;

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn setup() -> (tempfile::TempDir, DevTsa) {
    let dir = tempfile::tempdir().unwrap();
    let tsa = DevTsa::generate(now()).unwrap();
    let f = tsa.to_files().unwrap();
    std::fs::write(dir.path().join("root.pem"), f.root_pem).unwrap();
    std::fs::write(dir.path().join("tsa.pem"), f.tsa_pem).unwrap();
    std::fs::write(dir.path().join("tsa.key"), f.key_pem).unwrap();
    std::fs::write(dir.path().join("data.bin"), b"the chain head of a capture").unwrap();
    (dir, tsa)
}

#[test]
fn openssl_ts_verify_accepts_our_tokens() {
    let (dir, tsa) = setup();
    let d = dir.path();
    for alg in [HashAlg::Sha256, HashAlg::Sha512] {
        let digest = alg.digest(b"the chain head of a capture");
        let req = request(alg, &digest, Some(random_nonce().unwrap()), None).unwrap();
        std::fs::write(d.join("q.tsq"), &req.der).unwrap();
        let resp = tsa.respond(&req.der, now() * 1_000_000);
        std::fs::write(d.join("r.tsr"), &resp).unwrap();
        // Against the data, and against the request (imprint and nonce).
        let (ok, out) = openssl(
            d,
            &[
                "ts", "-verify", "-data", "data.bin", "-in", "r.tsr", "-CAfile", "root.pem",
            ],
        );
        assert!(ok && out.contains("Verification: OK"), "{out}");
        let (ok, out) = openssl(
            d,
            &[
                "ts",
                "-verify",
                "-queryfile",
                "q.tsq",
                "-in",
                "r.tsr",
                "-CAfile",
                "root.pem",
            ],
        );
        assert!(ok && out.contains("Verification: OK"), "{out}");
        // OpenSSL also reads our request.
        let (ok, out) = openssl(d, &["ts", "-query", "-in", "q.tsq", "-text"]);
        assert!(ok && out.contains("Certificate required: yes"), "{out}");
        // And refuses a token for other data.
        std::fs::write(d.join("other.bin"), b"something else").unwrap();
        let (ok, _) = openssl(
            d,
            &[
                "ts",
                "-verify",
                "-data",
                "other.bin",
                "-in",
                "r.tsr",
                "-CAfile",
                "root.pem",
            ],
        );
        assert!(!ok);
    }
}

#[test]
fn we_verify_tokens_that_openssl_issues() {
    let (dir, tsa) = setup();
    let d = dir.path();
    std::fs::write(
        d.join("tsa.cnf"),
        "[tsa]\ndefault_tsa = tsa_config\n[tsa_config]\nserial = serial.txt\n\
         signer_cert = tsa.pem\nsigner_key = tsa.key\nsigner_digest = sha256\n\
         default_policy = 1.3.6.1.4.1.32473.3161.2\ndigests = sha256, sha384, sha512\n\
         accuracy = secs:1, millisecs:500, microsecs:70\nordering = no\ntsa_name = yes\n\
         ess_cert_id_alg = sha256\ness_cert_id_chain = no\n",
    )
    .unwrap();
    std::fs::write(d.join("serial.txt"), "01\n").unwrap();
    for (alg, flag) in [(HashAlg::Sha256, "-sha256"), (HashAlg::Sha384, "-sha384")] {
        let (ok, out) = openssl(
            d,
            &[
                "ts", "-query", "-data", "data.bin", flag, "-cert", "-out", "q.tsq",
            ],
        );
        assert!(ok, "{out}");
        let (ok, out) = openssl(
            d,
            &[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-queryfile",
                "q.tsq",
                "-out",
                "r.tsr",
            ],
        );
        assert!(ok, "{out}");
        let req = Request::from_der(&std::fs::read(d.join("q.tsq")).unwrap()).unwrap();
        let token = parse_response(&std::fs::read(d.join("r.tsr")).unwrap()).unwrap();
        assert_eq!(token.info.accuracy_micros, Some(1_500_070));
        let trust = Trust {
            anchors: vec![tsa.root.clone()],
            ..Trust::default()
        };
        let v = verify(&token, &Expect::from_request(&req), &trust);
        assert_eq!(v.verdict, Verdict::Trusted, "{alg:?}: {}", v.reason);
        // The request's data is what it covers.
        let e = Expect {
            imprint: Some((alg, alg.digest(b"the chain head of a capture"))),
            nonce: None,
        };
        assert_eq!(verify(&token, &e, &trust).verdict, Verdict::Trusted);
    }
}
