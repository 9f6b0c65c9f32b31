//! Kill `webproof seal` (SIGKILL) in the middle of a deposit, then seal what it left with
//! `webproof captures resume`: every journaled step is kept and an interruption step says
//! what happened; the result verifies.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::util::*;

#[test]
fn killed_seal_is_resumed_into_an_intact_package_that_says_it_was_interrupted() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let mut files = Vec::new();
    for i in 0..12u32 {
        let data: Vec<u8> = (0..40_000_000u32)
            .map(|j| (j.wrapping_mul(2654435761).wrapping_add(i) >> 11) as u8)
            .collect();
        files.push(
            env.write(&format!("big{i:02}.bin"), &data)
                .display()
                .to_string(),
        );
    }
    let mut args = vec!["seal".to_owned()];
    args.extend(files.iter().cloned());
    args.extend(["--out".into(), "never.wacz".into()]);
    let mut child = env
        .cmd()
        .args(&args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.trim_start().starts_with("step 1:") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!env.path().join("never.wacz").exists(), "{seen:?}");

    let list = env.ok(&["captures", "list"], 0);
    let dir = list
        .lines()
        .next()
        .expect("the killed capture's directory is listed")
        .to_owned();
    let out = env.ok(
        &[
            "captures",
            "resume",
            &dir,
            "--out",
            "resumed.wacz",
            "--case",
            "CRASH-1",
        ],
        0,
    );
    assert!(out.contains("sealed"), "{out}");
    // Intact, and not called VERIFIED: the interruption is a finding a court must hear.
    let out = env.ok(&["verify", "resumed.wacz", "--trust-operator", &fpr], 4);
    assert!(out.contains("INTACT WITH FINDINGS"), "{out}");
    assert!(
        out.contains("FINDING   capture.outcome") && out.contains("without sealing"),
        "{out}"
    );

    // The journal: file steps that were acknowledged, then interruption, then seal.
    let recs = journal(&env.path().join("resumed.wacz"));
    let kinds = kinds(&env.path().join("resumed.wacz"));
    let n = kinds.len();
    assert!(n >= 4, "{kinds:?}");
    assert_eq!(kinds[n - 1], "seal");
    assert_eq!(kinds[n - 2], "interruption");
    assert!(
        kinds[..n - 2].iter().all(|k| k == "file") && n - 2 >= 2,
        "{kinds:?}"
    );
    let interruption = &recs[n - 2];
    assert!(
        interruption["params"]["reason"]
            .as_str()
            .unwrap()
            .contains("without sealing")
    );
}
