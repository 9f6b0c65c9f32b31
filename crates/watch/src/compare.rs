//! What changed between two captures of a watched URL, and whether the page is gone.

use serde::{Deserialize, Serialize};

use crate::observe::{Observation, distance};

/// Bits of the 64-bit perceptual hash that may differ before a screenshot counts as changed
/// (rendering noise, a blinking cursor and a clock move a few; another picture moves many).
pub const SCREENSHOT_THRESHOLD: u32 = 6;

/// The most lines of text diff kept in the history (the packages keep everything).
pub const MAX_DIFF_LINES: usize = 400;

/// What changed from one capture to the next.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// The title before and after, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<[String; 2]>,
    /// Where the URL led before and after, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<[Option<String>; 2]>,
    /// The main document's status before and after, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<[Option<u16>; 2]>,
    /// Lines of text added and removed.
    pub text_added: usize,
    pub text_removed: usize,
    /// Bits of the screenshots' perceptual hashes that differ (`None`: one has no screenshot).
    pub screenshot_distance: Option<u32>,
    /// Media URLs loaded now and not before, before and not now, and loaded both times with
    /// other bytes.
    pub media_added: Vec<String>,
    pub media_removed: Vec<String>,
    pub media_changed: Vec<String>,
}

impl Changes {
    /// Whether anything changed that a person would see.
    pub fn any(&self) -> bool {
        self.title.is_some()
            || self.final_url.is_some()
            || self.status.is_some()
            || self.text_added + self.text_removed > 0
            || self.screenshot_changed()
            || !(self.media_added.is_empty()
                && self.media_removed.is_empty()
                && self.media_changed.is_empty())
    }

    /// Whether the screenshots differ beyond [`SCREENSHOT_THRESHOLD`].
    pub fn screenshot_changed(&self) -> bool {
        self.screenshot_distance
            .is_some_and(|d| d > SCREENSHOT_THRESHOLD)
    }
}

/// What changed from `prev` to `cur`, and the text's unified diff (at most
/// [`MAX_DIFF_LINES`] lines; empty when the text is the same).
pub fn compare(prev: &Observation, cur: &Observation) -> (Changes, String) {
    let changed = |a: &Option<String>, b: &Option<String>| (a != b).then(|| [a.clone(), b.clone()]);
    let diff = similar::TextDiff::from_lines(prev.text.as_str(), cur.text.as_str());
    let (mut added, mut removed) = (0, 0);
    for c in diff.iter_all_changes() {
        match c.tag() {
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    let unified = if added + removed == 0 {
        String::new()
    } else {
        let full = diff
            .unified_diff()
            .context_radius(2)
            .header("before", "after")
            .to_string();
        let mut lines: Vec<&str> = full.lines().take(MAX_DIFF_LINES + 1).collect();
        if lines.len() > MAX_DIFF_LINES {
            lines.truncate(MAX_DIFF_LINES);
            lines.push("… (the rest is in the packages)");
        }
        let mut s = lines.join("\n");
        s.push('\n');
        s
    };
    let (mut media_added, mut media_removed, mut media_changed) = (vec![], vec![], vec![]);
    for (url, d) in &cur.media {
        match prev.media.get(url) {
            None => media_added.push(url.clone()),
            Some(p) if p != d => media_changed.push(url.clone()),
            Some(_) => {}
        }
    }
    for url in prev.media.keys() {
        if !cur.media.contains_key(url) {
            media_removed.push(url.clone());
        }
    }
    let changes = Changes {
        title: (prev.title != cur.title).then(|| [prev.title.clone(), cur.title.clone()]),
        final_url: changed(&prev.final_url, &cur.final_url),
        status: (prev.status != cur.status).then_some([prev.status, cur.status]),
        text_added: added,
        text_removed: removed,
        screenshot_distance: match (&prev.screenshot, &cur.screenshot) {
            (Some(a), Some(b)) => distance(a, b),
            _ => None,
        },
        media_added,
        media_removed,
        media_changed,
    };
    (changes, unified)
}

/// Why a capture shows the page gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Gone {
    /// The main document answered 404 Not Found or 410 Gone.
    Status { status: u16 },
    /// The tracked element is no longer in the page.
    ElementRemoved { selector: String },
    /// The URL now leads to a site's home page.
    RedirectedHome { to: String },
}

/// Whether `cur` shows the page gone. `element` is the tracked element's selector; `first`
/// is the watch's first capture in which the page was present (a URL that led to a home page
/// from the start is not gone when it still does).
pub fn gone(cur: &Observation, element: Option<&str>, first: Option<&Observation>) -> Option<Gone> {
    if let Some(status @ (404 | 410)) = cur.status {
        return Some(Gone::Status { status });
    }
    if let (Some(sel), Some(false)) = (element, cur.element) {
        return Some(Gone::ElementRemoved {
            selector: sel.to_owned(),
        });
    }
    let to = cur.final_url.as_deref()?;
    let home_before = first
        .and_then(|f| f.final_url.as_deref())
        .is_some_and(is_home);
    (is_home(to) && !is_home(&cur.requested_url) && !home_before)
        .then(|| Gone::RedirectedHome { to: to.to_owned() })
}

/// Whether `url` is a site's home page: no path but `/`, no query (a fragment is ignored).
/// Paths such as `/index.html` and `/en/` count as home pages too.
pub fn is_home(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let rest = rest.split('#').next().unwrap_or(rest);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    if path.contains('?') {
        return false;
    }
    let p = path.trim_end_matches('/');
    let p = p
        .strip_suffix("/index.html")
        .or_else(|| p.strip_suffix("/index.htm"))
        .or_else(|| p.strip_suffix("/index.php"))
        .unwrap_or(p);
    // "", or a language root such as /en, /zh-cn.
    p.is_empty()
        || (p.len() <= 6
            && p[1..]
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
            && p.matches('/').count() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(url: &str, fin: &str, status: u16, text: &str) -> Observation {
        Observation {
            requested_url: url.into(),
            final_url: Some(fin.into()),
            status: Some(status),
            title: "Item".into(),
            text: text.into(),
            ..Observation::default()
        }
    }

    #[test]
    fn home_pages_are_told_from_other_pages() {
        for u in [
            "https://shop.example",
            "https://shop.example/",
            "https://shop.example/#top",
            "https://shop.example/index.html",
            "https://shop.example/en/",
            "https://shop.example/zh-cn",
        ] {
            assert!(is_home(u), "{u}");
        }
        for u in [
            "https://shop.example/item/42",
            "https://shop.example/?id=42",
            "https://shop.example/products",
            "https://shop.example/a/b/",
            "not a url",
        ] {
            assert!(!is_home(u), "{u}");
        }
    }

    #[test]
    fn gone_is_a_404_or_410_a_removed_element_or_a_redirect_home() {
        let item = "https://shop.example/item/42";
        let first = obs(item, item, 200, "a");
        assert_eq!(gone(&first, None, Some(&first)), None);
        assert_eq!(
            gone(&obs(item, item, 404, ""), None, Some(&first)),
            Some(Gone::Status { status: 404 })
        );
        assert_eq!(
            gone(&obs(item, item, 410, ""), None, Some(&first)),
            Some(Gone::Status { status: 410 })
        );
        assert_eq!(gone(&obs(item, item, 500, ""), None, Some(&first)), None);
        let mut removed = obs(item, item, 200, "a");
        removed.element = Some(false);
        assert_eq!(
            gone(&removed, Some("#listing"), Some(&first)),
            Some(Gone::ElementRemoved {
                selector: "#listing".into()
            })
        );
        removed.element = Some(true);
        assert_eq!(gone(&removed, Some("#listing"), Some(&first)), None);
        let home = obs(item, "https://shop.example/", 200, "welcome");
        assert_eq!(
            gone(&home, None, Some(&first)),
            Some(Gone::RedirectedHome {
                to: "https://shop.example/".into()
            })
        );
        // A URL that led home from the start is not gone for still doing so.
        assert_eq!(gone(&home, None, Some(&home)), None);
        // Nor is the home page itself, watched.
        let root = obs("https://shop.example/", "https://shop.example/", 200, "w");
        assert_eq!(gone(&root, None, None), None);
        // A page that did not load at all is not known to be gone.
        let unreachable = Observation {
            requested_url: item.into(),
            load_error: Some("net::ERR_NAME_NOT_RESOLVED".into()),
            ..Observation::default()
        };
        assert_eq!(gone(&unreachable, None, Some(&first)), None);
    }

    #[test]
    fn changes_name_the_text_lines_the_media_and_the_screenshot() {
        let item = "https://shop.example/item/42";
        let mut a = obs(item, item, 200, "Item 42\nPrice: 99\nIn stock");
        let mut b = obs(item, item, 200, "Item 42\nPrice: 79\nIn stock");
        a.media
            .insert("https://shop.example/a.jpg".into(), "sha256:aa".into());
        a.media
            .insert("https://shop.example/b.jpg".into(), "sha256:bb".into());
        b.media
            .insert("https://shop.example/a.jpg".into(), "sha256:a2".into());
        b.media
            .insert("https://shop.example/c.mp4".into(), "sha256:cc".into());
        let (c, diff) = compare(&a, &b);
        assert_eq!((c.text_added, c.text_removed), (1, 1));
        assert!(diff.contains("-Price: 99\n+Price: 79\n"), "{diff}");
        assert_eq!(c.media_added, ["https://shop.example/c.mp4"]);
        assert_eq!(c.media_removed, ["https://shop.example/b.jpg"]);
        assert_eq!(c.media_changed, ["https://shop.example/a.jpg"]);
        assert_eq!(c.title, None);
        assert!(c.any());
        let (same, diff) = compare(&a, &a);
        assert!(!same.any(), "{same:?}");
        assert_eq!(diff, "");
        b.title = "Sold out".into();
        b.status = Some(404);
        b.final_url = None;
        let (c, _) = compare(&a, &b);
        assert_eq!(c.title, Some(["Item".into(), "Sold out".into()]));
        assert_eq!(c.status, Some([Some(200), Some(404)]));
        assert_eq!(c.final_url, Some([Some(item.into()), None]));
    }

    #[test]
    fn a_screenshot_counts_as_changed_beyond_the_threshold_only() {
        let mut c = Changes::default();
        assert!(!c.screenshot_changed() && !c.any());
        c.screenshot_distance = Some(SCREENSHOT_THRESHOLD);
        assert!(!c.screenshot_changed() && !c.any());
        c.screenshot_distance = Some(SCREENSHOT_THRESHOLD + 1);
        assert!(c.screenshot_changed() && c.any());
    }

    #[test]
    fn a_long_diff_is_cut_with_a_note() {
        let a = Observation::default();
        let b = Observation {
            text: (0..1000).map(|i| format!("line {i}\n")).collect(),
            ..Observation::default()
        };
        let (c, diff) = compare(&a, &b);
        assert_eq!(c.text_added, 1000);
        assert_eq!(diff.lines().count(), MAX_DIFF_LINES + 1);
        assert!(diff.ends_with("(the rest is in the packages)\n"));
    }
}
