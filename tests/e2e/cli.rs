use crate::util::*;

#[test]
fn seal_then_verify_with_trust_levels_exit_codes_and_json() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    assert_eq!(fpr.len(), 64);
    let files: Vec<String> = samples().iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["seal"];
    args.extend(files.iter().map(|s| s.as_str()));
    args.extend([
        "--out",
        "case.wacz",
        "--case",
        "CASE-E2E",
        "--note",
        "sample files",
    ]);
    let out = env.ok(&args, 0);
    assert!(out.contains("sealed"), "{out}");

    // Not trusted: intact but untrusted, exit 3.
    let out = env.ok(&["verify", "case.wacz"], 3);
    assert!(
        out.contains("UNTRUSTED") && out.contains("INTACT, NOT TRUSTED"),
        "{out}"
    );
    // Trusted: exit 0.
    let out = env.ok(&["verify", "case.wacz", "--trust-operator", &fpr], 0);
    assert!(out.contains("VERIFIED"), "{out}");
    for s in samples() {
        let name = s.file_name().unwrap().to_string_lossy().to_lowercase();
        assert!(out.contains(&name), "{name} not reported:\n{out}");
    }
    // JSON: stable ids, language-neutral verdicts.
    let out = env.ok(
        &["verify", "case.wacz", "--trust-operator", &fpr, "--json"],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "pass");
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "package.container",
        "package.structure",
        "manifest.parse",
        "signature.operator",
        "identity.operator",
        "file.digest",
        "journal.chain",
        "journal.heads",
        "step.artifact",
        "wacz.datapackage",
        "wacz.digest",
    ] {
        assert!(ids.contains(&id), "{id} missing");
    }

    // The package is a valid WACZ for webrecorder's own validator.
    assert_wacz_valid(&env, "case.wacz");
}

#[test]
fn a_changed_byte_fails_verification_naming_the_file() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let f = env.write("evidence.txt", b"the infringing listing said: price 99");
    env.ok(&["seal", f.to_str().unwrap(), "--out", "p.wacz"], 0);
    // Rewrite the package with one byte of the artifact changed (a well-formed ZIP).
    rewrite_zip(
        &env.path().join("p.wacz"),
        &env.path().join("t.wacz"),
        |name, b| {
            if name.starts_with("artifacts/") {
                let n = b.len() - 3;
                b[n] = b'8'; // "99" -> "89"
            }
        },
    );
    let out = env.ok(&["verify", "t.wacz", "--trust-operator", &fpr], 1);
    assert!(
        out.contains("FAIL      file.digest        artifacts/000000-evidence.txt"),
        "{out}"
    );
    assert!(out.contains("FAILED"), "{out}");
}

#[test]
fn notary_countersigns_and_sm2_operator_works() {
    let env = Env::new();
    let op = env.init_operator("sm2");
    let notary_home = env.path().join("notary-home");
    let o = env
        .cmd()
        .env("WEBPROOF_HOME", &notary_home)
        .env("WEBPROOF_PASSPHRASE", "notary pass")
        .args([
            "operator",
            "init",
            "--role",
            "notary",
            "--name",
            "Notary Li",
            "--org",
            "Notary Office",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = env
        .cmd()
        .env("WEBPROOF_HOME", &notary_home)
        .args(["operator", "show", "--role", "notary", "--fingerprint"])
        .output()
        .unwrap();
    let nfp = String::from_utf8(o.stdout).unwrap().trim().to_owned();
    let f = env.write("a.txt", b"a");
    // Without the notary's passphrase: a clear input error, nothing sealed.
    let o = env.run(&[
        "seal",
        f.to_str().unwrap(),
        "--out",
        "n.wacz",
        "--notary-home",
        notary_home.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("WEBPROOF_NOTARY_PASSPHRASE"));
    assert!(!env.path().join("n.wacz").exists());
    let o = env
        .cmd()
        .env("WEBPROOF_NOTARY_PASSPHRASE", "notary pass")
        .args([
            "seal",
            f.to_str().unwrap(),
            "--out",
            "n.wacz",
            "--notary-home",
            notary_home.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = env.ok(&["verify", "n.wacz", "--trust-operator", &op], 3);
    assert!(out.contains("UNTRUSTED identity.notary"), "{out}");
    let out = env.ok(
        &[
            "verify",
            "n.wacz",
            "--trust-operator",
            &op,
            "--trust-notary",
            &nfp,
        ],
        0,
    );
    assert!(
        out.contains("PASS      signature.notary") && out.contains("sm2 signature by E2E Operator"),
        "{out}"
    );
}

#[test]
fn usage_and_input_errors_exit_2_with_a_reason() {
    let env = Env::new();
    let o = env.run(&["verify", "does-not-exist.wacz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does-not-exist.wacz"));
    assert_eq!(env.run(&["verify"]).status.code(), Some(2));
    assert_eq!(env.run(&["frobnicate"]).status.code(), Some(2));
    // No identity yet.
    let f = env.write("x.txt", b"x");
    let o = env.run(&["seal", f.to_str().unwrap(), "--out", "x.wacz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("operator init"));
    // No passphrase and no terminal.
    let o = env
        .cmd()
        .env_remove("WEBPROOF_PASSPHRASE")
        .args(["operator", "init", "--name", "N"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("WEBPROOF_PASSPHRASE"));
    // A new key's passphrase has at least 8 characters, and on a terminal it is asked twice
    // (`script` gives the command a terminal and types for the user).
    let o = env
        .cmd()
        .env("WEBPROOF_PASSPHRASE", "short")
        .args(["operator", "init", "--name", "N"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("at least 8 characters"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let typed = |answers: &str| {
        let mut c = env.cmd();
        c.env_remove("WEBPROOF_PASSPHRASE");
        let program = c.get_program().to_string_lossy().into_owned();
        let mut child = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{program} operator init --name N"),
                "/dev/null",
            ])
            .current_dir(env.path())
            .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env_remove("WEBPROOF_PASSPHRASE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux)");
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        for line in answers.lines() {
            std::thread::sleep(std::time::Duration::from_millis(300));
            writeln!(stdin, "{line}").unwrap();
        }
        drop(stdin);
        let o = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
    };
    let said = typed("long enough 1\nlong enough 2");
    assert!(said.contains("The same passphrase again"), "{said}");
    assert!(said.contains("the two passphrases differ"), "{said}");
    assert!(!env.home().join("operator/key.pem").exists());
    let said = typed("long enough 1\nlong enough 1");
    assert!(env.home().join("operator/key.pem").exists(), "{said}");
    std::fs::remove_dir_all(env.home().join("operator")).unwrap();
    // Wrong passphrase.
    env.init_operator("ed25519");
    let o = env
        .cmd()
        .env("WEBPROOF_PASSPHRASE", "wrong")
        .args(["seal", f.to_str().unwrap(), "--out", "x.wacz"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("passphrase"));
    // Never overwrites a package; never replaces an identity silently.
    env.ok(&["seal", f.to_str().unwrap(), "--out", "x.wacz"], 0);
    let before = std::fs::read(env.path().join("x.wacz")).unwrap();
    assert_eq!(
        env.run(&["seal", f.to_str().unwrap(), "--out", "x.wacz"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(std::fs::read(env.path().join("x.wacz")).unwrap(), before);
    assert_eq!(
        env.run(&["operator", "init", "--name", "Other"])
            .status
            .code(),
        Some(2)
    );
    // No such package: exit 2, and with --json still one JSON document saying why.
    let o = env.run(&["verify", "no-such.wacz", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["package"], "no-such.wacz");
    assert!(v["error"].as_str().unwrap().contains("no-such.wacz"), "{v}");
    // Garbage as a package: verification fails (exit 1), with the reason.
    env.write("junk.wacz", b"not a zip");
    let out = env.ok(&["verify", "junk.wacz"], 1);
    assert!(
        out.contains("FAIL      package.container")
            && out.contains("not in the one ZIP form webproof writes"),
        "{out}"
    );
}

/// A reader that stops reading (`webproof … | head`) ends the output quietly, as with any Unix
/// tool: no panic trace, status 0 (all written before) or 141 (SIGPIPE's).
#[test]
fn a_closed_pipe_ends_the_output_without_a_panic() {
    let env = Env::new();
    for _ in 0..3 {
        let mut child = env
            .cmd()
            .args(["profiles", "list"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            matches!(o.status.code(), Some(0 | 141)),
            "{:?} {err}",
            o.status
        );
    }
}
