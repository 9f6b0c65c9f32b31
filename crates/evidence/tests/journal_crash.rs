//! Kill a process while it appends to a journal (SIGKILL, no chance to clean up), reopen the
//! journal, and check that every record the child saw acknowledged is there and verifies.
//! The child is this same test binary, re-run in child mode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use webproof_evidence::capture::Capture;
use webproof_evidence::journal;
use webproof_evidence::layout;
use webproof_evidence::record::StepKind;

const CHILD_ENV: &str = "WEBPROOF_TEST_JOURNAL_CHILD";

/// Child mode: append large records forever, printing each acknowledged sequence number.
/// Not a test by itself (ignored, so it never counts as one that passed): the test below runs
/// it with `--ignored` in a child process and kills it.
#[test]
#[ignore = "the child half of killed_writer_loses_nothing_acknowledged, run only by it"]
fn journal_child_entry() {
    let dir = std::env::var(CHILD_ENV)
        .expect("run by killed_writer_loses_nothing_acknowledged, which sets the directory");
    let mut cap = Capture::create(std::path::Path::new(&dir)).unwrap();
    let filler = "x".repeat(300_000);
    loop {
        let (r, _) = cap.append(common::note(&filler)).unwrap();
        println!("acked {}", r.seq);
    }
}

#[test]
fn killed_writer_loses_nothing_acknowledged() {
    let exe = std::env::current_exe().unwrap();
    for round in 0..5u64 {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("capture");
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "journal_child_entry",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest may print "test name ... " before the first line of output.
                if let Some(i) = line.find("acked ") {
                    let _ = tx.send(line[i + 6..].trim().parse::<u64>().unwrap());
                }
            }
        });
        // Wait for some acknowledged records, then a little more, then kill -9.
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("child wrote nothing");
        assert_eq!(first, 0);
        std::thread::sleep(Duration::from_millis(20 + round * 37));
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let acked: Vec<u64> = std::iter::once(first).chain(rx.try_iter()).collect();
        let highest = *acked.iter().max().unwrap();

        // Whatever happened, the complete records form a valid chain…
        let bytes = std::fs::read(dir.join(layout::JOURNAL)).unwrap();
        let parsed = journal::parse(&bytes).expect("journal prefix must verify");
        assert!(
            parsed.records.len() as u64 > highest,
            "round {round}: acknowledged record lost"
        );

        // …and resuming keeps them all, saves any torn tail, and can add an interruption.
        let (mut cap, recovery) = Capture::resume(&dir).unwrap();
        assert_eq!(cap.records().len(), parsed.records.len());
        assert_eq!(recovery.torn_tail.is_some(), !parsed.torn_tail.is_empty());
        let r = cap
            .record_interruption("killed by the test", &recovery)
            .unwrap();
        assert_eq!(r.kind, StepKind::Interruption);
        if !parsed.torn_tail.is_empty() {
            let a = &r.artifacts[0];
            let kept = std::fs::read(dir.join(&a.path)).unwrap();
            assert_eq!(kept, parsed.torn_tail);
        }
        let again = journal::parse(&std::fs::read(dir.join(layout::JOURNAL)).unwrap()).unwrap();
        assert_eq!(again.records.len(), parsed.records.len() + 1);
        assert!(again.torn_tail.is_empty());
    }
}
