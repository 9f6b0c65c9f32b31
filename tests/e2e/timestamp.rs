//! `webproof tsa serve --dev`, `webproof timestamp request|verify` as a user runs them, and
//! OpenSSL's verdict on the same token.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::util::*;

/// A running `webproof tsa serve --dev`, killed on drop.
pub struct DevTsa {
    child: Child,
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
            child,
            url,
            root: env.home().join("dev-tsa/root.pem"),
        }
    }
}

impl Drop for DevTsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
