//! The browser part of a capture: Chromium launched, its DevTools connection feeding the
//! network archive (and the screencast when headless), the screen recording, the actions,
//! the manual session; then everything ended in order and journaled.

use std::path::Path;

use tokio::sync::mpsc;
use webproof_browser::Chromium;
use webproof_browser::cdp::Hub;
use webproof_browser::network::NetworkArchive;
use webproof_capture::{Session, SessionError};
use webproof_evidence::capture::Capture;
use webproof_evidence::layout;
use webproof_evidence::utc::Utc;
use webproof_recorder::{RecorderOptions, Recording};

use super::journal;
use super::{Command, Failure, Plan, Stop};
use crate::seal::Observer;
use crate::stamping::Stamper;
use crate::{Event, Note};

/// Why the browser session did not complete.
pub(super) enum Ended {
    /// A stop was asked for; why.
    Stopped(String),
    Failed(Failure),
}

impl From<Failure> for Ended {
    fn from(e: Failure) -> Self {
        Ended::Failed(e)
    }
}

impl From<webproof_capture::BrowserError> for Ended {
    fn from(e: webproof_capture::BrowserError) -> Self {
        Ended::Failed(e.into())
    }
}

impl From<webproof_evidence::capture::CaptureError> for Ended {
    fn from(e: webproof_evidence::capture::CaptureError) -> Self {
        Ended::Failed(e.into())
    }
}

/// What records the screen: x11grab of the browser's display, or the DevTools screencast.
pub(super) struct Recorder {
    pub(super) recording: Recording,
    forward: Option<tokio::task::JoinHandle<()>>,
}

/// What a session feeds besides the journal.
pub(super) struct Edges<'e> {
    pub(super) recorder: Option<&'e Recorder>,
    pub(super) network: Option<&'e NetworkArchive>,
    pub(super) stamper: Option<&'e mut Stamper>,
    pub(super) plan: &'e Plan,
    pub(super) stop: &'e Stop,
    pub(super) obs: &'e dyn Observer,
}

impl Edges<'_> {
    /// After a step: hands its downloads to the network archive, journals the recording
    /// segments closed so far, and keeps the trusted-time and log bookkeeping.
    pub(super) fn after_step(&mut self, cap: &mut Capture) -> Result<(), Failure> {
        if let Some(r) = cap.records().last() {
            journal::archive_downloads(self.network, cap, r);
        }
        self.between(cap)
    }

    /// Recording segments and checkpoints, between steps.
    pub(super) fn between(&mut self, cap: &mut Capture) -> Result<(), Failure> {
        if let Some(rec) = self.recorder {
            journal::segments(
                cap,
                rec.recording.closed_segments(),
                &self.plan.launch,
                self.obs,
            )?;
        }
        let started = checkpoint(cap, self.stamper.as_deref_mut(), self.plan, self.obs)?;
        if let Some(f) = &self.plan.between_steps {
            for r in f(cap, started).map_err(Failure::BetweenSteps)? {
                self.obs.step(&r);
            }
        }
        Ok(())
    }
}

/// The browser session: launch, the actions, the manual session, then the network archive,
/// the recording and the browser ended in order.
pub(super) async fn session(
    cap: &mut Capture,
    plan: &Plan,
    manual: Option<mpsc::UnboundedReceiver<Command>>,
    stamper: Option<&mut Stamper>,
    stop: &Stop,
    obs: &dyn Observer,
) -> Result<(), Ended> {
    let mut browser = tokio::select! {
        b = Chromium::launch(&plan.launch) => b?,
        why = stop.wait() => return Err(Ended::Stopped(why)),
    };
    let hub = match browser.debugger_address() {
        Some(addr) => Some(Hub::connect(&addr).await?),
        None => {
            obs.note(Note::NoDevtools);
            None
        }
    };
    let network = match &hub {
        Some(hub) => Some(start_network(hub, cap, plan).await?),
        None => None,
    };
    let video_dir = cap.dir().join(layout::VIDEO_DIR);
    let mut recorder = start_recorder(plan, &browser, hub.as_ref(), &video_dir).await?;
    let mut edges = Edges {
        recorder: recorder.as_ref(),
        network: network.as_ref(),
        stamper,
        plan,
        stop,
        obs,
    };
    let result = drive(cap, &mut browser, hub.as_ref(), manual, &mut edges).await;
    // However the session ended: the downloads folder, emptied by the navigations that took
    // their files (a partial file, if any, keeps it — unless the session was stopped: then it
    // is the download of the abandoned step, never journaled, and perhaps what reached the
    // disk quota).
    let downloads = cap.dir().with_extension("downloads");
    let _ = if matches!(result, Err(Ended::Stopped(_))) {
        std::fs::remove_dir_all(&downloads)
    } else {
        std::fs::remove_dir(&downloads)
    };
    if let Some(n) = network {
        match n.stop().await {
            Ok(summary) => journal::network(cap, summary, obs)?,
            Err(error) => obs.note(Note::NetworkFailed { error: &error }),
        }
    }
    if let Some(rec) = recorder.take() {
        if let Some(f) = rec.forward {
            f.abort();
        }
        match rec.recording.stop() {
            Ok((segs, stats)) => {
                journal::segments(cap, segs, &plan.launch, obs)?;
                journal::subtitles(cap, obs)?;
                obs.note(Note::Recorded { stats: &stats });
            }
            Err(error) => obs.note(Note::RecordingFailed { error: &error }),
        }
    }
    let _ = browser.close().await;
    result
}

/// The network archive of every tab and frame, into the capture's WARC. Values typed from
/// `{{ask:…}}` placeholders (and credential headers) never reach it: what was redacted is
/// recorded there instead.
async fn start_network(hub: &Hub, cap: &Capture, plan: &Plan) -> Result<NetworkArchive, Failure> {
    let dir = cap.dir().join("archive");
    std::fs::create_dir_all(&dir).map_err(|source| Failure::ArchiveDir { path: dir, source })?;
    let info =
        webproof_evidence::wacz::warcinfo(cap.id(), plan.case.as_deref(), &Utc::now(), &plan.tool);
    let redactor = webproof_evidence::warc::Redactor::new(plan.asked.iter().map(String::as_str));
    let n = webproof_browser::network::start(hub, &cap.dir().join(layout::WARC), info, redactor)
        .await?;
    hub.attach(vec![]).await?;
    Ok(n)
}

/// The browser opened, the actions, then the operator's session when it is manual.
async fn drive(
    cap: &mut Capture,
    browser: &mut Chromium,
    hub: Option<&Hub>,
    manual: Option<mpsc::UnboundedReceiver<Command>>,
    edges: &mut Edges<'_>,
) -> Result<(), Ended> {
    let r = Session::new(cap)
        .record_browser(&*browser)
        .map_err(Failure::Step)?;
    edges.obs.step(&r);
    // A URL that answers with a file (an attachment, an archive) is downloaded beside the
    // capture and journaled with its navigation (a manual session names its own downloads).
    let downloads = cap.dir().with_extension("downloads");
    browser.allow_downloads(&downloads).await?;
    for action in &edges.plan.actions {
        if let webproof_capture::Action::Navigate(_) = action
            && let Some(why) = edges.plan.limits.before_page(cap)
        {
            return Err(Ended::Stopped(why));
        }
        let mut session = Session::new(cap);
        let done = tokio::select! {
            r = session.run(browser, action) => r,
            why = edges.stop.wait() => return Err(Ended::Stopped(why)),
        };
        let r = match done {
            Ok(r) => r,
            Err(e) => return Err(failed_step(browser, cap, action.name(), e).await.into()),
        };
        edges.obs.step(&r);
        edges.after_step(cap)?;
    }
    if let Some(commands) = manual {
        let hub = hub.ok_or(Failure::NoDevtools)?;
        super::manual::session(cap, hub, browser, commands, edges).await?;
    }
    Ok(())
}

/// The error of a step that failed: said as the browser having gone when it has (closed,
/// crashed or killed), since a WebDriver error then only says that a connection broke.
async fn failed_step(
    browser: &mut Chromium,
    cap: &Capture,
    action: &'static str,
    e: SessionError,
) -> Failure {
    if !matches!(e, SessionError::Browser(_)) || browser.alive().await {
        return Failure::Step(e);
    }
    Failure::BrowserGone {
        step: cap.records().len() as u64,
        action,
        source: e,
    }
}

async fn start_recorder(
    plan: &Plan,
    browser: &Chromium,
    hub: Option<&Hub>,
    video_dir: &Path,
) -> Result<Option<Recorder>, Failure> {
    let Some(segment_secs) = plan.video else {
        return Ok(None);
    };
    let (width, height) = (plan.launch.width, plan.launch.height);
    let options = |source: &str| {
        let mut ro = RecorderOptions::new(source, video_dir);
        ro.segment_secs = segment_secs;
        ro.width = width;
        ro.height = height;
        ro
    };
    if let Some(display) = browser.display() {
        let recording =
            Recording::start(options(display)).map_err(|source| Failure::Recording {
                screencast: false,
                source,
            })?;
        return Ok(Some(Recorder {
            recording,
            forward: None,
        }));
    }
    let Some(hub) = hub else {
        return Ok(None);
    };
    let page = hub.pages().into_iter().next().ok_or(Failure::NoTab)?;
    let mut ro = options("screencast");
    ro.fps = 25;
    let (recording, feed) = Recording::start_frames(ro).map_err(|source| Failure::Recording {
        screencast: true,
        source,
    })?;
    let mut pictures =
        webproof_browser::screencast::start(hub, &page.session, width, height).await?;
    let forward = tokio::spawn(async move {
        while let Some(p) = pictures.recv().await {
            if !feed.send(p) {
                break;
            }
        }
    });
    Ok(Some(Recorder {
        recording,
        forward: Some(forward),
    }))
}

/// Collects arrived tokens and starts a checkpoint when enough steps or time have passed:
/// the step whose chain head it is of, when one was started.
fn checkpoint(
    cap: &Capture,
    stamper: Option<&mut Stamper>,
    plan: &Plan,
    obs: &dyn Observer,
) -> Result<Option<u64>, Failure> {
    let Some(st) = stamper else {
        return Ok(None);
    };
    st.collect(cap, &|n| obs.note(n))?;
    obs.event(Event::Trust(st.status()));
    let seq = cap.records().len() as u64 - 1;
    let (last, ago) = st.last_sent();
    let since = seq.saturating_sub(last.unwrap_or(0));
    let cadence = plan.cadence;
    if since > 0
        && (since >= cadence.steps.max(1)
            || ago >= cadence.every.max(std::time::Duration::from_secs(1)))
        && let Some(head) = cap.head()
    {
        st.start(cap, seq, &head)?;
        return Ok(Some(seq));
    }
    Ok(None)
}
