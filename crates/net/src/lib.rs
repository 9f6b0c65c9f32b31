//! # webproof-net
//!
//! The network edge. [`TsaClient`] posts RFC 3161 requests (`application/timestamp-query`)
//! with a timeout and bounded retries and checks that the answer is a time-stamp response for
//! the request it sent; what the token proves is for `webproof_timestamp::verify` to say.

use std::time::Duration;
use webproof_ledger::api;
use webproof_message::{Explain, Message, msg};

pub use webproof_ledger::receipt::{Ack, BatchAck};

use webproof_timestamp::{Expect, Request, Token, Trust, TspError, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("{url}: {}", transport_detail(source))]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url}: not an acknowledgement: {source}")]
    NotAck {
        url: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: refused (HTTP {status}): {detail}")]
    Refused {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url}: {source}")]
    Tsp {
        url: String,
        #[source]
        source: TspError,
    },
    #[error("{url}: the token does not answer this request: {reason}")]
    Mismatch { url: String, reason: String },
}

/// What went wrong on the way: "no answer in time", or the error with its causes.
fn transport_detail(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else {
        causes(e)
    }
}

/// An error with its causes ("error sending request: connection refused"), a cause its
/// parent already says once.
pub fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(c) = next {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        next = c.source();
    }
    text
}

/// An RFC 3161 client.
#[derive(Clone)]
pub struct TsaClient {
    http: reqwest::Client,
    /// Further attempts after a transport error or an HTTP 5xx.
    pub retries: u32,
}

/// A token and the exact response bytes it came in.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub url: String,
    pub response: Vec<u8>,
    pub token: Token,
}

impl TsaClient {
    /// A client whose every attempt ends after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, NetError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("webproof/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| NetError::Transport {
                url: String::new(),
                source,
            })?;
        Ok(TsaClient { http, retries: 2 })
    }

    /// Sends `req` to the TSA at `url` and returns its token, checked to carry the request's
    /// imprint and nonce and a signature that verifies (trust is decided later, offline).
    pub async fn stamp(&self, url: &str, req: &Request) -> Result<Stamp, NetError> {
        let mut attempt = 0;
        let body = loop {
            let r = self
                .http
                .post(url)
                .header("Content-Type", "application/timestamp-query")
                .header("Accept", "application/timestamp-reply")
                .body(req.der.clone())
                .send()
                .await;
            let retry = match r {
                Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                    Ok(b) => break b.to_vec(),
                    Err(source) => NetError::Transport {
                        url: url.to_owned(),
                        source,
                    },
                },
                Ok(resp) if resp.status().is_server_error() => NetError::Status {
                    url: url.to_owned(),
                    status: resp.status().as_u16(),
                },
                Ok(resp) => {
                    return Err(NetError::Status {
                        url: url.to_owned(),
                        status: resp.status().as_u16(),
                    });
                }
                Err(source) => NetError::Transport {
                    url: url.to_owned(),
                    source,
                },
            };
            if attempt >= self.retries {
                return Err(retry);
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(250 * u64::from(attempt))).await;
        };
        let token = webproof_timestamp::parse_response(&body).map_err(|source| NetError::Tsp {
            url: url.to_owned(),
            source,
        })?;
        // Imprint, nonce, ESS binding and signature must hold now; an unknown root is fine.
        let v = webproof_timestamp::verify(&token, &Expect::from_request(req), &Trust::default());
        if v.verdict == Verdict::Invalid {
            return Err(NetError::Mismatch {
                url: url.to_owned(),
                reason: v.reason,
            });
        }
        Ok(Stamp {
            url: url.to_owned(),
            response: body,
            token,
        })
    }
}

/// A client of an evidence log's read API (`webproof log serve`).
#[derive(Clone)]
pub struct LogClient {
    http: reqwest::Client,
    base: String,
}

impl LogClient {
    /// `base` is the log's URL (`http://host:port/`).
    pub fn new(base: &str, timeout: Duration) -> Result<Self, NetError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|source| NetError::Transport {
                url: base.to_owned(),
                source,
            })?;
        Ok(LogClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// GET `path`: `Ok(None)` on 404.
    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>, NetError> {
        let url = format!("{}{path}", self.base);
        let r = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|source| NetError::Transport {
                url: url.clone(),
                source,
            })?;
        match r.status().as_u16() {
            200 => Ok(Some(
                r.bytes()
                    .await
                    .map_err(|source| NetError::Transport {
                        url: url.clone(),
                        source,
                    })?
                    .to_vec(),
            )),
            404 => Ok(None),
            status => Err(NetError::Status { url, status }),
        }
    }

    /// The index of the first deposit of chain head `sha256` (hex), if deposited.
    pub async fn lookup(&self, sha256: &str) -> Result<Option<u64>, NetError> {
        Ok(self
            .get(&api::lookup(sha256))
            .await?
            .and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok()))
    }

    /// The index of the first deposit that names a file of digest `hex` by `alg` (`sha256`
    /// or `sm3`), if any does.
    pub async fn lookup_file(&self, alg: &str, hex: &str) -> Result<Option<u64>, NetError> {
        Ok(self
            .get(&api::lookup_file(alg, hex))
            .await?
            .and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok()))
    }

    /// GET `path` as text (`Ok(None)` on 404).
    pub async fn get_text(&self, path: &str) -> Result<Option<String>, NetError> {
        Ok(self
            .get(path)
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// The latest published (witnessed) checkpoint note.
    pub async fn checkpoint(&self) -> Result<Option<String>, NetError> {
        Ok(self
            .get(api::CHECKPOINT)
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    pub async fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, NetError> {
        self.get(&api::entry(index)).await
    }

    /// Deposits a canonical deposit entry; returns the log's acknowledgement (index, signed
    /// promise of its commit group, path in the group).
    /// `auth` is the `Webproof-Signature` header value, for logs that only take deposits from
    /// enrolled operators.
    /// `label` is a private label's header value (`webproof_ledger::auth::label_header`).
    pub async fn add(
        &self,
        entry: &[u8],
        auth: Option<String>,
        label: Option<String>,
    ) -> Result<Ack, NetError> {
        let body = self
            .post_with(api::ADD, entry.to_vec(), auth, label)
            .await?;
        serde_json::from_str(&body).map_err(|source| NetError::NotAck {
            url: format!("{}/add", self.base),
            source,
        })
    }

    /// Deposits canonical entries in one commit group (`POST /add-batch`); returns the log's
    /// acknowledgement of the group. `labels` is the batch's label header
    /// (`webproof_ledger::auth::batch_label_header`), one field per entry.
    pub async fn add_batch(
        &self,
        entries: &[Vec<u8>],
        auth: Option<String>,
        labels: Option<String>,
    ) -> Result<BatchAck, NetError> {
        let body = self
            .post_with(api::ADD_BATCH, entries.join(&b'\n'), auth, labels)
            .await?;
        serde_json::from_str(&body).map_err(|source| NetError::NotAck {
            url: format!("{}{}", self.base, api::ADD_BATCH),
            source,
        })
    }

    /// POSTs `body` to `path` (with a `Webproof-Signature` header when `auth` is given);
    /// the answer's text when the status is 200.
    pub async fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        auth: Option<String>,
    ) -> Result<String, NetError> {
        self.post_with(path, body, auth, None).await
    }

    async fn post_with(
        &self,
        path: &str,
        body: Vec<u8>,
        auth: Option<String>,
        label: Option<String>,
    ) -> Result<String, NetError> {
        let url = format!("{}{path}", self.base);
        let t = |source: reqwest::Error| NetError::Transport {
            url: url.clone(),
            source,
        };
        let mut req = self.http.post(&url).body(body);
        if let Some(a) = auth {
            req = req.header(webproof_ledger::auth::HEADER, a);
        }
        if let Some(l) = label {
            req = req.header(webproof_ledger::auth::LABEL_HEADER, l);
        }
        let r = req.send().await.map_err(t)?;
        let status = r.status().as_u16();
        let body = r.text().await.map_err(t)?;
        if status != 200 {
            return Err(NetError::Refused {
                url,
                status,
                detail: body.trim().chars().take(300).collect(),
            });
        }
        Ok(body)
    }

    /// The consistency proof from the tree of `old` to the tree of `size` (base64 lines).
    pub async fn consistency(&self, old: u64, size: u64) -> Result<Option<String>, NetError> {
        Ok(self
            .get(&api::consistency(old, size))
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// The inclusion proof of `index` in the tree of `size` (base64 lines).
    pub async fn inclusion(&self, index: u64, size: u64) -> Result<Option<String>, NetError> {
        Ok(self
            .get(&api::inclusion(index, size))
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

impl Explain for NetError {
    fn message(&self) -> Message {
        use NetError as N;
        match self {
            N::Transport { url, source } => msg!("err-net-transport")
                .arg("url", url)
                .arg("detail", transport_detail(source)),
            N::NotAck { url, source } => msg!("err-net-transport")
                .arg("url", url)
                .arg("detail", format!("not an acknowledgement: {source}")),
            N::Status { url, status } => {
                msg!("err-net-status").arg("url", url).arg("status", status)
            }
            N::Refused {
                url,
                status,
                detail,
            } => msg!("err-net-refused")
                .arg("url", url)
                .arg("status", status)
                .arg("detail", detail),
            N::Tsp { url, source } => msg!("err-net-url")
                .arg("url", url)
                .because(source.message()),
            N::Mismatch { url, reason } => msg!("err-net-mismatch")
                .arg("url", url)
                .arg("reason", reason),
        }
    }
}
