//! The capture session in process, with a real Chromium (headless, the DevTools screencast
//! recorded by FFmpeg) against a page served on loopback: every step is journaled and heard,
//! the recording and the network archive are journaled when the browser ends, the package
//! sealed from it verifies; a stop — before the browser starts or during a step — is journaled
//! as an interruption after what was captured; an unreachable target leaves nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::cell::RefCell;
use std::time::Duration;

use common::*;
use tokio::sync::watch;
use webproof_capture::Action;
use webproof_engine::capture::{Cadence, Ending, Plan, Recorded, RunError, Stop, record};
use webproof_engine::seal::Observer;
use webproof_engine::{Event, Note};
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, SecretKey};
use webproof_evidence::layout;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_verify::{Policy, Verdict};

const PAGE: &str = "<!doctype html><title>Engine page</title><h1>Infringing listing</h1>\
    <p style='height:1500px'>Counterfeit goods, 99 yuan.</p>";

/// A page on loopback; its URL.
fn site(rt: &tokio::runtime::Runtime) -> String {
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async { axum::response::Html(PAGE) }),
    );
    let l = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    rt.spawn(async move { axum::serve(l, app).await.unwrap() });
    url
}

fn plan(url: &str, actions: Vec<Action>) -> Plan {
    Plan {
        url: url.to_owned(),
        actions,
        asked: vec![],
        manual: None,
        launch: webproof_browser::LaunchOptions {
            headless: true,
            ..Default::default()
        },
        video: Some(1),
        case: Some("CASE-E".into()),
        tool: "webproof engine test".into(),
        resolvers: vec![],
        override_env: Some("the test machine is a container".into()),
        clock_tsa: None,
        cadence: Cadence {
            steps: 25,
            every: Duration::from_secs(60),
        },
        after_step0: None,
        between_steps: None,
        limits: Default::default(),
    }
}

/// Hears the session, and asks it to stop once it has heard a step of kind `stop_after`.
struct Stopping {
    heard: Heard,
    steps: RefCell<Vec<StepRecord>>,
    stop_after: Option<StepKind>,
    tx: watch::Sender<Option<String>>,
}

impl Stopping {
    fn new(stop_after: Option<StepKind>) -> (Self, Stop) {
        let (tx, stop) = Stop::channel();
        let s = Stopping {
            heard: Heard::default(),
            steps: RefCell::default(),
            stop_after,
            tx,
        };
        (s, stop)
    }

    fn notes(&self) -> Vec<String> {
        self.heard.notes.borrow().clone()
    }
}

impl Observer for Stopping {
    fn event(&self, event: Event) {
        self.heard.event(event);
    }
    fn note(&self, note: Note<'_>) {
        self.heard.note(note);
    }
    fn step(&self, r: &StepRecord) {
        self.steps.borrow_mut().push(r.clone());
        if Some(r.kind) == self.stop_after {
            self.tx.send_replace(Some("the test asked to stop".into()));
        }
        self.heard.event(Event::Step(r.into()));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn kinds(cap: &Capture) -> Vec<StepKind> {
    cap.records().iter().map(|r| r.kind).collect()
}

#[test]
fn a_headless_capture_journals_every_step_and_its_recording_and_seals_verified() {
    let rt = runtime();
    let url = site(&rt);
    let t = tempfile::tempdir().unwrap();
    let cap = Capture::create(&t.path().join("cap")).unwrap();
    let (obs, stop) = Stopping::new(None);
    let actions = vec![
        Action::Navigate(url.clone()),
        Action::Screenshot,
        Action::Note("listing seen".into()),
    ];
    // What the caller journals after step 0 (a supervising notary's presence) comes right
    // after it, before the browser's first step, and is heard like any step.
    let mut plan = plan(&url, actions);
    plan.after_step0 = Some(Box::new(|cap: &mut Capture| {
        Ok(vec![cap.add_note("after step 0")?])
    }));
    let Recorded { cap, ending } = record(cap, plan, None, &stop, &obs, rt.handle()).unwrap();
    assert_eq!(
        cap.records()[1].params.get("text").and_then(|t| t.as_str()),
        Some("after step 0")
    );
    assert!(matches!(ending, Ending::Complete), "{ending:?}");
    let kinds = kinds(&cap);
    assert_eq!(kinds[0], StepKind::Environment);
    for k in [
        StepKind::Navigate,
        StepKind::Screenshot,
        StepKind::Note,
        StepKind::NetworkArchive,
        StepKind::VideoSegment,
    ] {
        assert!(kinds.contains(&k), "no {k:?} step in {kinds:?}");
    }
    assert!(!kinds.contains(&StepKind::Interruption), "{kinds:?}");
    // Every journaled step was heard, in order, as it was journaled.
    let heard: Vec<u64> = obs.steps.borrow().iter().map(|r| r.seq).collect();
    assert_eq!(heard, (0..cap.records().len() as u64).collect::<Vec<_>>());
    let notes = obs.notes();
    // Step 0's findings come first, before anything else is said.
    assert!(notes[0].starts_with("environment "), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.starts_with("recorded ")),
        "{notes:?}"
    );
    // The subtitle track of the recording is a step of its own.
    let subtitles = cap.dir().join(layout::SUBTITLES);
    assert!(
        std::fs::read_to_string(&subtitles)
            .unwrap()
            .starts_with("WEBVTT")
    );
    // The WARC holds the page as served.
    let warc = std::fs::read(cap.dir().join(layout::WARC)).unwrap();
    assert!(warc.windows(PAGE.len()).any(|w| w == PAGE.as_bytes()));

    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    let out = t.path().join("engine.wacz");
    seal_kept(cap, &key, &doc, &out, &obs.heard).unwrap();
    let policy = Policy {
        trusted_operators: vec![doc.fingerprint],
        ..Policy::default()
    };
    let report = webproof_verify::verify_path(&out, &policy).unwrap();
    assert_ne!(report.verdict(), Verdict::Fail, "{report:?}");
}

#[test]
fn a_stop_before_the_browser_starts_is_journaled_and_nothing_is_launched() {
    let rt = runtime();
    let url = site(&rt);
    let t = tempfile::tempdir().unwrap();
    let cap = Capture::create(&t.path().join("cap")).unwrap();
    let (obs, stop) = Stopping::new(None);
    obs.tx.send_replace(Some("asked before".into()));
    let actions = vec![Action::Navigate(url.clone())];
    let Recorded { cap, ending } =
        record(cap, plan(&url, actions), None, &stop, &obs, rt.handle()).unwrap();
    assert!(
        matches!(&ending, Ending::Stopped(why) if why == "asked before"),
        "{ending:?}"
    );
    assert_eq!(kinds(&cap), [StepKind::Environment, StepKind::Interruption]);
    let reason = cap.records()[1].params["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        reason.contains("asked before; the browser was not started"),
        "{:?}",
        cap.records()[1].params
    );
}

#[test]
fn a_stop_during_a_step_keeps_what_was_captured_and_journals_why_after_it() {
    let rt = runtime();
    let url = site(&rt);
    let t = tempfile::tempdir().unwrap();
    let cap = Capture::create(&t.path().join("cap")).unwrap();
    // Asked to stop once the page is journaled: the long wait after it is abandoned.
    let (obs, stop) = Stopping::new(Some(StepKind::Navigate));
    let actions = vec![
        Action::Navigate(url.clone()),
        Action::Wait {
            selector: Some("#never".into()),
            timeout_ms: 60_000,
        },
        Action::Screenshot,
    ];
    let started = std::time::Instant::now();
    let Recorded { cap, ending } =
        record(cap, plan(&url, actions), None, &stop, &obs, rt.handle()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "the wait was not abandoned"
    );
    assert!(
        matches!(&ending, Ending::Stopped(why) if why == "the test asked to stop"),
        "{ending:?}"
    );
    let kinds = kinds(&cap);
    assert!(!kinds.contains(&StepKind::Screenshot), "{kinds:?}");
    // The network archive is journaled before the interruption, which is last.
    assert!(kinds.contains(&StepKind::NetworkArchive), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&StepKind::Interruption), "{kinds:?}");
}

#[test]
fn an_unreachable_target_is_refused_and_its_directory_removed() {
    let rt = runtime();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("cap");
    let cap = Capture::create(&dir).unwrap();
    let (obs, stop) = Stopping::new(None);
    let r = record(
        cap,
        plan(&url, vec![Action::Navigate(url.clone())]),
        None,
        &stop,
        &obs,
        rt.handle(),
    );
    match r {
        Err(RunError::Unreachable { finding }) => assert_eq!(finding.id, "reach"),
        Err(e) => panic!("{e}"),
        Ok(r) => panic!("captured: {:?}", r.ending),
    }
    assert!(!dir.exists());
}
