//! `webproof tsa serve --dev`, `webproof timestamp request|verify` as a user runs them, and
//! OpenSSL's verdict on the same token.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::Stdio;

use crate::util::*;

/// A running `webproof tsa serve --dev`, killed on drop.
pub struct DevTsa {
    _child: Reaped,
    pub url: String,
    pub root: std::path::PathBuf,
}

impl DevTsa {
    pub fn start(env: &Env) -> DevTsa {
        let mut child = env
            .cmd()
            .args(["tsa", "serve", "--dev", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("{first}"))
            .to_owned();
        std::thread::spawn(move || for _ in lines {});
        DevTsa {
            _child: Reaped(child),
            url,
            root: env.home().join("dev-tsa/root.pem"),
        }
    }
}

#[test]
fn a_token_from_the_dev_tsa_verifies_here_and_in_openssl() {
    let env = Env::new();
    let tsa = DevTsa::start(&env);
    let data = env.write("evidence.txt", b"what the page showed");
    let data = data.to_str().unwrap();
    env.ok(
        &[
            "timestamp",
            "request",
            "--tsa",
            &tsa.url,
            "--data",
            data,
            "-o",
            "t.tsr",
        ],
        0,
    );
    let root = tsa.root.to_str().unwrap();

    let out = env.ok(
        &[
            "timestamp",
            "verify",
            "t.tsr",
            "--data",
            data,
            "--trust",
            root,
        ],
        0,
    );
    assert!(
        out.starts_with("TRUSTED") && out.contains("(development TSA)"),
        "{out}"
    );
    // Not trusted without its root; invalid for other data; an SM3 request is stamped too.
    let out = env.ok(&["timestamp", "verify", "t.tsr", "--data", data], 3);
    assert!(out.starts_with("VALID, NOT TRUSTED"), "{out}");
    let other = env.write("other.txt", b"something else");
    let out = env.ok(
        &[
            "timestamp",
            "verify",
            "t.tsr",
            "--data",
            other.to_str().unwrap(),
            "--trust",
            root,
        ],
        1,
    );
    assert!(out.starts_with("INVALID"), "{out}");
    env.ok(
        &[
            "timestamp",
            "request",
            "--tsa",
            &tsa.url,
            "--data",
            data,
            "--alg",
            "sm3",
            "-o",
            "s.tsr",
        ],
        0,
    );
    env.ok(
        &[
            "timestamp",
            "verify",
            "s.tsr",
            "--data",
            data,
            "--alg",
            "sm3",
            "--trust",
            root,
        ],
        0,
    );
    // Without --alg the data is hashed as the token says it was stamped (as `openssl ts
    // -verify -data` does): SM3 and SHA-512 tokens verify; told another algorithm, invalid.
    env.ok(
        &[
            "timestamp",
            "request",
            "--tsa",
            &tsa.url,
            "--data",
            data,
            "--alg",
            "sha512",
            "-o",
            "l.tsr",
        ],
        0,
    );
    for token in ["s.tsr", "l.tsr", "t.tsr"] {
        let out = env.ok(
            &[
                "timestamp",
                "verify",
                token,
                "--data",
                data,
                "--trust",
                root,
            ],
            0,
        );
        assert!(out.starts_with("TRUSTED"), "{token}: {out}");
    }
    let out = env.ok(
        &[
            "timestamp",
            "verify",
            "s.tsr",
            "--data",
            data,
            "--alg",
            "sha256",
            "--trust",
            root,
        ],
        1,
    );
    assert!(out.starts_with("INVALID"), "{out}");

    // OpenSSL agrees.
    let o = tool(
        "openssl",
        &[
            "ts", "-verify", "-data", data, "-in", "t.tsr", "-CAfile", root,
        ],
        env.path(),
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("Verification: OK"));

    // The TSA down: a clear error, exit 2, nothing written.
    let dead = format!("http://127.0.0.1:{}/", free_port());
    let out = env.run(&[
        "timestamp",
        "request",
        "--tsa",
        &dead,
        "--data",
        data,
        "-o",
        "d.tsr",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!env.path().join("d.tsr").exists());
}

/// OpenSSL's TSA (RSA-2048 key, its own CA made by `openssl req`) behind `openssl_tsa.py`.
pub struct OpensslTsa {
    _child: ReapedGroup,
    pub url: String,
    pub root: std::path::PathBuf,
}

impl OpensslTsa {
    pub fn start(env: &Env) -> OpensslTsa {
        Self::start_shifted(env, None)
    }

    /// The same TSA with its clock shifted by libfaketime (`+3h`: three hours ahead), the
    /// way a machine whose clock is off sees a correct TSA.
    pub fn start_shifted(env: &Env, shift: Option<&str>) -> OpensslTsa {
        let d = env.path().join("openssl-tsa");
        std::fs::create_dir_all(&d).unwrap();
        let run = |args: &[&str]| {
            let o = std::process::Command::new("openssl")
                .args(args)
                .current_dir(&d)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ca.key",
        ]);
        run(&[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/O=OpenSSL test/CN=OpenSSL test root",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "ca.pem",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "tsa.key",
        ]);
        run(&[
            "req",
            "-new",
            "-key",
            "tsa.key",
            "-subj",
            "/O=OpenSSL test/CN=OpenSSL test TSA",
            "-out",
            "tsa.csr",
        ]);
        std::fs::write(
            d.join("ext.cnf"),
            "extendedKeyUsage=critical,timeStamping\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-out",
            "tsa.pem",
        ]);
        std::fs::write(
            d.join("tsa.cnf"),
            "[tsa]\ndefault_tsa = tsa_config\n[tsa_config]\nserial = serial.txt\n\
             signer_cert = tsa.pem\nsigner_key = tsa.key\nsigner_digest = sha256\n\
             default_policy = 1.3.6.1.4.1.32473.3161.2\ndigests = sha256, sha384, sha512\n\
             accuracy = secs:1\nordering = no\ntsa_name = yes\ness_cert_id_alg = sha256\n",
        )
        .unwrap();
        std::fs::write(d.join("serial.txt"), "01\n").unwrap();
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e/openssl_tsa.py");
        let mut command = match shift {
            Some(offset) => {
                let mut c = std::process::Command::new("faketime");
                c.args(["-f", offset, "python3"]);
                c
            }
            None => std::process::Command::new("python3"),
        };
        let mut child = command
            .arg(script)
            .arg(&d)
            .stdout(Stdio::piped())
            // Its own process group: under faketime the server is faketime's child, and both
            // go at the end.
            .process_group(0)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        OpensslTsa {
            _child: ReapedGroup(child),
            url: line.trim().to_owned(),
            root: d.join("ca.pem"),
        }
    }
}

#[test]
fn a_sealed_package_carries_tokens_from_two_tsas_and_says_what_they_cover() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dev = DevTsa::start(&env);
    let ossl = OpensslTsa::start(&env);
    let args = seal_args(&[
        "--out",
        "p.wacz",
        "--tsa",
        &dev.url,
        "--tsa",
        &ossl.url,
        "--tsa-quorum",
        "2",
    ]);
    let out = env.run(&refs(&args));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.matches("time-stamp: chain head after step").count(),
        2,
        "{err}"
    );

    let dev_root = dev.root.to_str().unwrap();
    let ossl_root = ossl.root.to_str().unwrap();
    let both = [
        "verify",
        "p.wacz",
        "--trust-operator",
        &fpr,
        "--trust-tsa",
        dev_root,
        "--trust-tsa",
        ossl_root,
    ];
    let out = env.ok(&both, 0);
    assert!(out.contains("VERIFIED"), "{out}");
    assert_eq!(out.matches("PASS      timestamp.token").count(), 2, "{out}");
    assert!(
        out.contains("PASS      timestamp.coverage timestamps/: steps 0-"),
        "{out}"
    );

    // Only OpenSSL's root: its token covers every step, the development TSA's is labelled.
    let out = env.ok(
        &[
            "verify",
            "p.wacz",
            "--trust-operator",
            &fpr,
            "--trust-tsa",
            ossl_root,
        ],
        3,
    );
    assert!(out.contains("development TSA, not trusted"), "{out}");
    assert!(out.contains("PASS      timestamp.coverage"), "{out}");
    // No root at all: intact, not trusted, and the coverage says no step has trusted time.
    let out = env.ok(&["verify", "p.wacz", "--trust-operator", &fpr], 3);
    assert!(out.contains("no trusted time-stamp"), "{out}");

    // JSON gives every step its time.
    let out = env.ok(&[&both[..], &["--json"]].concat(), 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let time = v["time"].as_array().unwrap();
    assert!(
        !time.is_empty() && time.iter().all(|t| t["not_after"].is_string()),
        "{v}"
    );

    // A changed token fails, naming it (the manifest's digest, and the token itself).
    let wacz = env.path().join("p.wacz");
    rewrite_zip(&wacz, &env.path().join("t.wacz"), |name, b| {
        if name.starts_with("timestamps/") && name.ends_with(".tsr") {
            let n = b.len() - 80;
            b[n] ^= 0x01;
        }
    });
    let out = env.ok(
        &[
            "verify",
            "t.wacz",
            "--trust-operator",
            &fpr,
            "--trust-tsa",
            dev_root,
            "--trust-tsa",
            ossl_root,
        ],
        1,
    );
    assert!(
        out.contains("FAIL      file.digest        timestamps/"),
        "{out}"
    );

    // OpenSSL verifies the tokens in the package against the chain head they stamp.
    let dir = env.path().join("x");
    unzip(&wacz, &dir);
    let ossl_port = ossl
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    let mut checked = 0;
    for e in std::fs::read_dir(dir.join("timestamps")).unwrap().flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("tsr") {
            continue;
        }
        checked += 1;
        let q = p.with_extension("tsq");
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let root = if name.ends_with(&format!("_{ossl_port}.tsr")) {
            ossl_root
        } else {
            dev_root
        };
        let o = std::process::Command::new("openssl")
            .args([
                "ts",
                "-verify",
                "-queryfile",
                q.to_str().unwrap(),
                "-in",
                p.to_str().unwrap(),
                "-CAfile",
                root,
            ])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Verification: OK"),
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(checked, 2, "one token per TSA");
}

#[test]
fn a_tsa_that_is_down_or_lies_does_not_stop_sealing_and_is_reported() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dead = format!("http://127.0.0.1:{}/", free_port());
    let args = seal_args(&["--out", "p.wacz", "--tsa", &dead]);
    let out = env.run(&refs(&args));
    let err = String::from_utf8_lossy(&out.stderr);
    // Sealed and written, but not silently: exit 5 says the TSAs did not deliver.
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(env.path().join("p.wacz").exists());
    assert!(
        err.contains("0 of 1 time-stamp authorities stamped the final chain head")
            && err.contains("exit 5"),
        "{err}"
    );
    let out = env.ok(&["verify", "p.wacz", "--trust-operator", &fpr], 0);
    assert!(out.contains("no RFC 3161 time-stamps"), "{out}");
}

#[test]
fn renew_adds_a_renewal_that_verifies_and_cannot_be_forged() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dev = DevTsa::start(&env);
    let ossl = OpensslTsa::start(&env);
    let args = seal_args(&["--out", "p.wacz", "--tsa", &dev.url]);
    env.ok(&refs(&args), 0);
    let dev_root = dev.root.to_str().unwrap();
    let ossl_root = ossl.root.to_str().unwrap();
    // Renewal 1 by OpenSSL's TSA under SHA-512, keeping the development TSA's chain.
    env.ok(
        &[
            "renew",
            "p.wacz",
            "--out",
            "r.wacz",
            "--tsa",
            &ossl.url,
            "--alg",
            "sha512",
            "--trust-tsa",
            dev_root,
        ],
        0,
    );
    let trust = [
        "--trust-operator",
        &fpr,
        "--trust-tsa",
        dev_root,
        "--trust-tsa",
        ossl_root,
    ];
    let out = env.ok(&[&["verify", "r.wacz"][..], &trust].concat(), 0);
    assert!(
        out.contains("PASS      renewal.record     renewals/001.json: covers"),
        "{out}"
    );
    assert!(
        out.contains("PASS      renewal.token      renewals/001-1.tsr"),
        "{out}"
    );
    assert_wacz_valid(&env, "r.wacz");
    // The certificate file keeps the development TSA's chain.
    let pem =
        String::from_utf8(entry(&env.path().join("r.wacz"), "renewals/001-certs.pem")).unwrap();
    assert!(pem.matches("BEGIN CERTIFICATE").count() >= 2, "{pem}");
    // The original is untouched; renewing never overwrites.
    let out = env.run(&["renew", "p.wacz", "--out", "r.wacz", "--tsa", &ossl.url]);
    assert_eq!(out.status.code(), Some(2));

    let r = env.path().join("r.wacz");
    // A changed renewal record: its token no longer matches.
    rewrite_zip(&r, &env.path().join("t1.wacz"), |name, b| {
        if name == "renewals/001.json" {
            // One hex digit of the first listed digest.
            let at = b.windows(10).position(|w| w == b"\"digest\":\"").unwrap() + 10;
            b[at] = if b[at] == b'0' { b'1' } else { b'0' };
        }
    });
    let out = env.ok(&[&["verify", "t1.wacz"][..], &trust].concat(), 1);
    assert!(
        out.contains("FAIL      renewal.token      renewals/001-1.tsr"),
        "{out}"
    );
    // A renewal stripped of its token proves nothing.
    rewrite_zip_without(&r, &env.path().join("t2.wacz"), "renewals/001-1.tsr");
    let out = env.ok(&[&["verify", "t2.wacz"][..], &trust].concat(), 1);
    assert!(
        out.contains("a renewal without a time-stamp token proves nothing"),
        "{out}"
    );
    // A tampered package is not renewed.
    rewrite_zip(
        &env.path().join("p.wacz"),
        &env.path().join("bad.wacz"),
        |name, b| {
            if name.starts_with("artifacts/") {
                b[0] ^= 1;
            }
        },
    );
    let out = env.run(&[
        "renew",
        "bad.wacz",
        "--out",
        "bad-r.wacz",
        "--tsa",
        &ossl.url,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be renewed"));
    assert!(!env.path().join("bad-r.wacz").exists());
}

#[test]
fn tsas_roots_and_sm3_imprints_come_from_config_toml() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dev = DevTsa::start(&env);
    std::fs::write(
        env.home().join("config.toml"),
        format!(
            "[timestamp]\ntsa = [\"{}\"]\nimprint = \"both\"\ntrust = [\"{}\"]\n",
            dev.url,
            dev.root.parent().unwrap().display()
        ),
    )
    .unwrap();
    let args = seal_args(&["--out", "p.wacz"]);
    env.ok(&refs(&args), 0);
    // No flags: the configured roots are trusted; both heads were stamped.
    let out = env.ok(&["verify", "p.wacz", "--trust-operator", &fpr], 0);
    assert!(out.contains("SHA-256 imprint of the chain head"), "{out}");
    assert!(out.contains("SM3 imprint of the chain head"), "{out}");
    assert_eq!(out.matches("PASS      timestamp.token").count(), 2, "{out}");
    // A configuration with an unknown key is an error, not ignored.
    std::fs::write(env.home().join("config.toml"), "[timestamp]\ntsas = []\n").unwrap();
    let out = env.run(&["verify", "p.wacz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("config.toml"));
}

/// `seal <the sample files> <extra…>` as an argument list.
fn seal_args(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["seal".to_owned()];
    args.extend(samples().iter().map(|p| p.display().to_string()));
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
