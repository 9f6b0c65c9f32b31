//! A manual session: the operator drives the browser on their own screen; every navigation,
//! click, field edit, download and tab change is journaled as a step (with a screenshot of
//! what it did) until the operator ends the session, closes the last tab or closes the
//! browser.

use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::mpsc;
use webproof_browser::Chromium;
use webproof_browser::cdp::Hub;
use webproof_browser::manual::{Seen, Watcher};
use webproof_capture::manual::ManualEvent;
use webproof_capture::{Action, Session};
use webproof_evidence::capture::Capture;
use webproof_evidence::journal::NewStep;
use webproof_evidence::record::StepKind;
use webproof_evidence::utc::Utc;

use super::browser::{Edges, Ended};
use super::{Command, Failure};
use crate::Note;

/// What a turn of the session loop came to.
enum Turn {
    Go,
    End(&'static str),
}

pub(super) async fn session(
    cap: &mut Capture,
    hub: &Hub,
    browser: &mut Chromium,
    mut commands: mpsc::UnboundedReceiver<Command>,
    edges: &mut Edges<'_>,
) -> Result<(), Ended> {
    // Downloads land beside the capture directory and are journaled into it.
    let downloads = cap.dir().with_extension("downloads");
    let mut watcher = Watcher::start(hub, &downloads).await?;
    edges.obs.note(Note::Watching);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let end = loop {
        let turn = tokio::select! {
            seen = watcher.next() => observed(cap, &mut watcher, seen, edges).await?,
            command = commands.recv() => {
                command_turn(cap, browser, &watcher, command.unwrap_or(Command::Closed), edges)
                    .await?
            }
            why = edges.stop.wait() => return Err(Ended::Stopped(why)),
            _ = tick.tick() => Turn::Go,
        };
        if let Turn::End(why) = turn {
            break why;
        }
        edges.between(cap)?;
        if let Some(why) = edges.plan.limits.after_step(cap) {
            return Err(Ended::Stopped(why));
        }
    };
    let mut params = Map::new();
    params.insert(
        "text".into(),
        Value::String(format!("manual session ended: {end}")),
    );
    // Browser events past the watcher's bound were dropped: the evidence says how many.
    let dropped = watcher.dropped();
    if dropped > 0 {
        params.insert("dropped_browser_events".into(), Value::from(dropped));
    }
    let r = cap.append(NewStep::instant(StepKind::Note, params))?.0;
    edges.obs.step(&r);
    let _ = std::fs::remove_dir(&downloads);
    Ok(())
}

/// What the browser reported: the operator's action journaled as a step.
async fn observed(
    cap: &mut Capture,
    watcher: &mut Watcher,
    seen: Seen,
    edges: &mut Edges<'_>,
) -> Result<Turn, Failure> {
    let (ev, tab) = match seen {
        Seen::BrowserGone => return Ok(Turn::End("the browser was closed")),
        Seen::Action(ev, tab) => (ev, tab),
    };
    let started = Utc::now();
    let shot = if ev.wants_screenshot() {
        // Let the page paint what the action did.
        tokio::time::sleep(Duration::from_millis(300)).await;
        match watcher.screenshot(tab.as_deref()).await {
            Ok(png) => Some(png),
            Err(error) => {
                edges.obs.note(Note::NoScreenshot { error: &error });
                None
            }
        }
    } else {
        None
    };
    let closed = matches!(ev, ManualEvent::TabClosed { .. });
    let r = webproof_capture::manual::record(cap, ev, started, shot.as_deref())?;
    edges.obs.step(&r);
    super::journal::archive_downloads(edges.network, cap, &r);
    Ok(if closed && watcher.open_tabs() == 0 {
        Turn::End("the operator closed the last tab")
    } else {
        Turn::Go
    })
}

/// What the operator asked for.
async fn command_turn(
    cap: &mut Capture,
    browser: &mut Chromium,
    watcher: &Watcher,
    command: Command,
    edges: &mut Edges<'_>,
) -> Result<Turn, Failure> {
    match command {
        Command::End => return Ok(Turn::End("the operator ended the session")),
        Command::Closed => return Ok(Turn::End("the terminal closed (end of input)")),
        Command::Snapshot => {
            if let Some(tab) = watcher.active_tab().map(str::to_owned) {
                browser.focus_tab(&tab).await?;
            }
            for action in [Action::Screenshot, Action::Snapshot] {
                let r = Session::new(cap)
                    .run(browser, &action)
                    .await
                    .map_err(Failure::Step)?;
                edges.obs.step(&r);
            }
        }
        Command::Note(text) => {
            let r = cap.add_note(text.trim())?;
            edges.obs.step(&r);
        }
    }
    Ok(Turn::Go)
}
