//! The network archive: every request and response the page makes, collected from the DevTools
//! protocol (a websocket to the debugger address chromedriver reports) and written as WARC/1.1
//! `request`, `response` and `metadata` records while the session runs.
//!
//! Why CDP rather than a recording proxy: no certificate interception (the browser validates the
//! site's real TLS chain, which a MITM proxy would replace), and CDP reports the remote IP and
//! the certificate chain. The cost: HTTP heads are as the browser reports them, not raw bytes
//! (see `webproof_evidence::warc`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use webproof_capture::BrowserError;
use webproof_evidence::digest::sha256;
use webproof_evidence::utc::Utc;
use webproof_evidence::warc::{self, Record};

/// One CDXJ index line, before sorting.
#[derive(Clone, Debug)]
pub struct IndexEntry {
    pub surt: String,
    pub timestamp: String,
    pub json: Value,
}

/// What the network archive holds when it is stopped.
#[derive(Debug, Default)]
pub struct NetworkSummary {
    pub path: PathBuf,
    pub responses: u64,
    pub failures: u64,
    pub bytes: u64,
    pub index: Vec<IndexEntry>,
}

/// A running network archive.
pub struct NetworkArchive {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<NetworkSummary, BrowserError>>,
}

impl NetworkArchive {
    /// Stops collecting (after giving outstanding bodies a moment), fsyncs the WARC.
    pub async fn stop(mut self) -> Result<NetworkSummary, BrowserError> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(BrowserError::new("network archive", e)),
        }
    }
}

#[derive(Default)]
struct Exchange {
    url: String,
    method: String,
    req_headers: Vec<(String, String)>,
    post: Vec<u8>,
    date: Option<Utc>,
    response: Option<Value>,
}

fn headers(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// GET http://{addr}{path} on the local DevTools endpoint (which may keep the connection
/// open: the body is read by its Content-Length).
async fn http_get(addr: &str, path: &str) -> Result<String, BrowserError> {
    let e = |m: String| BrowserError::new("reading the DevTools endpoint", m);
    let fut = async {
        let mut s = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|x| e(x.to_string()))?;
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .map_err(|x| e(x.to_string()))?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).await.map_err(|x| e(x.to_string()))?;
            buf.extend_from_slice(&chunk[..n]);
            if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..h]).to_ascii_lowercase();
                let len = head.lines().find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                });
                if let Some(len) = len
                    && buf.len() >= h + 4 + len
                {
                    return Ok(String::from_utf8_lossy(&buf[h + 4..h + 4 + len]).into_owned());
                }
            }
            if n == 0 {
                let text = String::from_utf8_lossy(&buf).into_owned();
                return Ok(text
                    .split_once("\r\n\r\n")
                    .map(|(_, b)| b.to_owned())
                    .unwrap_or_default());
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fut)
        .await
        .map_err(|_| e("no answer within 10 s".into()))?
}

/// Starts archiving the network traffic of the page target at `debugger` (host:port) into
/// `warc` (appended; a `warcinfo` record is written first if the file is new).
pub async fn start(
    debugger: &str,
    warc_path: &Path,
    warcinfo: Vec<u8>,
) -> Result<NetworkArchive, BrowserError> {
    let list: Value = serde_json::from_str(&http_get(debugger, "/json/list").await?)
        .map_err(|e| BrowserError::new("reading the DevTools target list", e))?;
    let ws = list
        .as_array()
        .and_then(|a| a.iter().find(|t| t["type"] == "page"))
        .and_then(|t| t["webSocketDebuggerUrl"].as_str())
        .ok_or_else(|| BrowserError::new("finding the page's DevTools target", "no page target"))?
        .to_owned();
    let (mut sock, _) = tokio_tungstenite::connect_async(ws.as_str())
        .await
        .map_err(|e| BrowserError::new("connecting to DevTools", e))?;
    sock.send(Message::text(
        json!({"id": 1, "method": "Network.enable", "params": {"maxPostDataSize": 1048576}})
            .to_string(),
    ))
    .await
    .map_err(|e| BrowserError::new("Network.enable", e))?;
    let fresh = !warc_path.exists();
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(warc_path)
        .await
        .map_err(|e| BrowserError::new(format!("opening {}", warc_path.display()), e))?;
    let mut offset = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    if fresh {
        file.write_all(&warcinfo)
            .await
            .map_err(|e| BrowserError::new("writing the WARC", e))?;
        offset += warcinfo.len() as u64;
    }
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let path = warc_path.to_owned();
    let task = tokio::spawn(async move {
        let mut ex: HashMap<String, Exchange> = HashMap::new();
        let mut pending: HashMap<u64, String> = HashMap::new();
        let mut cert_pending: HashMap<u64, String> = HashMap::new();
        let mut certs_asked: HashSet<String> = HashSet::new();
        let mut next_id = 10u64;
        let mut sum = NetworkSummary {
            path: path.clone(),
            ..Default::default()
        };
        let mut stopping: Option<tokio::time::Instant> = None;
        loop {
            let deadline = stopping.map(|t| t + std::time::Duration::from_secs(2));
            let msg = tokio::select! {
                _ = &mut stop_rx, if stopping.is_none() => {
                    stopping = Some(tokio::time::Instant::now());
                    continue;
                }
                _ = async { if let Some(d) = deadline { tokio::time::sleep_until(d).await } else { std::future::pending::<()>().await } } => break,
                m = sock.next() => m,
            };
            if stopping.is_some() && pending.is_empty() && cert_pending.is_empty() {
                break;
            }
            let Some(Ok(Message::Text(text))) = msg else {
                if msg.is_none() {
                    break;
                }
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if let Some(id) = v.get("id").and_then(Value::as_u64) {
                if let Some(origin) = cert_pending.remove(&id) {
                    let chain: Vec<String> = v["result"]["tableNames"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|c| c.as_str())
                                .map(|b| {
                                    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
                                    for chunk in b.as_bytes().chunks(64) {
                                        pem.push_str(&String::from_utf8_lossy(chunk));
                                        pem.push('\n');
                                    }
                                    pem.push_str("-----END CERTIFICATE-----\n");
                                    pem
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let rec = Record {
                        kind: "metadata",
                        id: uuid::Uuid::new_v4().to_string(),
                        date: Utc::now(),
                        target_uri: Some(&origin),
                        fields: vec![],
                        content_type: "application/x-pem-file",
                        block: chain.concat().into_bytes(),
                    };
                    let b = rec.to_bytes();
                    if file.write_all(&b).await.is_ok() {
                        offset += b.len() as u64;
                    }
                    continue;
                }
                let Some(req_id) = pending.remove(&id) else {
                    continue;
                };
                let Some(x) = ex.remove(&req_id) else {
                    continue;
                };
                let body = match (
                    v["result"]["body"].as_str(),
                    v["result"]["base64Encoded"].as_bool(),
                ) {
                    (Some(b), Some(true)) => base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .unwrap_or_default(),
                    (Some(b), _) => b.as_bytes().to_vec(),
                    _ => Vec::new(),
                };
                let (bytes, entry) = records(&x, &body);
                if let Some(mut e) = entry {
                    e.json["offset"] = json!(offset);
                    sum.index.push(e);
                }
                if let Err(e) = file.write_all(&bytes).await {
                    return Err(BrowserError::new("writing the WARC", e));
                }
                offset += bytes.len() as u64;
                sum.bytes += body.len() as u64;
                sum.responses += 1;
                continue;
            }
            let p = &v["params"];
            let rid = p["requestId"].as_str().unwrap_or("").to_owned();
            match v["method"].as_str().unwrap_or("") {
                "Network.requestWillBeSent" => {
                    let url = p["request"]["url"].as_str().unwrap_or("").to_owned();
                    if !url.starts_with("http") {
                        continue;
                    }
                    // A redirect ends the previous exchange of this request id.
                    if p.get("redirectResponse").is_some_and(|r| r.is_object())
                        && let Some(mut prev) = ex.remove(&rid)
                    {
                        prev.response = Some(p["redirectResponse"].clone());
                        let (bytes, entry) = records(&prev, b"");
                        if let Some(mut e) = entry {
                            e.json["offset"] = json!(offset);
                            sum.index.push(e);
                        }
                        if file.write_all(&bytes).await.is_ok() {
                            offset += bytes.len() as u64;
                            sum.responses += 1;
                        }
                    }
                    let date = p["wallTime"].as_f64().and_then(|w| {
                        time::OffsetDateTime::from_unix_timestamp_nanos((w * 1e9) as i128).ok()
                    });
                    ex.insert(
                        rid,
                        Exchange {
                            url,
                            method: p["request"]["method"].as_str().unwrap_or("GET").to_owned(),
                            req_headers: headers(&p["request"]["headers"]),
                            post: p["request"]["postData"]
                                .as_str()
                                .unwrap_or("")
                                .as_bytes()
                                .to_vec(),
                            date: Some(date.map(Utc::from_offset).unwrap_or_else(Utc::now)),
                            response: None,
                        },
                    );
                }
                "Network.responseReceived" => {
                    if let Some(x) = ex.get_mut(&rid) {
                        x.response = Some(p["response"].clone());
                        let url = &p["response"]["url"];
                        if url.as_str().is_some_and(|u| u.starts_with("https://"))
                            && let Some(origin) = url.as_str().and_then(origin_of)
                            && certs_asked.insert(origin.clone())
                        {
                            next_id += 1;
                            cert_pending.insert(next_id, origin.clone());
                            let _ = sock
                                .send(Message::text(json!({"id": next_id, "method": "Network.getCertificate", "params": {"origin": origin}}).to_string()))
                                .await;
                        }
                    }
                }
                "Network.loadingFinished" if ex.contains_key(&rid) => {
                    next_id += 1;
                    pending.insert(next_id, rid.clone());
                    let _ = sock
                        .send(Message::text(json!({"id": next_id, "method": "Network.getResponseBody", "params": {"requestId": rid}}).to_string()))
                        .await;
                }
                "Network.loadingFailed" => {
                    if let Some(x) = ex.remove(&rid) {
                        let rec = Record {
                            kind: "metadata",
                            id: uuid::Uuid::new_v4().to_string(),
                            date: x.date.unwrap_or_else(Utc::now),
                            target_uri: Some(&x.url),
                            fields: vec![],
                            content_type: "application/json",
                            block: json!({"error": p["errorText"], "canceled": p["canceled"], "blocked": p["blockedReason"]}).to_string().into_bytes(),
                        };
                        let b = rec.to_bytes();
                        if file.write_all(&b).await.is_ok() {
                            offset += b.len() as u64;
                        }
                        sum.failures += 1;
                    }
                }
                _ => {}
            }
        }
        file.flush()
            .await
            .map_err(|e| BrowserError::new("writing the WARC", e))?;
        file.sync_all()
            .await
            .map_err(|e| BrowserError::new("syncing the WARC", e))?;
        let _ = sock.close(None).await;
        Ok(sum)
    });
    Ok(NetworkArchive {
        stop: Some(stop_tx),
        task,
    })
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// request + response + metadata records for one exchange, and its index entry.
fn records(x: &Exchange, body: &[u8]) -> (Vec<u8>, Option<IndexEntry>) {
    let date = x.date.unwrap_or_else(Utc::now);
    let req_id = uuid::Uuid::new_v4().to_string();
    let resp_id = uuid::Uuid::new_v4().to_string();
    let mut out = Vec::new();
    let Some(r) = &x.response else {
        return (out, None);
    };
    let status = r["status"].as_u64().unwrap_or(0) as u16;
    let ip = r["remoteIPAddress"].as_str().unwrap_or("").to_owned();
    let mut fields = vec![(
        "WARC-Payload-Digest".to_owned(),
        format!("sha256:{}", sha256(body)),
    )];
    if !ip.is_empty() {
        fields.push((
            "WARC-IP-Address".to_owned(),
            ip.trim_matches(['[', ']']).to_owned(),
        ));
    }
    out.extend(
        Record {
            kind: "response",
            id: resp_id.clone(),
            date,
            target_uri: Some(&x.url),
            fields,
            content_type: "application/http; msgtype=response",
            block: warc::http_response_block(
                status,
                r["statusText"].as_str().unwrap_or(""),
                &headers(&r["headers"]),
                body,
            ),
        }
        .to_bytes(),
    );
    let resp_len = out.len();
    out.extend(
        Record {
            kind: "request",
            id: req_id,
            date,
            target_uri: Some(&x.url),
            fields: vec![("WARC-Concurrent-To".into(), format!("<urn:uuid:{resp_id}>"))],
            content_type: "application/http; msgtype=request",
            block: warc::http_request_block(&x.method, &x.url, &x.req_headers, &x.post),
        }
        .to_bytes(),
    );
    out.extend(
        Record {
            kind: "metadata",
            id: uuid::Uuid::new_v4().to_string(),
            date,
            target_uri: Some(&x.url),
            fields: vec![("WARC-Refers-To".into(), format!("<urn:uuid:{resp_id}>"))],
            content_type: "application/json",
            block: json!({
                "remote_ip": r["remoteIPAddress"], "remote_port": r["remotePort"], "protocol": r["protocol"],
                "security": r["securityState"], "tls": r["securityDetails"], "from_cache": r["fromDiskCache"],
            })
            .to_string()
            .into_bytes(),
        }
        .to_bytes(),
    );
    let entry = IndexEntry {
        surt: warc::surt(&x.url),
        timestamp: warc::timestamp14(&date),
        json: json!({
            "url": x.url, "mime": r["mimeType"], "status": status.to_string(),
            "digest": format!("sha256:{}", sha256(body)), "filename": "data.warc", "length": resp_len,
        }),
    };
    (out, Some(entry))
}
