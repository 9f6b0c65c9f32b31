//! The event stream's contract (docs/app-events.md): what the engine writes, a reader reads
//! back as the same value; the documented example is valid; readers skip what they do not know.

#![allow(clippy::unwrap_used)]
use webproof_capture::environment::Grade;
use webproof_engine::events::{
    Event, Phase, StepEvent, SupervisionEvent, SupervisionState, TrustStatus,
};
use webproof_evidence::digest::digest_bytes;
use webproof_evidence::record::{Artifact, StepKind};
use webproof_evidence::utc::Utc;

fn doc_lines() -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/app-events.md"
    ))
    .unwrap();
    let start = doc.find("```json\n").unwrap() + 8;
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].lines().map(str::to_owned).collect()
}

#[test]
fn the_documented_example_is_what_the_engine_writes() {
    let lines = doc_lines();
    assert_eq!(lines.len(), 7, "{lines:#?}");
    let events: Vec<Event> = lines
        .iter()
        .map(|l| Event::parse(l).unwrap_or_else(|| panic!("not an event: {l}")))
        .collect();
    match &events[0] {
        Event::Environment { worst, findings } => {
            assert_eq!(*worst, Grade::Warning);
            assert_eq!(findings[0].id, "hosts");
        }
        e => panic!("{e:?}"),
    }
    match &events[1] {
        Event::Step(s) => {
            assert_eq!((s.seq, s.kind), (2, StepKind::Navigate));
            assert_eq!(s.artifacts[0].size, 48211);
        }
        e => panic!("{e:?}"),
    }
    match &events[3] {
        Event::Supervision(s) => {
            assert_eq!(s.state, SupervisionState::Waiting);
            assert!(s.code.as_deref().unwrap().starts_with("127.0.0.1:7117/"));
            assert!(s.text.contains(s.code.as_deref().unwrap()));
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        events[4],
        Event::Phase {
            phase: Phase::Timestamping
        }
    );
    assert!(matches!(&events[6], Event::Sealed(s) if s.steps == 11 && s.notary.is_none()));
    // Written again, each line is the documented one, byte for byte.
    for (e, l) in events.iter().zip(&lines) {
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&e.to_line()).unwrap(),
            serde_json::from_str::<serde_json::Value>(l).unwrap(),
            "{l}"
        );
    }
}

#[test]
fn every_event_reads_back_as_written() {
    let d = digest_bytes(b"step");
    let events = vec![
        Event::Step(StepEvent {
            seq: 0,
            kind: StepKind::Environment,
            url: None,
            time: Utc::parse("2026-12-04T10:00:00.000000Z").unwrap(),
            artifacts: vec![Artifact {
                path: "artifacts/000000-environment.json".into(),
                media_type: "application/json".into(),
                size: 7,
                sha256: d.sha256,
                sm3: d.sm3,
            }],
            sha256: Some(d.sha256),
            sm3: Some(d.sm3),
        }),
        Event::Trust(TrustStatus {
            tsas: 2,
            quorum: 1,
            stamped_seq: None,
            stamped_by: 0,
            log: false,
            deposited: 0,
        }),
        Event::Phase {
            phase: Phase::Verifying,
        },
        Event::Line {
            text: "第 1 步".into(),
        },
        Event::Error {
            message: "m".into(),
            detail: "d: e".into(),
        },
        Event::Supervision(SupervisionEvent {
            state: SupervisionState::Refused,
            code: None,
            notary: Some("王公证 (杭州互联网公证处)".into()),
            fingerprint: Some(d.sha256.to_hex()),
            statement: None,
            seq: Some(4),
            reason: Some("not the shop applied for".into()),
            text: "公证员拒绝".into(),
        }),
    ];
    for e in events {
        let line = e.to_line();
        assert!(!line.contains('\n'), "{line}");
        assert_eq!(Event::parse(&line), Some(e));
    }
}

#[test]
fn readers_skip_what_they_do_not_know() {
    // An event a newer engine may add, and a line that is no event at all.
    assert_eq!(Event::parse(r#"{"event":"progress","percent":50}"#), None);
    assert_eq!(Event::parse("webproof: error: x"), None);
    assert_eq!(Event::parse(r#"{"text":"no tag"}"#), None);
    // A member a newer engine may add to a known event.
    assert_eq!(
        Event::parse(r#"{"event":"phase","phase":"hashing","of":3}"#),
        Some(Event::Phase {
            phase: Phase::Hashing
        })
    );
    // A known event with a member of the wrong type is not that event.
    assert_eq!(Event::parse(r#"{"event":"trust","tsas":"two"}"#), None);
}
