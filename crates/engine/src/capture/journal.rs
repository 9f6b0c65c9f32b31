//! What the recording and the network archive leave, journaled as steps: each closed video
//! segment, the subtitle track of the step timeline, and the WARC with its CDXJ index and
//! page list.

use serde_json::{Map, Value, json};
use webproof_browser::LaunchOptions;
use webproof_browser::network::{NetworkArchive, NetworkSummary};
use webproof_evidence::capture::{Capture, CaptureError};
use webproof_evidence::journal::NewStep;
use webproof_evidence::layout;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::utc::Utc;
use webproof_recorder::Segment;

use super::Failure;
use crate::seal::Observer;

/// Hands the files of a `download` step to the network archive, which pairs them with the
/// responses the browser reported without a body (or keeps them as `resource` records).
pub(super) fn archive_downloads(network: Option<&NetworkArchive>, cap: &Capture, r: &StepRecord) {
    let Some(n) = network else {
        return;
    };
    // A navigation that answered with a file keeps it as its last artifact.
    if r.kind == StepKind::Navigate {
        if let (Some(_), Some(url), Some(a)) = (r.params.get("file"), &r.url, r.artifacts.last()) {
            n.archive_download(url, &cap.dir().join(&a.path));
        }
        return;
    }
    if r.kind != StepKind::Download {
        return;
    }
    // Profile downloads list their URLs in `files` (failures have no file); an operator's
    // download is the step's URL.
    let urls: Vec<&str> = match r.params.get("files").and_then(Value::as_array) {
        Some(files) => files
            .iter()
            .filter(|f| f.get("file").is_some())
            .filter_map(|f| f["url"].as_str())
            .collect(),
        None => r.url.as_deref().into_iter().collect(),
    };
    for (url, a) in urls.iter().zip(&r.artifacts) {
        n.archive_download(url, &cap.dir().join(&a.path));
    }
}

/// Journals each closed recording segment as a `video-segment` step, timed by the segment.
pub(super) fn segments(
    cap: &mut Capture,
    segs: Vec<Segment>,
    launch: &LaunchOptions,
    obs: &dyn Observer,
) -> Result<(), Failure> {
    for seg in segs {
        let rel = format!(
            "{}/{}",
            layout::VIDEO_DIR,
            seg.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let mut params = Map::new();
        params.insert("segment".into(), seg.index.into());
        params.insert("frames".into(), seg.frames.into());
        params.insert("codec".into(), "h264".into());
        params.insert("size".into(), json!([launch.width, launch.height]));
        params.insert(
            "source".into(),
            if launch.headless {
                "DevTools screencast"
            } else {
                "x11grab"
            }
            .into(),
        );
        let step = NewStep {
            kind: StepKind::VideoSegment,
            started: Utc::from_offset(seg.started.into()),
            ended: Utc::from_offset(seg.ended.into()),
            url: None,
            params,
            artifacts: vec![],
        };
        let r = cap
            .add_step_for_files(step, &[(rel.as_str(), "video/mp4")])
            .map_err(|source| Failure::Segment {
                path: seg.path.clone(),
                source,
            })?;
        obs.step(&r);
    }
    Ok(())
}

/// Writes `video/steps.vtt` (the step timeline as WebVTT, timed from the first video segment)
/// and journals it as a `note` step.
pub(super) fn subtitles(cap: &mut Capture, obs: &dyn Observer) -> Result<(), Failure> {
    let records = cap.records();
    let videos = || records.iter().filter(|r| r.kind == StepKind::VideoSegment);
    let Some(start) = videos().map(|r| r.started).min() else {
        return Ok(());
    };
    let end = videos().map(|r| r.ended).max().unwrap_or(start);
    let mut steps = Vec::with_capacity(records.len());
    for r in records {
        let d = r.digests().map_err(Failure::Hash)?;
        steps.push((r.clone(), d));
    }
    let vtt = webproof_capture::vtt::timeline(&start, &end, &steps);
    let rel = layout::SUBTITLES;
    webproof_evidence::package::write_file(&cap.dir().join(rel), vtt.as_bytes())
        .map_err(CaptureError::from)?;
    let mut params = Map::new();
    params.insert(
        "text".into(),
        "subtitle track of the step timeline for the screen recording".into(),
    );
    let step = NewStep::instant(StepKind::Note, params);
    let r = cap.add_step_for_files(step, &[(rel, "text/vtt")])?;
    obs.step(&r);
    Ok(())
}

/// Writes the CDXJ index and the WACZ page list for the archived traffic, then journals the
/// WARC, index and pages as one `network-archive` step.
pub(super) fn network(
    cap: &mut Capture,
    summary: NetworkSummary,
    obs: &dyn Observer,
) -> Result<(), CaptureError> {
    let mut lines: Vec<String> = summary.index.iter().map(|e| e.line()).collect();
    lines.sort();
    let mut cdx = lines.join("\n");
    if !cdx.is_empty() {
        cdx.push('\n');
    }
    webproof_evidence::package::write_file(&cap.dir().join(layout::CDX), cdx.as_bytes())?;
    let mut pages = String::from(webproof_evidence::wacz::PAGES_HEADER);
    for r in cap
        .records()
        .iter()
        .filter(|r| r.kind == StepKind::Navigate)
    {
        // (A navigation always names its URL.)
        let Some(url) = &r.url else { continue };
        let page = webproof_evidence::wacz::Page {
            id: format!("step-{}", r.seq),
            url: url.clone(),
            ts: r.ended.to_string(),
            title: r
                .params
                .get("title")
                .and_then(|t| t.as_str())
                .unwrap_or_default()
                .to_owned(),
        };
        pages.push_str(&page.line());
    }
    webproof_evidence::package::write_file(&cap.dir().join(layout::PAGES), pages.as_bytes())?;
    let mut params = Map::new();
    params.insert("responses".into(), summary.responses.into());
    params.insert("failed_requests".into(), summary.failures.into());
    params.insert("body_bytes".into(), summary.bytes.into());
    params.insert(
        "source".into(),
        "Chrome DevTools Protocol (Network domain, every tab and frame)".into(),
    );
    let step = NewStep::instant(StepKind::NetworkArchive, params);
    let r = cap.add_step_for_files(
        step,
        &[
            (layout::WARC, "application/warc"),
            (layout::CDX, "application/cdxj"),
            (layout::PAGES, "application/x-ndjson"),
        ],
    )?;
    obs.step(&r);
    Ok(())
}
