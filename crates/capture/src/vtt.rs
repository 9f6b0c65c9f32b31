//! A WebVTT subtitle track of the step timeline, so a viewer of the screen recording sees
//! which step ran when (time, step, URL, chain-head prefix).

use webproof_evidence::digest::Digests;
use webproof_evidence::record::StepRecord;
use webproof_evidence::utc::Utc;

fn stamp(ms: i128) -> String {
    let ms = ms.max(0);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

fn millis(from: &Utc, to: &Utc) -> i128 {
    (to.as_offset() - from.as_offset()).whole_milliseconds()
}

/// WebVTT for `steps` (with the chain head after each), timed from `video_start` and ending
/// with the recording at `video_end`. Each cue lasts until the next step starts (at least one
/// second, and never past the recording's end). Steps that began before the recording did are
/// one cue at its first moment, naming them all, rather than a pile of cues at 00:00:00.
pub fn timeline(video_start: &Utc, video_end: &Utc, steps: &[(StepRecord, Digests)]) -> String {
    // Cues must be in start-time order; video segments start before the steps they show.
    let mut sorted: Vec<&(StepRecord, Digests)> = steps.iter().collect();
    sorted.sort_by_key(|(r, _)| (r.started, r.seq));
    let end_of_video = millis(video_start, video_end).max(1000);
    let (before, during): (Vec<_>, Vec<_>) = sorted
        .into_iter()
        .partition(|(r, _)| millis(video_start, &r.started) < 0);
    let mut out = String::from("WEBVTT - webproof step timeline\n\n");
    let mut n = 0;
    let first = during
        .first()
        .map_or(end_of_video, |(r, _)| millis(video_start, &r.started));
    if let Some((last, head)) = before.last() {
        n += 1;
        let names: Vec<String> = before
            .iter()
            .map(|(r, _)| format!("{} {}", r.seq, r.kind.as_str()))
            .collect();
        out.push_str(&format!(
            "{n}\n{} --> {}\nbefore the recording started: steps {}\nchain head SHA-256 {}… (after step {})\n\n",
            stamp(0),
            stamp(if first > 0 { first } else { 1000.min(end_of_video) }),
            names.join(", "),
            &head.sha256.to_hex()[..16],
            last.seq
        ));
    }
    for (i, (r, head)) in during.iter().enumerate() {
        let start = millis(video_start, &r.started);
        if start >= end_of_video {
            break; // after the last frame: nothing shows it
        }
        let next = during
            .get(i + 1)
            .map(|n| millis(video_start, &n.0.started))
            .unwrap_or(start + 3000);
        let end = next.max(start + 1000).min(end_of_video);
        let url = r.url.as_deref().unwrap_or("");
        // A cue's text may not contain "-->" or blank lines.
        let url = url.replace("-->", "->").replace('\n', " ");
        n += 1;
        out.push_str(&format!(
            "{n}\n{} --> {}\n{} UTC · step {} · {}\n{}\nchain head SHA-256 {}…\n\n",
            stamp(start),
            stamp(end),
            r.started,
            r.seq,
            r.kind.as_str(),
            if url.is_empty() { "-" } else { &url },
            &head.sha256.to_hex()[..16]
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_evidence::digest::digest_bytes;
    use webproof_evidence::record::{RECORD_VERSION, StepKind};

    #[test]
    fn cues_follow_the_steps() {
        let t = |s: &str| Utc::parse(s).unwrap();
        let rec = |seq, at: &str, url: Option<&str>| StepRecord {
            v: RECORD_VERSION,
            capture: "c".into(),
            seq,
            kind: StepKind::Navigate,
            started: t(at),
            ended: t(at),
            url: url.map(str::to_owned),
            params: Default::default(),
            artifacts: vec![],
            prev: None,
        };
        let d = digest_bytes(b"x");
        let steps = vec![
            (rec(0, "2025-12-31T23:59:58.000000Z", None), d),
            (
                rec(1, "2026-01-01T00:00:01.250000Z", Some("http://a/-->b")),
                d,
            ),
            (rec(2, "2026-01-01T00:01:05.000000Z", None), d),
        ];
        let v = timeline(
            &t("2026-01-01T00:00:00.000000Z"),
            &t("2026-01-01T00:01:06.500000Z"),
            &steps,
        );
        assert!(v.starts_with("WEBVTT"));
        // The step before the recording: one cue, named, until the first recorded step.
        assert!(
            v.contains(
                "00:00:00.000 --> 00:00:01.250\nbefore the recording started: steps 0 navigate\n"
            ),
            "{v}"
        );
        assert!(v.contains("00:00:01.250 --> 00:01:05.000\n"), "{v}");
        // The last cue ends with the video, not three seconds after.
        assert!(v.contains("00:01:05.000 --> 00:01:06.500\n"), "{v}");
        assert_eq!(v.matches(" --> ").count(), 3, "{v}");
        assert!(v.contains("http://a/->b") && !v.contains("a/-->b"));
        assert!(v.contains(&format!("chain head SHA-256 {}…", &d.sha256.to_hex()[..16])));
    }
}
