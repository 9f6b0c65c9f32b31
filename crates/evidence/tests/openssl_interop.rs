//! webproof's digests, keys and signatures checked by OpenSSL, an independent implementation:
//! what an expert without webproof would run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use webproof_evidence::digest::{digest_bytes, digest_reader};
use webproof_evidence::identity::{Algorithm, SM2_DISTID, SecretKey};

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command is needed (scripts/install-deps.sh installs it)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn sm3_and_sha256_match_openssl_dgst() {
    let t = tempfile::tempdir().unwrap();
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"abc".to_vec(),
        b"abcd".repeat(16),
        (0..5_000_000u32).map(|i| (i * 7 + i / 251) as u8).collect(),
    ];
    for (i, data) in inputs.iter().enumerate() {
        let f = write(t.path(), &format!("in{i}"), data);
        let d = digest_reader(std::fs::File::open(&f).unwrap()).unwrap().0;
        assert_eq!(d, digest_bytes(data));
        let (ok, out) = openssl(&["dgst", "-sm3", "-r", &f]);
        assert!(ok, "{out}");
        assert!(
            out.starts_with(&d.sm3.to_hex()),
            "SM3 {i}: openssl {out} vs {}",
            d.sm3
        );
        let (ok, out) = openssl(&["dgst", "-sha256", "-r", &f]);
        assert!(ok, "{out}");
        assert!(out.starts_with(&d.sha256.to_hex()), "SHA-256 {i}: {out}");
    }
}

#[test]
fn encrypted_keys_open_in_openssl_and_signatures_verify_there() {
    let t = tempfile::tempdir().unwrap();
    for alg in [Algorithm::Ed25519, Algorithm::Sm2] {
        let name = alg.as_str();
        let key = SecretKey::generate(alg).unwrap();
        let key_pem = key.to_encrypted_pem(b"pass phrase", 2048).unwrap();
        let keyf = write(t.path(), &format!("{name}.key.pem"), key_pem.as_bytes());
        let pubf = write(
            t.path(),
            &format!("{name}.pub.pem"),
            key.public_key().to_pem().unwrap().as_bytes(),
        );
        // OpenSSL decrypts the PKCS#8 key and derives the same public key.
        let (ok, out) = openssl(&[
            "pkey",
            "-in",
            &keyf,
            "-passin",
            "pass:pass phrase",
            "-pubout",
        ]);
        assert!(ok, "{name}: {out}");
        assert_eq!(out, std::fs::read_to_string(&pubf).unwrap(), "{name}");
        let (ok, _) = openssl(&["pkey", "-in", &keyf, "-passin", "pass:wrong", "-noout"]);
        assert!(!ok, "{name}: wrong passphrase accepted");

        // Fingerprint = SHA-256 of the SPKI DER, as openssl computes it.
        let derf = t.path().join(format!("{name}.pub.der"));
        let (ok, out) = openssl(&[
            "pkey",
            "-pubin",
            "-in",
            &pubf,
            "-outform",
            "DER",
            "-out",
            derf.to_str().unwrap(),
        ]);
        assert!(ok, "{out}");
        let der = std::fs::read(&derf).unwrap();
        assert_eq!(
            webproof_evidence::digest::sha256(&der),
            key.public_key().fingerprint().unwrap()
        );

        // Signatures verify with openssl pkeyutl, and a changed message does not.
        let msg = b"{\"capture\":\"x\",\"v\":1}";
        let msgf = write(t.path(), &format!("{name}.msg"), msg);
        let badf = write(
            t.path(),
            &format!("{name}.bad"),
            b"{\"capture\":\"y\",\"v\":1}",
        );
        let sigf = write(t.path(), &format!("{name}.sig"), &key.sign(msg).unwrap());
        let distid = format!("distid:{SM2_DISTID}");
        let args = |m: &str| -> Vec<String> {
            let mut a: Vec<String> = [
                "pkeyutl", "-verify", "-pubin", "-inkey", &pubf, "-rawin", "-in", m, "-sigfile",
                &sigf,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if alg == Algorithm::Sm2 {
                a.extend(
                    ["-digest", "sm3", "-pkeyopt", &distid]
                        .iter()
                        .map(|s| s.to_string()),
                );
            }
            a
        };
        let run = |m: &str| {
            let a = args(m);
            openssl(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        };
        let (ok, out) = run(&msgf);
        assert!(
            ok && out.contains("Signature Verified Successfully"),
            "{name}: {out}"
        );
        let (ok, _) = run(&badf);
        assert!(!ok, "{name}: openssl accepted a signature over other bytes");

        // And OpenSSL's own signatures verify in webproof.
        if alg == Algorithm::Sm2 {
            let osig = t.path().join("openssl.sig");
            let (ok, out) = openssl(&[
                "pkeyutl",
                "-sign",
                "-inkey",
                &keyf,
                "-passin",
                "pass:pass phrase",
                "-rawin",
                "-digest",
                "sm3",
                "-pkeyopt",
                &distid,
                "-in",
                &msgf,
                "-out",
                osig.to_str().unwrap(),
            ]);
            assert!(ok, "{out}");
            key.public_key()
                .verify(msg, &std::fs::read(&osig).unwrap())
                .expect("webproof rejects an OpenSSL SM2 signature");
        } else {
            let osig = t.path().join("openssl.sig");
            let (ok, out) = openssl(&[
                "pkeyutl",
                "-sign",
                "-inkey",
                &keyf,
                "-passin",
                "pass:pass phrase",
                "-rawin",
                "-in",
                &msgf,
                "-out",
                osig.to_str().unwrap(),
            ]);
            assert!(ok, "{out}");
            key.public_key()
                .verify(msg, &std::fs::read(&osig).unwrap())
                .expect("webproof rejects an OpenSSL Ed25519 signature");
        }
    }
}
