//! What a capture directory does at its edges — files no step names after a crash, a step
//! without files — checked so that a change to either fails a test (gaps found by
//! `bash scripts/mutants.sh evidence`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use webproof_evidence::capture::Capture;
use webproof_evidence::layout;
use webproof_evidence::record::StepKind;
use webproof_evidence::utc::Utc;

#[test]
fn an_interruption_keeps_only_the_files_no_step_names() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    let shot = cap
        .add_step(
            StepKind::Screenshot,
            Utc::now(),
            None,
            serde_json::Map::new(),
            &[("shot.png", "image/png", b"a screenshot".as_slice())],
        )
        .unwrap();
    let journaled = shot.artifacts[0].path.clone();
    // A file written just before a crash, before its step was journaled.
    let stray = layout::artifact_path(7, "stray.bin");
    std::fs::write(dir.join(&stray), b"written, never journaled").unwrap();
    drop(cap);

    let (mut cap, recovery) = Capture::resume(&dir).unwrap();
    let r = cap.record_interruption("the test", &recovery).unwrap();
    assert_eq!(
        r.params["unjournaled_artifacts"],
        serde_json::json!([stray]),
        "only the file no step names is unjournaled"
    );
    let kept: Vec<&str> = r.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(kept, [stray.as_str()]);
    assert!(!kept.contains(&journaled.as_str()));
    assert_eq!(r.params["steps_before"], 1);
}

#[test]
fn a_step_without_files_needs_no_artifacts_folder() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    std::fs::remove_dir(dir.join(layout::ARTIFACTS_DIR)).unwrap();
    let mut params = serde_json::Map::new();
    params.insert("text".into(), "no files".into());
    let r = cap
        .add_step(StepKind::Note, Utc::now(), None, params, &[])
        .expect("a step without files touches no artifacts folder");
    assert!(r.artifacts.is_empty());
}
