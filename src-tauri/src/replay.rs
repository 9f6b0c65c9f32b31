//! Replay of a package's archived pages in the window: `replay://<key>/<original URL>` answers
//! with the response the capture recorded for that URL (archive/data.warc, found through
//! indexes/index.cdx), read-only, never from the network. Pages are shown in a sandboxed frame
//! with scripts off, and absolute links in HTML and CSS are pointed back into the archive, so
//! what the frame shows is what the package holds. (For full, scripted replay the package is
//! a standard WACZ that ReplayWeb.page opens.)
//!
//! The WARC is spooled once (through the package reader, which checks its CRC) into an unnamed
//! temporary file and each answer reads only its record's bytes, so a capture with large
//! downloads does not sit in memory; a few packages stay open at a time.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use webproof_evidence::layout;
use webproof_evidence::package::{self, Limits};

/// One response in the archive.
#[derive(Clone, Debug)]
struct Entry {
    url: String,
    offset: usize,
    length: usize,
}

/// How many packages' archives stay open (each a temporary file).
const OPEN_MAX: usize = 4;
/// The largest record an answer reads (a downloaded video is one record).
const RECORD_MAX: usize = 1 << 30;

/// A package's archive, spooled once.
struct Archive {
    /// The WARC's bytes, in an unnamed temporary file (gone when the archive is dropped).
    warc: File,
    warc_len: u64,
    index: Vec<Entry>,
    /// The origin (`scheme://host[:port]`) of the last page served, for root-relative links.
    origin: Mutex<Option<String>>,
}

/// The packages the window may replay, by key.
#[derive(Default)]
pub struct Replays {
    paths: Mutex<HashMap<String, PathBuf>>,
    open: Mutex<HashMap<String, Arc<Archive>>>,
}

/// What an answer is.
pub struct Answer {
    pub status: u16,
    pub mime: String,
    pub body: Vec<u8>,
}

fn answer(status: u16, text: &str) -> Answer {
    Answer {
        status,
        mime: "text/plain; charset=utf-8".into(),
        body: text.as_bytes().to_vec(),
    }
}

impl Replays {
    /// Registers a package; returns its key (the host of its replay URLs).
    pub fn register(&self, pkg: &Path) -> String {
        let d = webproof_evidence::digest::sha256(pkg.display().to_string().as_bytes());
        let key = format!("p{}", &d.to_string()[..16]);
        if let Ok(mut m) = self.paths.lock() {
            m.insert(key.clone(), pkg.to_owned());
        }
        key
    }

    fn archive(&self, key: &str) -> Result<Arc<Archive>, String> {
        if let Some(a) = self.open.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(a);
        }
        let path = self
            .paths
            .lock()
            .ok()
            .and_then(|m| m.get(key).cloned())
            .ok_or("this package is not open")?;
        let src = package::open(&path, &Limits::default()).map_err(|e| e.to_string())?;
        let mut warc = tempfile::tempfile().map_err(|e| e.to_string())?;
        src.read_with(layout::WARC, &mut |r| {
            std::io::copy(r, &mut warc).map(|_| ())
        })
        .map_err(|e| e.to_string())?;
        let warc_len = warc.metadata().map_err(|e| e.to_string())?.len();
        let cdx = src
            .read_all(layout::CDX, 256 << 20)
            .map_err(|e| e.to_string())?;
        let a = Arc::new(Archive {
            index: parse_index(&String::from_utf8_lossy(&cdx)),
            warc,
            warc_len,
            origin: Mutex::new(None),
        });
        if let Ok(mut m) = self.open.lock() {
            if m.len() >= OPEN_MAX {
                // Reopened on demand; answers being served keep theirs until they finish.
                m.clear();
            }
            m.insert(key.to_owned(), a.clone());
        }
        Ok(a)
    }

    /// Answers `replay://KEY/URL`.
    pub fn serve(&self, uri: &str) -> Answer {
        let Some(rest) = uri.split_once("://").map(|(_, r)| r) else {
            return answer(400, "not a replay address");
        };
        let (key, wanted) = rest.split_once('/').unwrap_or((rest, ""));
        let a = match self.archive(key) {
            Ok(a) => a,
            Err(e) => return answer(404, &e),
        };
        let origin = a.origin.lock().ok().and_then(|o| o.clone());
        let candidates = [
            wanted.to_owned(),
            crate::verify::percent_decode(wanted),
            // Root-relative: `/style.css` of the page last shown.
            origin.map(|o| format!("{o}/{wanted}")).unwrap_or_default(),
        ];
        let Some(e) = candidates
            .iter()
            .filter(|c| !c.is_empty())
            .find_map(|c| a.index.iter().rev().find(|e| &e.url == c))
        else {
            return answer(404, "not in this package's archive");
        };
        let end = (e.offset as u64).checked_add(e.length as u64);
        if end.is_none_or(|end| end > a.warc_len) || e.length > RECORD_MAX {
            return answer(500, "the index points outside the archive");
        }
        let mut rec = vec![0u8; e.length];
        if let Err(err) = a.warc.read_exact_at(&mut rec, e.offset as u64) {
            return answer(500, &format!("the archive cannot be read: {err}"));
        }
        let Some((mime, body)) = payload(&rec) else {
            return answer(500, "the archived record cannot be read");
        };
        let mut body = body.to_vec();
        if mime.starts_with("text/html") || mime.starts_with("text/css") {
            if mime.starts_with("text/html")
                && let Ok(mut o) = a.origin.lock()
            {
                *o = origin_of(&e.url);
            }
            body = point_into_archive(&body, key);
        }
        Answer {
            status: 200,
            mime,
            body,
        }
    }
}

/// `surt timestamp {json}` lines: the responses and resources, in file order.
fn parse_index(cdx: &str) -> Vec<Entry> {
    let mut out: Vec<(String, Entry)> = webproof_evidence::wacz::CdxJson::parse_all(cdx)
        .into_iter()
        .filter_map(|(ts, j)| {
            Some((
                ts,
                Entry {
                    url: j.url,
                    offset: usize::try_from(j.offset).ok()?,
                    length: usize::try_from(j.length).ok()?,
                },
            ))
        })
        .collect();
    // Oldest first, so that a search from the end finds the newest capture of a URL.
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.offset.cmp(&b.1.offset)));
    out.into_iter().map(|(_, e)| e).collect()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The media type and body of a WARC `response` (its HTTP payload) or `resource` record.
fn payload(rec: &[u8]) -> Option<(String, &[u8])> {
    let end = find(rec, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&rec[..end]).ok()?;
    let len: usize = header(head, "Content-Length")?.parse().ok()?;
    let block = rec.get(end + 4..end + 4 + len)?;
    match header(head, "WARC-Type")? {
        "resource" => Some((header(head, "Content-Type")?.to_owned(), block)),
        "response" => {
            let hend = find(block, b"\r\n\r\n")?;
            let http = std::str::from_utf8(&block[..hend]).ok()?;
            let mime = header(http, "Content-Type").unwrap_or("application/octet-stream");
            Some((mime.to_owned(), &block[hend + 4..]))
        }
        _ => None,
    }
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// Absolute `http(s)://` references in attributes and `url(...)` point into the archive.
fn point_into_archive(body: &[u8], key: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let mut out = text.into_owned();
    for q in ["\"", "'", "("] {
        for scheme in ["http://", "https://"] {
            out = out.replace(
                &format!("{q}{scheme}"),
                &format!("{q}replay://{key}/{scheme}"),
            );
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, ctype: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    #[test]
    fn responses_and_resources_give_their_payload() {
        let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";
        let r = record("response", "application/http; msgtype=response", http);
        let (mime, body) = payload(&r).unwrap_or_default();
        assert_eq!((mime.as_str(), body), ("text/html", &b"hello"[..]));
        let r = record("resource", "image/png", b"\x89PNG");
        assert_eq!(payload(&r).map(|p| p.0), Some("image/png".to_owned()));
        assert!(payload(b"garbage").is_none());
        assert!(payload(&record("request", "x", b"GET / HTTP/1.1\r\n\r\n")).is_none());
    }

    /// A package directory's archive is answered from the spooled file, record by record; an
    /// index that points past the archive's end is refused, not read.
    #[test]
    fn records_are_read_from_the_spooled_archive() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>item 42</p>";
        let first = record("response", "application/http; msgtype=response", http);
        let second = record("resource", "image/png", b"\x89PNG");
        let mut warc = first.clone();
        warc.extend_from_slice(&second);
        let w = dir.path().join(layout::WARC);
        std::fs::create_dir_all(w.parent().ok_or("no parent")?)?;
        std::fs::write(&w, &warc)?;
        let cdx = format!(
            "a 1 {{\"url\":\"http://shop.test/\",\"offset\":0,\"length\":{}}}\n\
             b 1 {{\"url\":\"http://shop.test/p.png\",\"offset\":{},\"length\":{}}}\n\
             c 1 {{\"url\":\"http://shop.test/gone\",\"offset\":{},\"length\":10}}\n",
            first.len(),
            first.len(),
            second.len(),
            warc.len()
        );
        let c = dir.path().join(layout::CDX);
        std::fs::create_dir_all(c.parent().ok_or("no parent")?)?;
        std::fs::write(&c, cdx)?;
        let r = Replays::default();
        let key = r.register(dir.path());
        let page = r.serve(&format!("replay://{key}/http://shop.test/"));
        assert_eq!((page.status, page.mime.as_str()), (200, "text/html"));
        assert!(String::from_utf8_lossy(&page.body).contains("item 42"));
        let png = r.serve(&format!("replay://{key}/http://shop.test/p.png"));
        assert_eq!((png.status, png.body.as_slice()), (200, &b"\x89PNG"[..]));
        assert_eq!(
            r.serve(&format!("replay://{key}/http://shop.test/gone"))
                .status,
            500
        );
        assert_eq!(
            r.serve(&format!("replay://{key}/http://other.test/"))
                .status,
            404
        );
        assert_eq!(r.serve("replay://unknown/http://shop.test/").status, 404);
        Ok(())
    }

    #[test]
    fn the_index_finds_the_newest_and_links_stay_inside() {
        let cdx = "0,0,0,127)/ 20261123100000 {\"url\":\"http://127.0.0.1/\",\"offset\":0,\"length\":10}\n\
                   0,0,0,127)/ 20261123100500 {\"url\":\"http://127.0.0.1/\",\"offset\":10,\"length\":20}\n\
                   not an index line\n";
        let ix = parse_index(cdx);
        assert_eq!(ix.len(), 2);
        assert_eq!(
            ix.iter()
                .rev()
                .find(|e| e.url == "http://127.0.0.1/")
                .map(|e| e.offset),
            Some(10)
        );
        let html = br#"<img src="http://127.0.0.1/a.png"><a href='https://x.example/'>x</a><div style="background:url(http://127.0.0.1/b.png)">"#;
        let out = String::from_utf8(point_into_archive(html, "pk")).unwrap_or_default();
        assert!(out.contains(r#"src="replay://pk/http://127.0.0.1/a.png""#));
        assert!(out.contains("href='replay://pk/https://x.example/'"));
        assert!(out.contains("url(replay://pk/http://127.0.0.1/b.png)"));
        assert_eq!(
            origin_of("http://127.0.0.1:8000/x/y?z"),
            Some("http://127.0.0.1:8000".into())
        );
    }
}
