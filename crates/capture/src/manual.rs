//! Manual mode: the operator drives the visible browser and every navigation, click, field
//! edit, form submission, download and tab change becomes a step. This module is pure: it
//! turns what the page and the browser report into [`ManualEvent`]s and journals them; the
//! browser edge (`webproof-browser`) delivers the events and the screenshots.

use std::path::PathBuf;

use serde_json::{Map, Value};
use webproof_evidence::capture::{Capture, CaptureError};
use webproof_evidence::journal::NewStep;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::utc::Utc;

/// The script installed in every document (see the `scripts` module), and the name of the
/// DevTools binding it reports through.
pub const RECORDER_SCRIPT: &str = crate::scripts::MANUAL_RECORDER;
pub const BINDING: &str = "__webproofEvent";
/// The isolated world the recorder runs in (its execution context's name).
pub const RECORDER_WORLD: &str = "webproof-recorder";

/// Longest text field kept from a page report.
const MAX_TEXT: usize = 10_000;

/// Something the operator did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManualEvent {
    /// A top-level document finished loading (or its fragment changed).
    Load {
        url: String,
        title: String,
        referrer: Option<String>,
    },
    Click {
        url: String,
        selector: String,
        text: String,
        href: Option<String>,
        in_frame: bool,
    },
    /// A field's value after the operator changed it; secrets arrive already masked.
    Input {
        url: String,
        selector: String,
        name: Option<String>,
        field_type: String,
        value: String,
        masked: bool,
        in_frame: bool,
    },
    Submit {
        url: String,
        selector: String,
        action: Option<String>,
        method: String,
    },
    TabOpened {
        target: String,
        url: String,
    },
    TabShown {
        url: String,
        title: String,
    },
    TabClosed {
        target: String,
    },
    /// A finished download, saved by the browser at `file`.
    Download {
        url: String,
        suggested_name: String,
        file: PathBuf,
    },
    /// A download that did not finish.
    DownloadFailed {
        url: String,
        state: String,
    },
}

fn text(v: &Value, key: &str) -> String {
    let s = v.get(key).and_then(Value::as_str).unwrap_or("");
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(|_| text(v, key))
}

/// The value of a recorder's `secret` report — what the operator typed into a password or
/// card field — if `payload` is one. It goes only to the network archive's redactor, never into
/// a step ([`ManualEvent::from_page`] gives `None` for it).
pub fn secret_of(payload: &str) -> Option<String> {
    if payload.len() > 1 << 20 {
        return None;
    }
    let v: Value = serde_json::from_str(payload).ok()?;
    if v.get("type")?.as_str()? != "secret" {
        return None;
    }
    Some(v.get("value")?.as_str()?.to_owned()).filter(|s| !s.is_empty())
}

impl ManualEvent {
    /// Parses one report of the in-page recorder. Unknown or malformed reports give `None`:
    /// a hostile page can send anything through the binding, and nothing it sends can do more
    /// than add a step describing what it claimed.
    pub fn from_page(payload: &str) -> Option<Self> {
        if payload.len() > 1 << 20 {
            return None;
        }
        let v: Value = serde_json::from_str(payload).ok()?;
        let url = text(&v, "url");
        let in_frame = v.get("frame").and_then(Value::as_bool).unwrap_or(false);
        Some(match v.get("type")?.as_str()? {
            "load" => ManualEvent::Load {
                url,
                title: text(&v, "title"),
                referrer: opt_text(&v, "referrer"),
            },
            "click" => ManualEvent::Click {
                url,
                selector: text(&v, "selector"),
                text: text(&v, "text"),
                href: opt_text(&v, "href"),
                in_frame,
            },
            "input" => {
                let masked = v.get("masked").and_then(Value::as_bool).unwrap_or(false);
                let mut value = text(&v, "value");
                if masked {
                    // Never trust the page to have masked it.
                    value = "\u{2022}".repeat(value.chars().count());
                }
                ManualEvent::Input {
                    url,
                    selector: text(&v, "selector"),
                    name: opt_text(&v, "name"),
                    field_type: text(&v, "field_type"),
                    value,
                    masked,
                    in_frame,
                }
            }
            "submit" => ManualEvent::Submit {
                url,
                selector: text(&v, "selector"),
                action: opt_text(&v, "action"),
                method: text(&v, "method"),
            },
            "tab-shown" => ManualEvent::TabShown {
                url,
                title: text(&v, "title"),
            },
            _ => return None,
        })
    }

    /// Whether the step should keep a screenshot of the page after it.
    pub fn wants_screenshot(&self) -> bool {
        !matches!(
            self,
            ManualEvent::TabClosed { .. } | ManualEvent::DownloadFailed { .. }
        )
    }
}

/// Journals one manual event as a step, with the screenshot taken after it (if any) and, for
/// a download, the downloaded file (moved into the package).
pub fn record(
    cap: &mut Capture,
    ev: ManualEvent,
    started: Utc,
    screenshot: Option<&[u8]>,
) -> Result<StepRecord, CaptureError> {
    let mut p = Map::new();
    p.insert("by".into(), "operator".into());
    let (kind, url) = match ev {
        ManualEvent::Load {
            url,
            title,
            referrer,
        } => {
            p.insert("title".into(), title.into());
            p.insert("referrer".into(), referrer.into());
            (StepKind::Navigate, Some(url))
        }
        ManualEvent::Click {
            url,
            selector,
            text,
            href,
            in_frame,
        } => {
            p.insert("selector".into(), selector.into());
            p.insert("text".into(), text.into());
            p.insert("href".into(), href.into());
            p.insert("in_frame".into(), in_frame.into());
            (StepKind::Click, Some(url))
        }
        ManualEvent::Input {
            url,
            selector,
            name,
            field_type,
            value,
            masked,
            in_frame,
        } => {
            p.insert("selector".into(), selector.into());
            p.insert("name".into(), name.into());
            p.insert("field_type".into(), field_type.into());
            p.insert("text".into(), value.into());
            p.insert("masked".into(), masked.into());
            p.insert("in_frame".into(), in_frame.into());
            (StepKind::Input, Some(url))
        }
        ManualEvent::Submit {
            url,
            selector,
            action,
            method,
        } => {
            p.insert("selector".into(), selector.into());
            p.insert("submit".into(), true.into());
            p.insert("action".into(), action.into());
            p.insert("method".into(), method.into());
            (StepKind::Click, Some(url))
        }
        ManualEvent::TabOpened { target, url } => {
            p.insert("event".into(), "opened".into());
            p.insert("tab".into(), target.into());
            (StepKind::Tab, Some(url))
        }
        ManualEvent::TabShown { url, title } => {
            p.insert("event".into(), "shown".into());
            p.insert("title".into(), title.into());
            (StepKind::Tab, Some(url))
        }
        ManualEvent::TabClosed { target } => {
            p.insert("event".into(), "closed".into());
            p.insert("tab".into(), target.into());
            (StepKind::Tab, None)
        }
        ManualEvent::DownloadFailed { url, state } => {
            p.insert("state".into(), state.into());
            (StepKind::Download, Some(url))
        }
        ManualEvent::Download {
            url,
            suggested_name,
            file,
        } => {
            p.insert("suggested_name".into(), suggested_name.clone().into());
            p.insert("state".into(), "completed".into());
            let step = NewStep {
                kind: StepKind::Download,
                started,
                ended: Utc::now(),
                url: Some(url),
                params: p,
                artifacts: vec![],
            };
            let mime = mime_guess::from_path(&suggested_name)
                .first_raw()
                .unwrap_or("application/octet-stream");
            return cap.add_step_moving_file(step, &file, &suggested_name, mime);
        }
    };
    let files: Vec<(&str, &str, &[u8])> = match screenshot {
        Some(png) => vec![("viewport.png", "image/png", png)],
        None => vec![],
    };
    cap.add_step(kind, started, url, p, &files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_report_is_for_the_redactor_only() {
        let p = r#"{"type":"secret","value":"hunter2","frame":false,"url":"http://x/"}"#;
        assert_eq!(secret_of(p).as_deref(), Some("hunter2"));
        assert_eq!(ManualEvent::from_page(p), None);
        assert_eq!(secret_of(r#"{"type":"secret","value":""}"#), None);
        assert_eq!(
            secret_of(r#"{"type":"input","value":"x","masked":true}"#),
            None
        );
    }

    #[test]
    fn page_reports_parse_and_secrets_stay_masked() {
        let e = ManualEvent::from_page(
            r#"{"type":"input","url":"http://x/","selector":"input#pw","name":"pw","field_type":"password","value":"hunter2","masked":true,"frame":false}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            ManualEvent::Input {
                url: "http://x/".into(),
                selector: "input#pw".into(),
                name: Some("pw".into()),
                field_type: "password".into(),
                value: "•••••••".into(),
                masked: true,
                in_frame: false,
            }
        );
        let c = ManualEvent::from_page(
            r#"{"type":"click","url":"http://x/","selector":"a","text":"Next","href":"http://x/2","frame":true}"#,
        )
        .unwrap();
        assert!(matches!(c, ManualEvent::Click { in_frame: true, .. }));
        for bad in [
            "",
            "null",
            "[]",
            r#"{"type":"rm -rf"}"#,
            r#"{"type":5}"#,
            "{\"type\":\"load\"",
        ] {
            assert_eq!(ManualEvent::from_page(bad), None, "{bad}");
        }
        let long = format!(
            r#"{{"type":"load","url":"{}","title":"t"}}"#,
            "u".repeat(20_000)
        );
        let ManualEvent::Load { url, .. } = ManualEvent::from_page(&long).unwrap() else {
            panic!()
        };
        assert_eq!(url.len(), MAX_TEXT);
    }

    #[test]
    fn events_become_steps_with_their_screenshot_and_download() {
        let dir = tempfile::tempdir().unwrap();
        let mut cap = Capture::create(&dir.path().join("c")).unwrap();
        let ev = ManualEvent::Submit {
            url: "http://x/login".into(),
            selector: "form#login".into(),
            action: Some("http://x/session".into()),
            method: "post".into(),
        };
        let r = record(&mut cap, ev, Utc::now(), Some(b"\x89PNG fake")).unwrap();
        assert_eq!(r.kind, StepKind::Click);
        assert_eq!(r.params["submit"], true);
        assert_eq!(r.artifacts.len(), 1);
        let dl = dir.path().join("guid-123");
        std::fs::write(&dl, b"%PDF-1.4 report").unwrap();
        let ev = ManualEvent::Download {
            url: "http://x/report.pdf".into(),
            suggested_name: "Report 2026.pdf".into(),
            file: dl.clone(),
        };
        let r = record(&mut cap, ev, Utc::now(), None).unwrap();
        assert_eq!(r.kind, StepKind::Download);
        assert_eq!(r.artifacts[0].media_type, "application/pdf");
        assert_eq!(r.artifacts[0].size, 15);
        assert!(!dl.exists(), "the download is moved into the package");
        let kept = std::fs::read(cap.dir().join(&r.artifacts[0].path)).unwrap();
        assert_eq!(kept, b"%PDF-1.4 report");
        let r = record(
            &mut cap,
            ManualEvent::TabClosed {
                target: "T1".into(),
            },
            Utc::now(),
            None,
        )
        .unwrap();
        assert_eq!(r.kind, StepKind::Tab);
        assert_eq!(r.params["event"], "closed");
    }
}
