//! `webproof capture --events` (docs/app-events.md): every line of stdout is one JSON event
//! the document names, with the members it lists; steps arrive in order with their digests,
//! sealing phases in the documented order, and the last event names the package written.

use crate::util::*;

#[test]
fn capture_events_are_json_lines_as_documented() {
    let env = Env::new();
    env.init_operator("ed25519");
    let site = crate::site::serve();
    let out = env.path().join("ev.wacz");
    let o = env.run(&[
        "capture",
        &format!("{site}/"),
        "--out",
        out.to_str().unwrap(),
        "--headless",
        "--no-video",
        "--events",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/app-events.md"),
    )
    .unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // Every line is an event of the engine's typed stream, as the app reads it.
    for l in stdout.lines() {
        assert!(
            webproof_engine::Event::parse(l).is_some(),
            "not a webproof_engine::Event: {l}"
        );
    }
    let name = |e: &serde_json::Value| e["event"].as_str().unwrap().to_owned();
    for e in &events {
        let n = name(e);
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{n}` |")))
            .unwrap_or_else(|| panic!("event {n} is not in docs/app-events.md"));
        for (k, _) in e.as_object().unwrap() {
            assert!(
                k == "event" || row.contains(&format!("`{k}`")),
                "member {k} of {n} is not documented"
            );
        }
    }
    assert_eq!(name(&events[0]), "line");
    assert!(events.iter().any(|e| name(e) == "environment"));
    let seqs: Vec<u64> = events
        .iter()
        .filter(|e| name(e) == "step")
        .map(|e| {
            assert_eq!(e["sha256"].as_str().unwrap().len(), 64);
            assert_eq!(e["sm3"].as_str().unwrap().len(), 64);
            e["seq"].as_u64().unwrap()
        })
        .collect();
    assert!(seqs.len() >= 4, "{seqs:?}");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let phases: Vec<String> = events
        .iter()
        .filter(|e| name(e) == "phase")
        .map(|e| e["phase"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(phases, ["report", "hashing", "packaging", "verifying"]);
    let last = events.last().unwrap();
    assert_eq!(name(last), "sealed");
    assert_eq!(last["package"], out.display().to_string());
    // Every step of the package was announced, the seal step last.
    assert_eq!(
        seqs,
        (0..last["steps"].as_u64().unwrap()).collect::<Vec<_>>()
    );
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "step")
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"environment"));
    assert_eq!(kinds.last(), Some(&"seal"));
    assert!(kinds.contains(&"network-archive"), "{kinds:?}");
    // The chain head the event names is the package's.
    let manifest: serde_json::Value =
        serde_json::from_slice(&entry(&out, "evidence/manifest.json")).unwrap();
    assert_eq!(last["chain_head"], manifest["journal"]["head"]);
    // Messages went into `line` events, not to stderr.
    assert!(
        String::from_utf8_lossy(&o.stderr).trim().is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn batch_events_are_json_lines_as_documented() {
    let env = Env::new();
    env.init_operator("ed25519");
    let site = crate::site::serve();
    env.write(
        "urls.txt",
        format!("{site}/index.html\nhttp://127.0.0.1:9/\n").as_bytes(),
    );
    let o = env.run(&[
        "batch",
        "urls.txt",
        "--out",
        "b",
        "--events",
        "--parallel",
        "2",
        "--",
        "--headless",
        "--no-video",
    ]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/app-events.md"),
    )
    .unwrap();
    let section = doc.split("## A batch").nth(1).unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    let mut events = Vec::new();
    for l in stdout.lines() {
        let e = webproof_engine::events::BatchEvent::parse(l)
            .unwrap_or_else(|| panic!("not a BatchEvent: {l}"));
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let n = v["event"].as_str().unwrap().to_owned();
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| `{n}` |")))
            .unwrap_or_else(|| panic!("event {n} is not in docs/app-events.md"));
        for (k, _) in v.as_object().unwrap() {
            assert!(
                k == "event" || k == "text" || row.contains(&format!("`{k}`")),
                "member {k} of {n} is not documented"
            );
        }
        events.push(e);
    }
    use webproof_engine::events::BatchEvent as B;
    assert!(
        matches!(&events[0], B::Queue { urls, done, .. } if urls.len() == 2 && done.is_empty()),
        "{events:?}"
    );
    // Each URL: started, then how it ended.
    let states = |k: usize| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                B::Url { n, state, .. } if *n == k => Some(state.as_str().to_owned()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(states(1), ["started", "sealed"], "{events:?}");
    assert_eq!(
        states(2).last().map(String::as_str),
        Some("failed"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, B::Url { n: 1, state, package: Some(p), .. }
            if state.as_str() == "sealed" && std::path::Path::new(p).is_file())),
        "{events:?}"
    );
    assert!(
        matches!(
            events.last(),
            Some(B::Summary {
                total: 2,
                sealed: 1,
                failed: 1,
                ..
            })
        ),
        "{events:?}"
    );
}

#[test]
fn a_batch_told_to_stop_starts_no_more_captures_and_goes_on_when_run_again() {
    use std::io::{BufRead, Write};
    use webproof_engine::events::BatchEvent as B;
    let env = Env::new();
    env.init_operator("ed25519");
    let site = crate::site::serve();
    env.write(
        "urls.txt",
        format!("{site}/index.html\n{site}/gallery.html\n{site}/zh.html\n").as_bytes(),
    );
    let args = [
        "batch",
        "urls.txt",
        "--out",
        "b",
        "--events",
        "--",
        "--headless",
        "--no-video",
    ];
    let mut child = env
        .cmd()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut events = Vec::new();
    for l in std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        let e = B::parse(&l).unwrap_or_else(|| panic!("not a BatchEvent: {l}"));
        // Stop as soon as the first capture starts: it ends as it does, no other starts.
        if matches!(&e, B::Url { n: 1, state, .. } if state.as_str() == "started") {
            writeln!(stdin, "stop").unwrap();
            stdin.flush().unwrap();
        }
        events.push(e);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(4), "{events:?}");
    let started: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            B::Url { n, state, .. } if state.as_str() == "started" => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(started, [1], "{events:?}");
    assert!(
        matches!(
            events.last(),
            Some(B::Summary {
                sealed: 1,
                pending: 2,
                ..
            })
        ),
        "{events:?}"
    );
    // Again: the first is done, the other two are captured.
    let o = env.run(&args);
    assert!(o.status.success());
    let again: Vec<B> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter_map(B::parse)
        .collect();
    assert!(
        matches!(&again[0], B::Queue { done, .. } if done == &[1]),
        "{again:?}"
    );
    assert!(
        matches!(
            again.last(),
            Some(B::Summary {
                sealed: 3,
                pending: 0,
                ..
            })
        ),
        "{again:?}"
    );
}
