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
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
            (h.to_owned(), Some(p.to_owned()))
        }
        _ => (hostport.clone(), None),
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
        assert_eq!(
            timestamp14(&Utc::parse("2026-01-02T03:04:05.000006Z").unwrap()),
            "20260102030405"
        );
    }
}
