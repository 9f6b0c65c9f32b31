//! A watch and its history: `watch.json` (what is watched, how often, whether it still runs)
//! and `history.jsonl` (one line per capture: its package, what it showed, what changed,
//! whether the page was gone), in the watch's directory.

use serde::{Deserialize, Serialize};
use webproof_evidence::utc::Utc;

use crate::WatchError;
use crate::compare::{Changes, Gone};

/// The shortest interval between two captures of a watch.
pub const MIN_EVERY_SECS: u64 = 60;

/// What is watched (`watch.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// The directory's name: the host and the first 8 hex digits of the URL's SHA-256.
    pub id: String,
    pub url: String,
    /// How often, as given (`6h`).
    pub every: String,
    pub every_secs: u64,
    /// Whether the watch ends by itself once the page is gone.
    pub until_gone: bool,
    /// The CSS selector of the element whose removal means the page is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The capture profile (`auto`: the one whose patterns match the URL).
    pub profile: String,
    /// More arguments for each `webproof capture`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capture_args: Vec<String>,
    pub created: Utc,
    /// Whether captures are due on the schedule (false once stopped, or gone with
    /// `until_gone`).
    pub active: bool,
    /// Why the watch ended, when it did by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
}

/// How a capture of the watch came out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The page was there.
    Present,
    /// The page was gone; `last_present` is the last package in which it was there.
    Gone {
        #[serde(flatten)]
        gone: Gone,
        last_present: Option<String>,
    },
    /// The page did not load (no such host, refused, timed out): not known to be gone.
    Unreachable { error: String },
    /// The capture ended without a package to judge (`package` may still hold what was
    /// captured, sealed after the failure).
    Failed { reason: String },
}

/// One line of `history.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based, in capture order.
    pub n: u32,
    /// When the capture began (this machine's clock; the package has the trusted time).
    pub at: Utc,
    /// The package, relative to the watch's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The main document's HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// What changed since the previous capture with a page (`None` for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
    /// The text diff's file, relative to the watch's directory, when the text changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl Entry {
    /// Whether the capture showed the page present.
    pub fn present(&self) -> bool {
        matches!(self.outcome, Outcome::Present)
    }
}

/// One watch as `webproof watch list --json` gives it: its `watch.json`, where it lives, how
/// many captures it has, the last one, and when the next is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    #[serde(flatten)]
    pub spec: Spec,
    /// The watch's directory (its packages' paths are relative to it).
    pub dir: String,
    pub captures: usize,
    pub last: Option<Entry>,
    /// When the next capture is due (UTC), for an active watch.
    pub next: Option<String>,
}

/// Reads `history.jsonl`: its entries up to the first line that does not parse (a line torn
/// by a kill ends the history; what was captured is still in its package).
pub fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .map_while(|l| serde_json::from_str::<Entry>(l).ok())
        .collect()
}

/// The last package in which the page was present.
pub fn last_present(history: &[Entry]) -> Option<&Entry> {
    history
        .iter()
        .rev()
        .find(|e| e.present() && e.package.is_some())
}

/// The first capture in which the page was present.
pub fn first_present(history: &[Entry]) -> Option<&Entry> {
    history.iter().find(|e| e.present() && e.package.is_some())
}

/// Whether the watch is due for a capture at `now`: it is active and its last capture began
/// at least its interval ago (or it has none).
pub fn due(spec: &Spec, history: &[Entry], now: &Utc) -> bool {
    spec.active && next_at(spec, history).is_none_or(|t| t <= now.as_offset().unix_timestamp())
}

/// When the next capture is due (Unix seconds), `None` when none was made yet.
pub fn next_at(spec: &Spec, history: &[Entry]) -> Option<i64> {
    let last = history.last()?;
    Some(
        last.at
            .as_offset()
            .unix_timestamp()
            .saturating_add(i64::try_from(spec.every_secs).unwrap_or(i64::MAX)),
    )
}

/// `6h`, `30m`, `1d 12h` as seconds, at least [`MIN_EVERY_SECS`].
pub fn parse_every(s: &str) -> Result<u64, WatchError> {
    let d = humantime::parse_duration(s.trim()).map_err(|_| WatchError::Duration(s.to_owned()))?;
    if d.as_secs() < MIN_EVERY_SECS {
        return Err(WatchError::TooOften(s.to_owned()));
    }
    Ok(d.as_secs())
}

/// The watch directory's name of `url`: its host (letters, digits, `.` and `-`) and the first
/// 8 hex digits of its SHA-256.
pub fn watch_id(url: &str) -> Result<String, WatchError> {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(WatchError::Url(url.to_owned()));
    };
    let host = host_slug(rest);
    if host.is_empty() {
        return Err(WatchError::Url(url.to_owned()));
    }
    let digest = webproof_evidence::digest::sha256(url.as_bytes()).to_string();
    Ok(format!("{host}-{}", &digest[..8]))
}

/// The host of `rest` (a URL after its `scheme://`) as a file name's part: letters, digits,
/// `.` and `-` kept, anything else `_`, at most 60 characters.
pub fn host_slug(rest: &str) -> String {
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect()
}

/// The package name of capture `n` begun at `at`: `NNNN-YYYYMMDDTHHMMSSZ.wacz`.
pub fn package_name(n: u32, at: &Utc) -> String {
    let t = at.as_offset();
    format!(
        "{n:04}-{:04}{:02}{:02}T{:02}{:02}{:02}Z.wacz",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(every_secs: u64) -> Spec {
        Spec {
            id: "shop.example-00000000".into(),
            url: "https://shop.example/item/42".into(),
            every: "6h".into(),
            every_secs,
            until_gone: true,
            element: None,
            case: None,
            profile: "auto".into(),
            capture_args: vec![],
            created: Utc::from_unix(1_700_000_000).unwrap(),
            active: true,
            ended: None,
        }
    }

    fn entry(n: u32, at: u64, outcome: Outcome) -> Entry {
        Entry {
            n,
            at: Utc::from_unix(at).unwrap(),
            package: Some(format!("{n:04}.wacz")),
            outcome,
            http_status: Some(200),
            final_url: None,
            title: String::new(),
            changes: None,
            diff: None,
        }
    }

    #[test]
    fn a_watch_is_due_when_its_interval_has_passed_since_the_last_capture() {
        let s = spec(3600);
        let at = |t| Utc::from_unix(t).unwrap();
        assert!(due(&s, &[], &at(1_700_000_000)));
        let h = [entry(1, 1_700_000_000, Outcome::Present)];
        assert_eq!(next_at(&s, &h), Some(1_700_003_600));
        assert!(!due(&s, &h, &at(1_700_003_599)));
        assert!(due(&s, &h, &at(1_700_003_600)));
        let stopped = Spec {
            active: false,
            ..s.clone()
        };
        assert!(!due(&stopped, &[], &at(1_800_000_000)));
        // An interval too long for the clock is never due, not due at once.
        assert!(!due(&spec(u64::MAX), &h, &at(1_800_000_000)));
    }

    #[test]
    fn intervals_are_human_durations_of_a_minute_or_more() {
        assert_eq!(parse_every("6h").unwrap(), 6 * 3600);
        assert_eq!(parse_every("1d 12h").unwrap(), 36 * 3600);
        assert_eq!(parse_every("60s").unwrap(), 60);
        assert!(matches!(parse_every("59s"), Err(WatchError::TooOften(_))));
        assert!(matches!(parse_every("often"), Err(WatchError::Duration(_))));
    }

    #[test]
    fn watch_ids_and_package_names_are_stable_and_safe() {
        let id = watch_id("https://shop.example:8443/item/42?x=1").unwrap();
        assert!(id.starts_with("shop.example_8443-"), "{id}");
        assert_eq!(id.len(), "shop.example_8443-".len() + 8);
        assert_eq!(
            watch_id("https://shop.example:8443/item/42?x=1").unwrap(),
            id
        );
        assert_ne!(watch_id("https://shop.example:8443/item/43").unwrap(), id);
        assert!(watch_id("ftp://x/").is_err());
        assert!(watch_id("https:///x").is_err());
        let at = Utc::parse("2026-12-06T14:05:09.000000Z").unwrap();
        assert_eq!(package_name(7, &at), "0007-20261206T140509Z.wacz");
    }

    #[test]
    fn the_history_reads_up_to_a_torn_line_and_names_the_last_present_package() {
        let gone = Outcome::Gone {
            gone: Gone::Status { status: 404 },
            last_present: Some("0002.wacz".into()),
        };
        let h = [
            entry(1, 1_700_000_000, Outcome::Present),
            entry(2, 1_700_003_600, Outcome::Present),
            entry(
                3,
                1_700_007_200,
                Outcome::Unreachable {
                    error: "net::ERR_CONNECTION_REFUSED".into(),
                },
            ),
            entry(4, 1_700_010_800, gone.clone()),
        ];
        let mut text: String = h
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        assert!(
            text.contains(r#""outcome":"gone","why":"status","status":404"#),
            "{text}"
        );
        text.push_str(r#"{"n":5,"at":"2026"#);
        let back = parse(&text);
        assert_eq!(back, h);
        assert_eq!(last_present(&back).map(|e| e.n), Some(2));
        assert_eq!(first_present(&back).map(|e| e.n), Some(1));
        assert_eq!(last_present(&back[2..]), None);
    }

    #[test]
    fn the_example_line_of_docs_watch_md_is_a_history_entry() {
        let doc = include_str!("../../../docs/watch.md");
        let json = doc
            .split("```json\n")
            .nth(1)
            .and_then(|r| r.split("```").next())
            .unwrap();
        let e: Entry = serde_json::from_str(json).unwrap();
        assert_eq!(e.n, 3);
        assert_eq!(
            e.outcome,
            Outcome::Gone {
                gone: Gone::Status { status: 404 },
                last_present: Some("0002-20261206T140002Z.wacz".into())
            }
        );
        let c = e.changes.unwrap();
        assert_eq!(c.status, Some([Some(200), Some(404)]));
        assert!(c.screenshot_changed());
        assert_eq!(e.diff.as_deref(), Some("0003.diff"));
    }
}
