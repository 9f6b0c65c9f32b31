//! The network archive: every request and response of every tab and frame, collected from the
//! DevTools protocol (the shared browser-level [`Hub`]) and written as WARC/1.1
//! `request`, `response` and `metadata` records while the session runs.
//!
//! Why CDP rather than a recording proxy: no certificate interception (the browser validates the
//! site's real TLS chain, which a MITM proxy would replace), and CDP reports the remote IP and
//! the certificate chain. The cost: HTTP heads are as the browser reports them, not raw bytes
//! (see `webproof_evidence::warc`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot};
use webproof_capture::BrowserError;
use webproof_evidence::digest::sha256;
use webproof_evidence::layout;
use webproof_evidence::utc::Utc;
use webproof_evidence::wacz::CdxJson;
use webproof_evidence::warc::{self, Record, Redaction, Redactor};

use crate::cdp::Hub;

/// One CDXJ index line, before sorting.
#[derive(Clone, Debug)]
pub struct IndexEntry {
    pub surt: String,
    pub timestamp: String,
    pub json: CdxJson,
}

impl IndexEntry {
    /// The line (without its newline) as `indexes/index.cdxj` holds it.
    pub fn line(&self) -> String {
        self.json.line(&self.surt, &self.timestamp)
    }
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
    downloads: mpsc::UnboundedSender<(String, PathBuf)>,
    task: tokio::task::JoinHandle<Result<NetworkSummary, BrowserError>>,
}

/// Downloads larger than this are kept as artifacts only, with a metadata record in the WARC.
const MAX_ARCHIVED_DOWNLOAD: u64 = 512 << 20;

impl NetworkArchive {
    /// Archives a file the browser downloaded from `url` (now at `file`): the browser hands a
    /// download's body to its download manager, not to the page, so the Network domain never
    /// reports it. The response record pairs the headers the browser received with these bytes.
    pub fn archive_download(&self, url: &str, file: &Path) {
        let _ = self.downloads.send((url.to_owned(), file.to_owned()));
    }

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
    /// Why the browser could not give the response body (the record is then marked
    /// `WARC-Truncated` and the reason is in its metadata record).
    body_error: Option<String>,
}

impl Exchange {
    /// The body length the response's Content-Length header declares (0 if none).
    fn declared_length(&self) -> u64 {
        self.response
            .as_ref()
            .and_then(|r| r["headers"].as_object())
            .and_then(|h| {
                h.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.as_str()?.trim().parse().ok())
            })
            .unwrap_or(0)
    }
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

/// Starts archiving the network traffic of every page and frame the hub is attached to into
/// `warc_path` (appended; a `warcinfo` record is written first if the file is new). Call
/// before [`Hub::attach`] so the first requests are not missed.
///
/// Credentials never reach the file: `redactor` removes credential headers and every request
/// body, URL or response body that holds a value the operator typed from an `{{ask:…}}`
/// placeholder, and a metadata record beside the exchange says what was redacted and why. In
/// manual mode it also learns what the operator types into password fields: the recorder
/// reports each such value (in its own isolated world) as the field is left or its form
/// submitted, and this task reads those reports in the same ordered event stream as the
/// network's, before the request that carries the value has an answer to archive.
pub async fn start(
    hub: &Hub,
    warc_path: &Path,
    warcinfo: Vec<u8>,
    redactor: Redactor,
) -> Result<NetworkArchive, BrowserError> {
    let mut events = hub.subscribe(&[
        "Network.",
        "Runtime.bindingCalled",
        "Runtime.executionContextCreated",
    ]);
    // The manual-mode recorder's isolated worlds (session, context id): only their reports
    // count, so a page cannot make the archive redact what it chooses.
    let mut recorder_worlds: HashSet<(String, i64)> = HashSet::new();
    let caller = hub.caller();
    let mut w = Warc::open(warc_path, &warcinfo, redactor).await?;
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let (dl_tx, mut dl_rx) = mpsc::unbounded_channel::<(String, PathBuf)>();
    let task = tokio::spawn(async move {
        // Exchanges by (session, request id): request ids are unique per renderer only.
        let mut ex: HashMap<String, Exchange> = HashMap::new();
        // Finished exchanges whose body the browser did not keep (a page's fetch() of a PDF,
        // for one), by URL, waiting for the bytes from the download that caused them.
        let mut bodiless: HashMap<String, Exchange> = HashMap::new();
        let mut certs_asked: HashSet<String> = HashSet::new();
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Fetched>();
        let mut in_flight = 0usize;
        let mut stopping: Option<tokio::time::Instant> = None;
        loop {
            if stopping.is_some() && in_flight == 0 {
                break;
            }
            let deadline = stopping.map(|t| t + std::time::Duration::from_secs(3));
            let ev = tokio::select! {
                _ = &mut stop_rx, if stopping.is_none() => {
                    stopping = Some(tokio::time::Instant::now());
                    continue;
                }
                _ = async { if let Some(d) = deadline { tokio::time::sleep_until(d).await } else { std::future::pending::<()>().await } } => break,
                f = done_rx.recv() => {
                    let Some(f) = f else { continue };
                    in_flight -= 1;
                    match f {
                        Fetched::Body(x, body) if body.is_empty() && x.body_error.is_none() && x.declared_length() > 0 => {
                            bodiless.insert(x.url.clone(), x);
                        }
                        Fetched::Body(x, body) => w.exchange(&x, &body).await?,
                        Fetched::Certs(origin, result) => w.raw(&cert_record(&origin, &result)).await?,
                    }
                    continue;
                }
                d = dl_rx.recv() => {
                    let Some((url, dl_file)) = d else { continue };
                    // The exchange this download came from: one that got a response and
                    // no body, newest first.
                    let key = ex
                        .iter()
                        .filter(|(_, x)| x.url == url && x.response.is_some())
                        .max_by_key(|(_, x)| x.date)
                        .map(|(k, _)| k.clone());
                    let exchange = key.and_then(|k| ex.remove(&k)).or_else(|| bodiless.remove(&url));
                    let size = std::fs::metadata(&dl_file).map(|m| m.len()).unwrap_or(0);
                    if size > MAX_ARCHIVED_DOWNLOAD {
                        let (url, _) = w.redactor.url(&url);
                        w.raw(&metadata(&url, json!({"download": true, "size": size, "archived": false,
                            "reason": "larger than the WARC limit; the file is an artifact of its download step"}))).await?;
                        continue;
                    }
                    let body = tokio::fs::read(&dl_file)
                        .await
                        .map_err(|e| BrowserError::new(format!("reading {}", dl_file.display()), e))?;
                    match exchange {
                        Some(x) => w.exchange(&x, &body).await?,
                        // Already archived with these very bytes (a fetch whose body the browser kept).
                        None if w.holds(&url, &body) => {}
                        // A download started by a link goes straight to the download manager:
                        // keep the bytes as a `resource` record at their URL.
                        None => w.resource(&url, &body).await?,
                    }
                    continue;
                }
                e = events.recv() => match e {
                    Some(e) => e,
                    None => break,
                },
            };
            let p = &ev.params;
            let session = ev.session.clone().unwrap_or_default();
            let rid = p["requestId"].as_str().unwrap_or("").to_owned();
            let key = format!("{session}/{rid}");
            match ev.method.as_str() {
                "Runtime.executionContextCreated"
                    if p["context"]["name"] == webproof_capture::manual::RECORDER_WORLD =>
                {
                    if let Some(id) = p["context"]["id"].as_i64() {
                        if recorder_worlds.len() >= 100_000 {
                            recorder_worlds.clear();
                        }
                        recorder_worlds.insert((session, id));
                    }
                }
                "Runtime.bindingCalled" if p["name"] == webproof_capture::manual::BINDING => {
                    let ours = p["executionContextId"]
                        .as_i64()
                        .is_some_and(|id| recorder_worlds.contains(&(session, id)));
                    if let Some(secret) = p["payload"]
                        .as_str()
                        .filter(|_| ours)
                        .and_then(webproof_capture::manual::secret_of)
                    {
                        w.redactor.add_typed_by_hand(&secret);
                    }
                }
                "Network.requestWillBeSent" => {
                    let url = p["request"]["url"].as_str().unwrap_or("").to_owned();
                    if !url.starts_with("http") {
                        continue;
                    }
                    // A redirect ends the previous exchange of this request id.
                    if p.get("redirectResponse").is_some_and(|r| r.is_object())
                        && let Some(mut prev) = ex.remove(&key)
                    {
                        prev.response = Some(p["redirectResponse"].clone());
                        w.exchange(&prev, b"").await?;
                    }
                    let date = p["wallTime"].as_f64().and_then(|t| {
                        time::OffsetDateTime::from_unix_timestamp_nanos((t * 1e9) as i128).ok()
                    });
                    ex.insert(
                        key,
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
                            body_error: None,
                        },
                    );
                }
                "Network.responseReceived" => {
                    if let Some(x) = ex.get_mut(&key) {
                        x.response = Some(p["response"].clone());
                        let url = &p["response"]["url"];
                        if url.as_str().is_some_and(|u| u.starts_with("https://"))
                            && let Some(origin) = url.as_str().and_then(origin_of)
                            && certs_asked.insert(origin.clone())
                        {
                            in_flight += 1;
                            let (c, tx, s) = (caller.clone(), done_tx.clone(), session.clone());
                            tokio::spawn(async move {
                                let r = c
                                    .call(
                                        "Network.getCertificate",
                                        json!({"origin": origin}),
                                        Some(&s),
                                    )
                                    .await;
                                let _ = tx.send(Fetched::Certs(origin, r.unwrap_or(Value::Null)));
                            });
                        }
                    }
                }
                "Network.loadingFinished" => {
                    if let Some(mut x) = ex.remove(&key) {
                        in_flight += 1;
                        let (c, tx) = (caller.clone(), done_tx.clone());
                        tokio::spawn(async move {
                            let r = c
                                .call(
                                    "Network.getResponseBody",
                                    json!({"requestId": rid}),
                                    Some(&session),
                                )
                                .await;
                            let body = match r {
                                Ok(v) => match (v["body"].as_str(), v["base64Encoded"].as_bool()) {
                                    (Some(b), Some(true)) => {
                                        base64::engine::general_purpose::STANDARD
                                            .decode(b)
                                            .unwrap_or_default()
                                    }
                                    (Some(b), _) => b.as_bytes().to_vec(),
                                    _ => Vec::new(),
                                },
                                Err(e) => {
                                    x.body_error = Some(e.source.to_string());
                                    Vec::new()
                                }
                            };
                            let _ = tx.send(Fetched::Body(x, body));
                        });
                    }
                }
                "Network.loadingFailed" => {
                    // Answered, then cancelled: the browser handed the body to its download
                    // manager (an attachment, a file it does not show). The bytes come with
                    // the download; until then it is a response without a body, not a failure.
                    if p["canceled"].as_bool() == Some(true)
                        && ex.get(&key).is_some_and(|x| x.response.is_some())
                        && let Some(x) = ex.remove(&key)
                    {
                        bodiless.insert(x.url.clone(), x);
                    } else if let Some(x) = ex.remove(&key) {
                        let (url, _) = w.redactor.url(&x.url);
                        w.raw(&metadata(&url, json!({"error": p["errorText"], "canceled": p["canceled"], "blocked": p["blockedReason"]}))).await?;
                        w.sum.failures += 1;
                    }
                }
                _ => {}
            }
        }
        // Bodies that never came: the response is kept, marked truncated, with the reason.
        for (_, mut x) in bodiless {
            x.body_error = Some("the browser kept no body for this response".into());
            w.exchange(&x, b"").await?;
        }
        w.finish().await
    });
    Ok(NetworkArchive {
        stop: Some(stop_tx),
        downloads: dl_tx,
        task,
    })
}

/// The WARC file being written, its length, and what it holds.
struct Warc {
    file: tokio::fs::File,
    offset: u64,
    sum: NetworkSummary,
    /// (URL, SHA-256 of the payload) of every response with a body written so far.
    payloads: HashSet<(String, String)>,
    redactor: Redactor,
}

impl Warc {
    async fn open(path: &Path, warcinfo: &[u8], redactor: Redactor) -> Result<Self, BrowserError> {
        let fresh = !path.exists();
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await
            .map_err(|e| BrowserError::new(format!("opening {}", path.display()), e))?;
        let offset = file.metadata().await.map(|m| m.len()).unwrap_or(0);
        let mut w = Warc {
            file,
            offset,
            sum: NetworkSummary {
                path: path.to_owned(),
                ..Default::default()
            },
            payloads: HashSet::new(),
            redactor,
        };
        if fresh {
            w.raw(warcinfo).await?;
        }
        Ok(w)
    }

    /// Whether a response for `url` with exactly `body` is already archived.
    fn holds(&self, url: &str, body: &[u8]) -> bool {
        self.payloads
            .contains(&(url.to_owned(), sha256(body).to_string()))
    }

    async fn raw(&mut self, bytes: &[u8]) -> Result<(), BrowserError> {
        self.file
            .write_all(bytes)
            .await
            .map_err(|e| BrowserError::new("writing the WARC", e))?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// The request, response and metadata records of one exchange, indexed.
    async fn exchange(&mut self, x: &Exchange, body: &[u8]) -> Result<(), BrowserError> {
        let (bytes, entry) = records(x, body, &self.redactor);
        if !body.is_empty() {
            self.payloads
                .insert((x.url.clone(), sha256(body).to_string()));
        }
        if let Some(mut e) = entry {
            e.json.offset = self.offset;
            self.sum.index.push(e);
            self.sum.responses += 1;
            self.sum.bytes += body.len() as u64;
        }
        self.raw(&bytes).await
    }

    /// A `resource` record: bytes at a URL with no HTTP exchange the browser reported.
    async fn resource(&mut self, url: &str, body: &[u8]) -> Result<(), BrowserError> {
        let date = Utc::now();
        let (url, url_note) = self.redactor.url(url);
        let (body, body_note) = self.redactor.body(body, "downloaded body");
        let notes: Vec<Redaction> = url_note.into_iter().chain(body_note).collect();
        if !notes.is_empty() {
            let rec = redaction_record(&url, date, None, &notes);
            self.raw(&rec).await?;
        }
        let url = url.as_str();
        let digest = format!("sha256:{}", sha256(body));
        let mime = mime_of(url);
        let rec = Record {
            kind: "resource",
            id: uuid::Uuid::new_v4().to_string(),
            date,
            target_uri: Some(url),
            fields: vec![("WARC-Payload-Digest".to_owned(), digest.clone())],
            content_type: mime,
            block: body.to_vec(),
        }
        .to_bytes();
        self.sum.index.push(IndexEntry {
            surt: warc::surt(url),
            timestamp: warc::timestamp14(&date),
            json: CdxJson {
                url: url.to_owned(),
                mime: mime.to_owned(),
                status: "200".into(),
                digest,
                filename: layout::WARC_NAME.into(),
                offset: self.offset,
                length: rec.len() as u64,
            },
        });
        self.sum.responses += 1;
        self.sum.bytes += body.len() as u64;
        self.raw(&rec).await
    }

    async fn finish(mut self) -> Result<NetworkSummary, BrowserError> {
        self.file
            .flush()
            .await
            .map_err(|e| BrowserError::new("writing the WARC", e))?;
        self.file
            .sync_all()
            .await
            .map_err(|e| BrowserError::new("syncing the WARC", e))?;
        Ok(self.sum)
    }
}

/// A `metadata` record of JSON about `url`.
fn metadata(url: &str, info: Value) -> Vec<u8> {
    Record {
        kind: "metadata",
        id: uuid::Uuid::new_v4().to_string(),
        date: Utc::now(),
        target_uri: Some(url),
        fields: vec![],
        content_type: "application/json",
        block: info.to_string().into_bytes(),
    }
    .to_bytes()
}

enum Fetched {
    Body(Exchange, Vec<u8>),
    Certs(String, Value),
}

/// A `metadata` record holding an origin's certificate chain as PEM.
fn cert_record(origin: &str, result: &Value) -> Vec<u8> {
    let chain: Vec<String> = result["tableNames"]
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
    Record {
        kind: "metadata",
        id: uuid::Uuid::new_v4().to_string(),
        date: Utc::now(),
        target_uri: Some(origin),
        fields: vec![],
        content_type: "application/x-pem-file",
        block: chain.concat().into_bytes(),
    }
    .to_bytes()
}

/// A media type for a downloaded file, from its URL's extension.
fn mime_of(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or("");
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// A `metadata` record saying what was redacted from the exchange whose response is `refers`.
fn redaction_record(url: &str, date: Utc, refers: Option<&str>, notes: &[Redaction]) -> Vec<u8> {
    let mut fields = Vec::new();
    if let Some(id) = refers {
        fields.push(("WARC-Refers-To".to_owned(), format!("<urn:uuid:{id}>")));
    }
    Record {
        kind: "metadata",
        id: uuid::Uuid::new_v4().to_string(),
        date,
        target_uri: Some(url),
        fields,
        content_type: "application/json",
        block: json!({
            "webproof": "redaction",
            "redacted": notes,
            "why": "credentials and values typed from {{ask:…}} placeholders are never archived; their places hold the text [redacted by webproof]",
        })
        .to_string()
        .into_bytes(),
    }
    .to_bytes()
}

/// request + response + metadata records for one exchange (secrets redacted, and a metadata
/// record saying so), and its index entry.
fn records(x: &Exchange, body: &[u8], redactor: &Redactor) -> (Vec<u8>, Option<IndexEntry>) {
    let date = x.date.unwrap_or_else(Utc::now);
    let req_id = uuid::Uuid::new_v4().to_string();
    let resp_id = uuid::Uuid::new_v4().to_string();
    let mut out = Vec::new();
    let Some(r) = &x.response else {
        return (out, None);
    };
    let mut notes: Vec<Redaction> = Vec::new();
    let (url, note) = redactor.url(&x.url);
    notes.extend(note);
    let mut req_headers = x.req_headers.clone();
    notes.extend(redactor.headers(&mut req_headers, "request"));
    let mut resp_headers = headers(&r["headers"]);
    notes.extend(redactor.headers(&mut resp_headers, "response"));
    let (post, note) = redactor.body(&x.post, "request body");
    notes.extend(note);
    let (body, note) = redactor.body(body, "response body");
    notes.extend(note);
    let status = r["status"].as_u64().unwrap_or(0) as u16;
    let ip = r["remoteIPAddress"].as_str().unwrap_or("").to_owned();
    let mut fields = vec![(
        "WARC-Payload-Digest".to_owned(),
        format!("sha256:{}", sha256(body)),
    )];
    if x.body_error.is_some() {
        fields.push(("WARC-Truncated".to_owned(), "unspecified".to_owned()));
    }
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
            target_uri: Some(&url),
            fields,
            content_type: "application/http; msgtype=response",
            block: warc::http_response_block(
                status,
                r["statusText"].as_str().unwrap_or(""),
                &resp_headers,
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
            target_uri: Some(&url),
            fields: vec![("WARC-Concurrent-To".into(), format!("<urn:uuid:{resp_id}>"))],
            content_type: "application/http; msgtype=request",
            block: warc::http_request_block(&x.method, &url, &req_headers, post),
        }
        .to_bytes(),
    );
    out.extend(
        Record {
            kind: "metadata",
            id: uuid::Uuid::new_v4().to_string(),
            date,
            target_uri: Some(&url),
            fields: vec![("WARC-Refers-To".into(), format!("<urn:uuid:{resp_id}>"))],
            content_type: "application/json",
            block: json!({
                "remote_ip": r["remoteIPAddress"], "remote_port": r["remotePort"], "protocol": r["protocol"],
                "security": r["securityState"], "tls": r["securityDetails"], "from_cache": r["fromDiskCache"],
                "body_error": x.body_error,
            })
            .to_string()
            .into_bytes(),
        }
        .to_bytes(),
    );
    if !notes.is_empty() {
        out.extend(redaction_record(&url, date, Some(&resp_id), &notes));
    }
    let entry = IndexEntry {
        surt: warc::surt(&url),
        timestamp: warc::timestamp14(&date),
        // Where it starts in the WARC is known when it is written (`Warc::exchange`).
        json: CdxJson {
            url: url.clone(),
            mime: r["mimeType"].as_str().unwrap_or_default().to_owned(),
            status: status.to_string(),
            digest: format!("sha256:{}", sha256(body)),
            filename: layout::WARC_NAME.into(),
            offset: 0,
            length: resp_len as u64,
        },
    };
    (out, Some(entry))
}
