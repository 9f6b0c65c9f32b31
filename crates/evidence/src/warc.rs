//! WARC/1.1 records and CDXJ index lines for the network archive (pure formatting; the
//! browser adapter collects the traffic). Response records carry a reconstructed HTTP/1.1
//! head (status line + headers as the browser reported them) and the body as the browser
//! received it after content decoding; `Content-Encoding` and `Transfer-Encoding` are renamed
//! to `X-Webproof-Original-…` so replay does not decode twice, and `Content-Length` states the
//! stored body length.

use crate::digest::sha256;
use crate::utc::Utc;

/// One WARC record: type, named header fields, block.
pub struct Record<'a> {
    pub kind: &'a str,
    pub id: String,
    pub date: Utc,
    pub target_uri: Option<&'a str>,
    pub fields: Vec<(String, String)>,
    pub content_type: &'a str,
    pub block: Vec<u8>,
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Record<'_> {
    /// The record's bytes, ending with the two CRLFs that separate records.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut h = format!(
            "WARC/1.1\r\nWARC-Type: {}\r\nWARC-Record-ID: <urn:uuid:{}>\r\nWARC-Date: {}\r\n",
            self.kind, self.id, self.date
        );
        if let Some(u) = self.target_uri {
            h.push_str(&format!("WARC-Target-URI: {}\r\n", clean(u)));
        }
        for (k, v) in &self.fields {
            h.push_str(&format!("{}: {}\r\n", clean(k), clean(v)));
        }
        h.push_str(&format!(
            "WARC-Block-Digest: sha256:{}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
            sha256(&self.block),
            self.content_type,
            self.block.len()
        ));
        let mut out = h.into_bytes();
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }
}

/// An HTTP/1.1 request head as a `request` record block.
pub fn http_request_block(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let (path, host) = split_url(url);
    let mut s = format!("{} {} HTTP/1.1\r\n", clean(method), clean(&path));
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        s.push_str(&format!("Host: {}\r\n", clean(&host)));
    }
    for (k, v) in headers {
        s.push_str(&format!("{}: {}\r\n", clean(k), clean(v)));
    }
    s.push_str("\r\n");
    let mut out = s.into_bytes();
    out.extend_from_slice(body);
    out
}

/// An HTTP/1.1 response head and body as a `response` record block (see the module notes).
pub fn http_response_block(
    status: u16,
    reason: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut s = format!("HTTP/1.1 {status} {}\r\n", clean(reason));
    for (k, v) in headers {
        let lk = k.to_ascii_lowercase();
        if lk == "content-length" {
            continue;
        }
        if lk == "content-encoding" || lk == "transfer-encoding" {
            s.push_str(&format!(
                "X-Webproof-Original-{}: {}\r\n",
                clean(k),
                clean(v)
            ));
            continue;
        }
        // The browser joins repeated headers with newlines: write them as repeated lines.
        for part in v.split('\n') {
            s.push_str(&format!("{}: {}\r\n", clean(k), clean(part)));
        }
    }
    s.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = s.into_bytes();
    out.extend_from_slice(body);
    out
}

/// (path?query, host[:port]) of an absolute URL.
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.split('#').next().unwrap_or(rest);
    match rest.find('/') {
        Some(i) => (rest[i..].to_owned(), rest[..i].to_owned()),
        None => match rest.find('?') {
            Some(i) => (format!("/{}", &rest[i..]), rest[..i].to_owned()),
            None => ("/".to_owned(), rest.to_owned()),
        },
    }
}

/// The SURT form used as the CDXJ sort key: `com,example)/path?query`, lowercased, `www.`
/// dropped; IP addresses are kept in order; a non-default port is kept.
pub fn surt(url: &str) -> String {
    let scheme_default = if url.starts_with("https://") {
        "443"
    } else {
        "80"
    };
    let (path, hostport) = split_url(url);
    let hostport = hostport
        .rsplit('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // An IPv6 address is in brackets, its port after them; elsewhere the port is after the
    // last colon.
    let (host, port) = match hostport.strip_prefix('[').and_then(|h| h.split_once(']')) {
        Some((ip, rest)) => (format!("[{ip}]"), rest.strip_prefix(':').map(str::to_owned)),
        None => match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p.to_owned())),
            None => (hostport.clone(), None),
        },
    };
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let is_ip = host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[');
    let mut key = if is_ip {
        host
    } else {
        host.split('.').rev().collect::<Vec<_>>().join(",")
    };
    if let Some(p) = port.filter(|p| p != scheme_default) {
        key.push(':');
        key.push_str(&p);
    }
    format!("{key}){}", path.to_ascii_lowercase())
}

/// A 14-digit WARC/CDX timestamp (`YYYYMMDDhhmmss`).
pub fn timestamp14(t: &Utc) -> String {
    t.to_string()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(14)
        .collect()
}

/// Header fields that carry credentials: their values are never archived.
pub const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// What replaces a redacted value in the archive.
pub const REDACTED: &str = "[redacted by webproof]";

/// Why a part holding a typed secret was redacted.
const TYPED: &str = "holds a value typed from an {{ask:…}} placeholder";

/// Why a part holding what the operator typed into a password field was redacted.
const BY_HAND: &str = "holds a value the operator typed into a password field";

/// Keeps secrets out of the network archive as it is written: credential headers (see
/// [`CREDENTIAL_HEADERS`]) lose their values, and a request body or URL query that holds a value
/// the operator typed from a `{{ask:…}}` placeholder (raw, percent- or form-encoded, or as a
/// JSON string) is replaced whole. Each redaction is described in [`Redaction`]s, which the
/// archive writes as a metadata record beside the exchange: the redaction is part of the
/// evidence, not hidden. No digest of a redacted value is kept (a short password's digest is
/// as good as the password).
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Each secret in every form it may take on the wire, and why it is a secret.
    forms: Vec<(Vec<u8>, &'static str)>,
}

/// One redaction: which part of an exchange, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Redaction {
    pub part: String,
    pub reason: &'static str,
    /// How many bytes were removed.
    pub bytes: usize,
}

impl Redactor {
    /// A redactor for these typed values (empty values are ignored).
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut r = Redactor::default();
        for v in values {
            r.add(v, TYPED);
        }
        r
    }

    /// Learns a secret the operator typed by hand into a password field (manual mode): from
    /// now on it is redacted like an asked value.
    pub fn add_typed_by_hand(&mut self, value: &str) {
        self.add(value, BY_HAND);
    }

    fn add(&mut self, v: &str, reason: &'static str) {
        if v.is_empty() {
            return;
        }
        // Inside a JSON string: the quotes around it go, an escaped quote at its end stays.
        let json = serde_json::to_string(v).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json);
        let forms = &mut self.forms;
        // Every form of a non-empty value is non-empty.
        for f in [
            v.to_owned(),
            percent_encode(v, false),
            percent_encode(v, true),
            json.to_owned(),
        ] {
            if !forms.iter().any(|(x, _)| x == f.as_bytes()) {
                forms.push((f.into_bytes(), reason));
            }
        }
    }

    /// Why `bytes` must not be archived, if they hold a secret.
    fn holds_secret(&self, bytes: &[u8]) -> Option<&'static str> {
        self.forms
            .iter()
            .find(|(f, _)| bytes.windows(f.len()).any(|w| w == f.as_slice()))
            .map(|(_, why)| *why)
    }

    /// Redacts credential headers in place; `side` names them (`request`, `response`).
    pub fn headers(&self, headers: &mut [(String, String)], side: &str) -> Vec<Redaction> {
        let mut out = Vec::new();
        for (k, v) in headers.iter_mut() {
            let credential = CREDENTIAL_HEADERS.iter().any(|c| k.eq_ignore_ascii_case(c));
            let reason = if credential {
                Some("credentials (session cookie or authorization)")
            } else {
                self.holds_secret(v.as_bytes())
            };
            if let Some(reason) = reason.filter(|_| v != REDACTED) {
                out.push(Redaction {
                    part: format!("{side} header {k}"),
                    reason,
                    bytes: v.len(),
                });
                *v = REDACTED.to_owned();
            }
        }
        out
    }

    /// The body to archive: `body` itself (not copied), or a placeholder when it holds a
    /// typed secret.
    pub fn body<'a>(&self, body: &'a [u8], part: &str) -> (&'a [u8], Option<Redaction>) {
        match self.holds_secret(body) {
            Some(reason) => (
                REDACTED.as_bytes(),
                Some(Redaction {
                    part: part.to_owned(),
                    reason,
                    bytes: body.len(),
                }),
            ),
            None => (body, None),
        }
    }

    /// The URL to archive: `url` itself, or with its query replaced when the query (or any
    /// other part) holds a typed secret.
    pub fn url(&self, url: &str) -> (String, Option<Redaction>) {
        let Some(reason) = self.holds_secret(url.as_bytes()) else {
            return (url.to_owned(), None);
        };
        let base = url.split(['?', '#']).next().unwrap_or("");
        let cut = if self.holds_secret(base.as_bytes()).is_some() {
            // In the path itself: keep only the origin.
            url.split_once("://")
                .and_then(|(s, r)| r.split('/').next().map(|h| format!("{s}://{h}/")))
                .unwrap_or_default()
        } else {
            base.to_owned()
        };
        let redacted = format!("{cut}?{}", percent_encode(REDACTED, false));
        let bytes = url.len() - cut.len();
        (
            redacted,
            Some(Redaction {
                part: "URL query".to_owned(),
                reason,
                bytes,
            }),
        )
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986); `form` writes spaces as
/// `+`, as HTML forms do.
fn percent_encode(s: &str, form: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_layout_and_digest() {
        let r = Record {
            kind: "resource",
            id: "00000000-0000-4000-8000-000000000000".into(),
            date: Utc::parse("2026-01-02T03:04:05.000006Z").unwrap(),
            target_uri: Some("http://a.example/x"),
            fields: vec![("WARC-IP-Address".into(), "192.0.2.1".into())],
            content_type: "text/plain",
            block: b"hi".to_vec(),
        };
        let s = String::from_utf8(r.to_bytes()).unwrap();
        assert!(s.starts_with("WARC/1.1\r\nWARC-Type: resource\r\n"));
        assert!(
            s.contains("WARC-Target-URI: http://a.example/x\r\nWARC-IP-Address: 192.0.2.1\r\n")
        );
        assert!(s.contains(&format!("WARC-Block-Digest: sha256:{}\r\n", sha256(b"hi"))));
        assert!(s.ends_with("Content-Length: 2\r\n\r\nhi\r\n\r\n"));
    }

    #[test]
    fn response_block_rewrites_encodings_and_length() {
        let b = http_response_block(
            200,
            "OK",
            &[
                ("Content-Encoding".into(), "gzip".into()),
                ("Content-Length".into(), "999".into()),
                ("Set-Cookie".into(), "a=1\nb=2".into()),
            ],
            b"body",
        );
        let s = String::from_utf8(b).unwrap();
        assert_eq!(
            s,
            "HTTP/1.1 200 OK\r\nX-Webproof-Original-Content-Encoding: gzip\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 4\r\n\r\nbody"
        );
        let r = String::from_utf8(http_request_block(
            "GET",
            "http://h.example:8080/p?q=1#f",
            &[],
            b"",
        ))
        .unwrap();
        assert_eq!(r, "GET /p?q=1 HTTP/1.1\r\nHost: h.example:8080\r\n\r\n");
    }

    #[test]
    fn surts() {
        assert_eq!(surt("https://www.Example.com/A?b=1"), "com,example)/a?b=1");
        assert_eq!(surt("http://example.com:8080/"), "com,example:8080)/");
        assert_eq!(surt("https://example.com:443/x"), "com,example)/x");
        assert_eq!(
            surt("http://127.0.0.1:4000/index.html"),
            "127.0.0.1:4000)/index.html"
        );
        assert_eq!(surt("http://[::1]/x"), "[::1])/x");
        assert_eq!(surt("http://[::1]:8080/x"), "[::1]:8080)/x");
        assert_eq!(surt("https://[2001:db8::1]:443/"), "[2001:db8::1])/");
        assert_eq!(surt("http://user:pw@www.a.example:81/"), "example,a:81)/");
        assert_eq!(
            timestamp14(&Utc::parse("2026-01-02T03:04:05.000006Z").unwrap()),
            "20260102030405"
        );
    }

    #[test]
    fn secrets_and_credentials_never_reach_the_archive() {
        let r = Redactor::new(["pa ss/wörd\"", ""]);
        let mut h = vec![
            ("Cookie".to_owned(), "session=abc".to_owned()),
            ("Accept".to_owned(), "text/html".to_owned()),
            ("X-Token".to_owned(), "pa ss/wörd\"".to_owned()),
        ];
        let notes = r.headers(&mut h, "request");
        assert_eq!(h[0].1, REDACTED);
        assert_eq!(h[1].1, "text/html");
        assert_eq!(h[2].1, REDACTED);
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].part, "request header Cookie");
        // Every wire form of the value: raw, form-encoded, percent-encoded, JSON.
        for body in [
            "user=a&pass=pa+ss%2Fw%C3%B6rd%22".to_owned(),
            "pass=pa%20ss%2Fw%C3%B6rd%22".to_owned(),
            r#"{"password":"pa ss/wörd\""}"#.to_owned(),
            "raw pa ss/wörd\" here".to_owned(),
        ] {
            let (b, note) = r.body(body.as_bytes(), "request body");
            assert_eq!(b, REDACTED.as_bytes(), "{body}");
            assert_eq!(note.unwrap().bytes, body.len());
        }
        let (b, note) = r.body(b"user=a", "request body");
        assert_eq!((b, note), (&b"user=a"[..], None));
        let (u, note) = r.url("https://shop.example/login?user=a&pass=pa+ss%2Fw%C3%B6rd%22#x");
        assert_eq!(
            u,
            "https://shop.example/login?%5Bredacted%20by%20webproof%5D"
        );
        assert!(note.is_some());
        let (u, _) = r.url("https://shop.example/u/pa%20ss%2Fw%C3%B6rd%22/x");
        assert_eq!(u, "https://shop.example/?%5Bredacted%20by%20webproof%5D");
        assert_eq!(
            r.url("https://shop.example/a?b=c").0,
            "https://shop.example/a?b=c"
        );
        // How much of the URL went: everything after what is kept.
        let url = "https://shop.example/login?pass=pa+ss%2Fw%C3%B6rd%22";
        let (u, note) = r.url(url);
        assert_eq!(
            note.unwrap().bytes,
            url.len() - "https://shop.example/login".len()
        );
        assert!(u.starts_with("https://shop.example/login?"));
        // One form per distinct spelling: a plain word is one form, not four.
        assert_eq!(Redactor::new(["plain"]).forms.len(), 1);
        assert_eq!(Redactor::new(["a b"]).forms.len(), 3);
        // In JSON, a value ending in a quote keeps its escaped quote.
        let q = Redactor::new(["x\""]);
        assert!(q.forms.iter().any(|(f, _)| f == br#"x\""#));
        assert_eq!(
            q.body(br#"{"p":"x\" and more"}"#, "b").1.map(|n| n.bytes),
            Some(20)
        );
        // No secrets: only credential headers go.
        let none = Redactor::new([]);
        assert_eq!(none.body(b"anything", "x").1, None);
    }

    #[test]
    fn a_password_typed_by_hand_is_redacted_from_then_on() {
        let mut r = Redactor::new([]);
        assert_eq!(r.body(b"user=li&pass=s3cret%21", "request body").1, None);
        r.add_typed_by_hand("s3cret!");
        let (b, note) = r.body(b"user=li&pass=s3cret%21", "request body");
        assert_eq!(b, REDACTED.as_bytes());
        let note = note.unwrap();
        assert!(note.reason.contains("password field"), "{}", note.reason);
        // Asked values keep their own reason.
        let mut asked = Redactor::new(["x9-asked"]);
        asked.add_typed_by_hand("other");
        assert!(
            asked
                .body(b"x9-asked", "b")
                .1
                .unwrap()
                .reason
                .contains("ask")
        );
    }
}
