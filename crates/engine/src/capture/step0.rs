//! Step 0: the clean-environment check — the machine, the route to the target, the clock
//! against a TSA's and the log's latest witnessed checkpoint — journaled before the browser
//! starts.

use serde_json::{Map, json};
use webproof_capture::environment::{self, EnvReport, Finding, Grade};
use webproof_evidence::capture::Capture;
use webproof_evidence::record::StepKind;
use webproof_evidence::utc::Utc;

use super::{Plan, RunError};
use crate::Note;
use crate::machine::LocalMachine;
use crate::seal::Observer;
use crate::stamping::{self, Stamper};

/// What step 0 decided.
pub(super) enum Step0 {
    /// Capture (the environment is clean, or the operator overrode what failed).
    Go,
    /// The environment failed and the operator did not override it.
    Refused,
    /// The target cannot be captured from here: the finding that says why.
    Unreachable(Box<Finding>),
}

/// Step 0: the environment report, journaled with the TSA's answer to the clock probe and the
/// log's latest witnessed checkpoint (the session began after it existed).
pub(super) fn environment_step(
    cap: &mut Capture,
    plan: &Plan,
    stamper: Option<&Stamper>,
    obs: &dyn Observer,
    rt: &tokio::runtime::Handle,
) -> Result<Step0, RunError> {
    let started = Utc::now();
    let note = |n: Note<'_>| obs.note(n);
    let log_checkpoint = stamper
        .and_then(Stamper::depositor)
        .and_then(|d| d.latest_checkpoint(&note));
    let clock = plan
        .clock_tsa
        .as_deref()
        .map(|url| rt.block_on(stamping::clock_probe(url)));
    let probe = environment::Probe {
        target_url: Some(plan.url.clone()),
        chromium: plan.launch.chromium.clone(),
        chromedriver: plan.launch.chromedriver.clone(),
        webproof_version: plan.tool.clone(),
        resolvers: plan.resolvers.clone(),
        trusted_time: clock.as_ref().map(|c| c.time.clone()),
    };
    // The probes block (DNS, connections, processes): off the runtime's workers.
    let report = rt
        .block_on(rt.spawn_blocking(move || environment::collect(&probe, &LocalMachine)))
        .map_err(RunError::Environment)?;
    obs.note(Note::Environment { report: &report });
    let worst = report.worst();
    let mut params = params(&report, plan);
    let bytes = serde_json::to_vec_pretty(&report).map_err(RunError::Encode)?;
    let mut files: Vec<(&str, &str, &[u8])> =
        vec![("environment.json", "application/json", &bytes)];
    // The TSA's answer to the clock probe: anyone can check the genTime the finding cites.
    if let Some(tsr) = clock.as_ref().and_then(|c| c.response.as_deref()) {
        files.push(("clock-check.tsr", "application/timestamp-reply", tsr));
    }
    if let Some(note) = &log_checkpoint {
        files.push(("log-checkpoint.txt", "text/plain", note.as_bytes()));
        params.insert(
            "log_checkpoint".into(),
            json!(note.lines().take(3).collect::<Vec<_>>()),
        );
    }
    let r = cap.add_step(
        StepKind::Environment,
        started,
        Some(plan.url.clone()),
        params,
        &files,
    )?;
    obs.step(&r);
    if let Some(f) = report.target_unusable() {
        return Ok(Step0::Unreachable(Box::new(f.clone())));
    }
    Ok(if worst != Grade::Fail || plan.override_env.is_some() {
        Step0::Go
    } else {
        Step0::Refused
    })
}

/// The environment step's parameters: the worst grade, each finding, the override.
fn params(report: &EnvReport, plan: &Plan) -> Map<String, serde_json::Value> {
    let worst = report.worst();
    let mut params = Map::new();
    params.insert("worst".into(), worst.as_str().into());
    params.insert(
        "findings".into(),
        json!(
            report
                .findings
                .iter()
                .map(|f| json!({"id": f.id, "grade": f.grade, "summary": f.summary}))
                .collect::<Vec<_>>()
        ),
    );
    if worst == Grade::Fail {
        params.insert("override".into(), json!(plan.override_env));
    }
    params
}
