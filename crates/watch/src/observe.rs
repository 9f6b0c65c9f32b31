//! What one capture of the watched URL shows, read from its package: where the URL led, the
//! main document's HTTP status, the page's text, whether the tracked element was there, a
//! perceptual hash of the screenshot and the digests of its media.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use webproof_evidence::layout;
use webproof_evidence::package::PackageSource;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_evidence::wacz::CdxJson;

use crate::WatchError;

/// The largest journal, DOM snapshot or index read (a watched page is one page).
const MAX_READ: u64 = 64 << 20;
/// The largest screenshot hashed (a longer page's full screenshot is still far smaller).
const MAX_PICTURE: u64 = 64 << 20;

/// What one capture shows of the watched URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The URL asked for.
    pub requested_url: String,
    /// Where the tab ended up (after redirects), when it showed a page.
    pub final_url: Option<String>,
    /// The HTTP status of the main document, from the network archive's index.
    pub status: Option<u16>,
    /// The page's title.
    pub title: String,
    /// Why the page did not load (no such host, refused, …), as the browser said.
    pub load_error: Option<String>,
    /// The file the URL answered with instead of a page, by name.
    pub file: Option<String>,
    /// The visible text of the DOM snapshot, one block per line (empty without a snapshot).
    pub text: String,
    /// Whether the tracked element was in the DOM snapshot (`None`: none is tracked, or the
    /// capture kept no DOM).
    pub element: Option<bool>,
    /// The perceptual hash (image_hasher's gradient hash, 8×8, base64) of the full-page
    /// screenshot, else of the navigation's viewport.
    pub screenshot: Option<String>,
    /// Pictures, video and sound the page loaded: URL → `sha256:…` of the body.
    pub media: BTreeMap<String, String>,
}

/// What the package `src` shows of its first navigation; `element` is the CSS selector of the
/// tracked element, if any.
pub fn observe(src: &dyn PackageSource, element: Option<&str>) -> Result<Observation, WatchError> {
    let journal = src.read_all(layout::JOURNAL, MAX_READ)?;
    let records = webproof_evidence::journal::parse(&journal)?.records;
    let nav = records
        .iter()
        .find(|r| r.kind == StepKind::Navigate)
        .ok_or(WatchError::NoNavigation)?;
    let param =
        |r: &StepRecord, k: &str| r.params.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let requested_url = param(nav, "requested_url")
        .or_else(|| nav.url.clone())
        .unwrap_or_default();
    let load_error = param(nav, "load_error");
    let file = nav
        .params
        .get("file")
        .and_then(|f| f.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    let final_url = nav.url.clone().filter(|_| load_error.is_none());
    let index = read_index(src)?;
    let status = final_url
        .iter()
        .chain(std::iter::once(&requested_url))
        .find_map(|u| index.iter().find(|e| &e.url == u).map(|e| e.status));
    let media = index
        .iter()
        .filter(|e| {
            ["image/", "video/", "audio/"]
                .iter()
                .any(|p| e.mime.starts_with(p))
        })
        .map(|e| (e.url.clone(), e.digest.clone()))
        .collect();
    let snapshot = records
        .iter()
        .filter(|r| r.kind == StepKind::Snapshot)
        .flat_map(|r| r.artifacts.iter())
        .find(|a| a.media_type == "text/html");
    let (text, element) = match snapshot {
        Some(a) => {
            let html = src.read_all(&a.path, MAX_READ)?;
            let html = String::from_utf8_lossy(&html);
            dom(&html, element)?
        }
        None => (String::new(), None),
    };
    let picture = records
        .iter()
        .filter(|r| r.kind == StepKind::Screenshot)
        .flat_map(|r| r.artifacts.iter())
        .find(|a| a.path.ends_with("full-page.png"))
        .or_else(|| nav.artifacts.iter().find(|a| a.media_type == "image/png"));
    let screenshot = match picture {
        Some(a) => perceptual_hash(&src.read_all(&a.path, MAX_PICTURE)?),
        None => None,
    };
    Ok(Observation {
        requested_url,
        final_url,
        status,
        title: param(nav, "title").unwrap_or_default(),
        load_error,
        file,
        text,
        element,
        screenshot,
        media,
    })
}

/// One line of the network archive's CDXJ index.
struct IndexEntry {
    url: String,
    mime: String,
    status: u16,
    digest: String,
}

/// The index's entries, in the index's order (a URL loaded twice keeps the later entry last).
fn read_index(src: &dyn PackageSource) -> Result<Vec<IndexEntry>, WatchError> {
    if src.entry(layout::CDX).is_none() {
        return Ok(Vec::new());
    }
    let bytes = src.read_all(layout::CDX, MAX_READ)?;
    Ok(CdxJson::parse_all(&String::from_utf8_lossy(&bytes))
        .into_iter()
        .filter_map(|(_, j)| {
            Some(IndexEntry {
                status: j.status.parse().ok()?,
                url: j.url,
                mime: j.mime,
                digest: j.digest,
            })
        })
        .collect())
}

/// The visible text of `html` (one block per line, each ending in a newline, blank lines
/// dropped) and, when `element`
/// is given, whether an element matches it.
pub fn dom(html: &str, element: Option<&str>) -> Result<(String, Option<bool>), WatchError> {
    let doc = dom_query::Document::from(html);
    let found = match element {
        Some(sel) if !valid_selector(sel) => return Err(WatchError::Selector(sel.to_owned())),
        Some(sel) => Some(doc.select(sel).exists()),
        None => None,
    };
    doc.select("script, style, noscript, template").remove();
    let text = doc.select("body").formatted_text();
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok((text, found))
}

/// Whether `sel` parses as a CSS selector (a valid one that matches nothing is not an error).
pub fn valid_selector(sel: &str) -> bool {
    dom_query::Matcher::new(sel).is_ok()
}

/// The perceptual hash of a PNG, or `None` when it does not decode.
pub fn perceptual_hash(png: &[u8]) -> Option<String> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).ok()?;
    Some(
        image_hasher::HasherConfig::new()
            .to_hasher()
            .hash_image(&img)
            .to_base64(),
    )
}

/// How many bits of two perceptual hashes differ (`None` when either does not parse).
pub fn distance(a: &str, b: &str) -> Option<u32> {
    let a = image_hasher::ImageHash::<Box<[u8]>>::from_base64(a).ok()?;
    let b = image_hasher::ImageHash::<Box<[u8]>>::from_base64(b).ok()?;
    (a.as_bytes().len() == b.as_bytes().len()).then(|| a.dist(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_the_visible_blocks_and_the_element_is_found_by_css() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
            <h1>Item  42</h1><script>var x = 1;</script><p>Price: ¥99</p>\
            <div class=\"listing\"><img src=\"a.png\"></div></body></html>";
        let (text, el) = dom(html, Some("div.listing img")).unwrap();
        assert_eq!(text, "Item 42\nPrice: ¥99\n");
        assert_eq!(el, Some(true));
        let (_, el) = dom(html, Some("#gone")).unwrap();
        assert_eq!(el, Some(false));
        assert_eq!(dom(html, None).unwrap().1, None);
        assert!(matches!(
            dom(html, Some("div[")),
            Err(WatchError::Selector(_))
        ));
        assert!(valid_selector("div.listing > img"));
        assert!(!valid_selector("div["));
    }

    fn png(w: u32, h: u32, f: impl Fn(u32, u32) -> u8) -> Vec<u8> {
        let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([f(x, y)]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_screenshot_hash_is_near_for_a_similar_picture_and_far_for_another() {
        let base = png(320, 200, |x, _| (x * 255 / 320) as u8);
        // The same gradient, a little noisier: near.
        let noisy = png(320, 200, |x, y| {
            ((x * 255 / 320) as u8).saturating_add((y % 3) as u8)
        });
        // The gradient turned around: far.
        let other = png(320, 200, |x, _| 255 - (x * 255 / 320) as u8);
        let (a, b, c) = (
            perceptual_hash(&base).unwrap(),
            perceptual_hash(&noisy).unwrap(),
            perceptual_hash(&other).unwrap(),
        );
        assert_eq!(distance(&a, &a), Some(0));
        assert!(distance(&a, &b).unwrap() <= 4, "{a} {b}");
        assert!(distance(&a, &c).unwrap() >= 32, "{a} {c}");
        assert_eq!(perceptual_hash(b"not a png"), None);
        assert_eq!(distance(&a, "!!"), None);
    }
}
