//! webproof.exe (x86_64-pc-windows-gnu, scripts/build-windows.sh) under Debian's wine: it seals
//! and verifies as the Linux binary does — every verdict of the one equal to the other's, on
//! packages either made, genuine and tampered — writes the HTML report, and says that
//! capturing needs Linux.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::*;

/// The wine prefix of the whole run, under target/.
fn prefix() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wine-prefix")
}

/// webproof.exe, built from the sources as they are (a no-op when nothing changed), and the
/// wine prefix made ready, once for the tests that run side by side (two first runs of wine
/// on one new prefix would both set it up).
fn exe() -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    BUILD.call_once(|| {
        let st = Command::new("bash")
            .arg(root.join("scripts/build-windows.sh"))
            .arg("--wine")
            .status()
            .unwrap();
        assert!(st.success(), "scripts/build-windows.sh failed");
        let st = Command::new("wine")
            .args(["wineboot", "--init"])
            .env("WINEPREFIX", prefix())
            .env("WINEDEBUG", "-all")
            .status()
            .expect("wine (package wine)");
        assert!(st.success(), "wineboot --init failed");
    });
    root.join("target/x86_64-pc-windows-gnu/debug/webproof.exe")
}

/// `wine webproof.exe ARGS` in `env`'s directory, with its home and passphrase.
fn wine(env: &Env, args: &[&str]) -> Output {
    Command::new("wine")
        .arg(exe())
        .args(args)
        .env("WINEPREFIX", prefix())
        .env("WINEDEBUG", "-all")
        .env("WEBPROOF_HOME", env.home())
        .env("WEBPROOF_PASSPHRASE", PASS)
        .env("WEBPROOF_LANG", "en")
        .current_dir(env.path())
        .output()
        .expect("wine (package wine64)")
}

/// The checks of `verify --json` as (id, subject, verdict), and the verdict.
fn verdicts(json: &[u8], what: &str) -> (Vec<String>, String) {
    let v: serde_json::Value = serde_json::from_slice(json)
        .unwrap_or_else(|e| panic!("{what}: {e}: {}", String::from_utf8_lossy(json)));
    let checks = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {} {}", c["id"], c["subject"], c["verdict"]))
        .collect();
    (checks, v["verdict"].as_str().unwrap().to_owned())
}

#[test]
fn webproof_exe_seals_and_verifies_under_wine_as_the_linux_binary_does() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let o = wine(&env, &["--version"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        env.ok(&["--version"], 0).trim()
    );
    // Sealed by each: the same sample, with the same operator key (the home is shared).
    let sample = samples()[0].display().to_string();
    env.ok(&["seal", &sample, "--out", "linux.wacz"], 0);
    let o = wine(&env, &["seal", &sample, "--out", "windows.wacz"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Tampered, from the package webproof.exe made: a changed byte, a dropped member, cut short.
    let win = env.path().join("windows.wacz");
    rewrite_zip(&win, &env.path().join("changed.wacz"), |name, bytes| {
        if name.starts_with("artifacts/") && !bytes.is_empty() {
            bytes[0] ^= 1;
        }
    });
    rewrite_zip_without(
        &win,
        &env.path().join("dropped.wacz"),
        "evidence/manifest.json",
    );
    let all = std::fs::read(&win).unwrap();
    env.write("cut.wacz", &all[..all.len() - 100]);

    for (name, code) in [
        ("linux.wacz", 0),
        ("windows.wacz", 0),
        ("changed.wacz", 1),
        ("dropped.wacz", 1),
        ("cut.wacz", 1),
    ] {
        let args = ["verify", "--json", name, "--trust-operator", &fpr];
        let linux = env.run(&args);
        let windows = wine(&env, &args);
        assert_eq!(linux.status.code(), Some(code), "{name} on Linux");
        assert_eq!(windows.status.code(), Some(code), "{name} under wine");
        let (l, lv) = verdicts(&linux.stdout, name);
        let (w, wv) = verdicts(&windows.stdout, name);
        assert_eq!(w, l, "{name}: the checks differ");
        assert_eq!(wv, lv, "{name}");
    }
    // The HTML report; printing it to PDF and capturing need Linux, and say so.
    let o = wine(&env, &["report", "windows.wacz", "--out", "w.html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(env.path().join("w.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("windows.wacz"));
    let o = wine(&env, &["capture", "http://127.0.0.1:9/", "--out", "c.wacz"]);
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("capturing needs Linux"), "{said}");
    assert!(!env.path().join("c.wacz").exists());
    let o = wine(
        &env,
        &[
            "report",
            "windows.wacz",
            "--out",
            "p.html",
            "--pdf",
            "p.pdf",
        ],
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("PDF needs Linux"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Under `dev up` (its config.toml): webproof.exe reaches the alliance over HTTP — its seal
/// is time-stamped and deposited, its package verifies as the Linux binary's verdict says,
/// `log lookup --file` proves the sealed file's deposit, and `timestamp request`/`verify` agree
/// with Linux.
#[test]
fn webproof_exe_stamps_deposits_and_looks_up_under_wine() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let _dev = crate::alliance::DevUp::start(&env);
    let sample = samples()[0].display().to_string();
    let o = wine(&env, &["seal", &sample, "--out", "w.wacz"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args = ["verify", "--json", "w.wacz", "--trust-operator", &fpr];
    let linux = env.run(&args);
    let windows = wine(&env, &args);
    let (l, lv) = verdicts(&linux.stdout, "linux");
    let (w, wv) = verdicts(&windows.stdout, "windows");
    assert_eq!(w, l, "the checks differ");
    assert_eq!((wv.as_str(), lv.as_str()), ("pass", "pass"), "{l:#?}");
    assert!(
        l.iter().any(|c| c.starts_with("\"receipt.deposit\"")),
        "{l:#?}"
    );
    let o = wine(&env, &["log", "lookup", "--file", &sample]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(said.starts_with("DEPOSITED and PROVEN: file "), "{said}");
    // A token requested and checked by webproof.exe, checked by Linux too.
    let cfg: toml::Table = std::fs::read_to_string(env.home().join("config.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let tsa = cfg["timestamp"]["tsa"][0].as_str().unwrap().to_owned();
    let root = cfg["timestamp"]["trust"][0].as_str().unwrap().to_owned();
    let o = wine(
        &env,
        &[
            "timestamp",
            "request",
            "--tsa",
            &tsa,
            "--data",
            &sample,
            "-o",
            "t.tsr",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args = [
        "timestamp",
        "verify",
        "t.tsr",
        "--data",
        &sample,
        "--trust",
        &root,
    ];
    let (linux, windows) = (env.run(&args), wine(&env, &args));
    assert_eq!(
        linux.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&linux.stderr)
    );
    assert_eq!(
        windows.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&windows.stderr)
    );
    let first = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(first(&windows), first(&linux));
    assert!(first(&linux).starts_with("TRUSTED"), "{}", first(&linux));
}
