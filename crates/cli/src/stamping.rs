//! The TSA options of `seal` and `capture` and what the engine's stamper
//! ([`webproof_engine::stamping`]) says, in the user's language; the clock probe of step 0.

use crate::say::tr;

use anyhow::Result;
use webproof_engine::{AnchorError, Note, Waiting};
use webproof_timestamp::HashAlg;

/// The `--tsa` options shared by `seal` and `capture`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TsaArgs {
    /// An RFC 3161 time-stamp authority (URL). Repeatable; also WEBPROOF_TSA (comma-separated).
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// How many TSAs must stamp a checkpoint for it to count (default: 1).
    #[arg(long)]
    pub tsa_quorum: Option<usize>,
    /// Which chain-head digest to have stamped: the SHA-256 head, the SM3 head (for TSAs that
    /// accept SM3), or both.
    #[arg(long, value_enum)]
    pub tsa_imprint: Option<Imprint>,
    /// The TSA policy (OID) to ask for.
    #[arg(long, value_name = "OID")]
    pub tsa_policy: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imprint {
    Sha256,
    Sm3,
    Both,
}

impl TsaArgs {
    /// The TSA settings in force: flags, else WEBPROOF_TSA, else WEBPROOF_HOME/config.toml.
    pub fn settings(&self) -> Result<TsaSettings> {
        let cfg = crate::config::Config::load(&crate::config::home()?)?.timestamp;
        let mut urls = self.tsa.clone();
        if urls.is_empty()
            && let Ok(v) = std::env::var("WEBPROOF_TSA")
        {
            urls = v
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if urls.is_empty() {
            urls = cfg.tsa.clone();
        }
        let imprint = match (self.tsa_imprint, cfg.imprint.as_deref()) {
            (Some(i), _) => i,
            (None, None | Some("sha256")) => Imprint::Sha256,
            (None, Some("sm3")) => Imprint::Sm3,
            (None, Some("both")) => Imprint::Both,
            (None, Some(other)) => {
                anyhow::bail!(tr!("cli-bad-imprint", value = other))
            }
        };
        let algs = match imprint {
            Imprint::Sha256 => vec![HashAlg::Sha256],
            Imprint::Sm3 => vec![HashAlg::Sm3],
            Imprint::Both => vec![HashAlg::Sha256, HashAlg::Sm3],
        };
        let policy = match self.tsa_policy.clone().or(cfg.policy.clone()) {
            Some(p) => Some(
                p.parse()
                    .map_err(|e| anyhow::anyhow!(tr!("cli-bad-policy", value = p, error = e)))?,
            ),
            None => None,
        };
        for u in &urls {
            http_url(u, "--tsa")?;
        }
        let quorum = self.tsa_quorum.or(cfg.quorum).unwrap_or(1);
        if quorum == 0 {
            anyhow::bail!(tr!("cli-tsa-quorum-zero"));
        }
        if urls.is_empty() && self.tsa_quorum.is_some() {
            anyhow::bail!(tr!("cli-tsa-quorum-no-tsa", quorum = quorum));
        }
        if !urls.is_empty() && quorum > urls.len() {
            anyhow::bail!(tr!(
                "cli-tsa-quorum-too-high",
                quorum = quorum,
                count = urls.len()
            ));
        }
        Ok(TsaSettings {
            quorum,
            urls,
            algs,
            policy,
        })
    }

    pub fn urls(&self) -> Vec<String> {
        self.settings().map(|s| s.urls).unwrap_or_default()
    }
}

pub use webproof_engine::stamping::{Stamper, TsaSettings, Undelivered};

/// The stamper of a session (and its depositor), when a TSA or a log is configured.
pub fn stamper(
    args: &TsaArgs,
    log: Option<webproof_engine::depositing::Depositor>,
    handle: tokio::runtime::Handle,
) -> Result<Option<Stamper>> {
    Stamper::new(args.settings()?, log, handle).map_err(anchor_error)
}

/// What the background work of trusted time and the log says, as lines in the user's
/// language (each indented as a detail of the step or phase it belongs to).
pub fn said(note: &Note<'_>) -> Vec<String> {
    use crate::say::cause;
    let one = |s: String| vec![format!("  {s}")];
    match note {
        Note::Stamped { seq, tsa, time } => {
            one(tr!("cli-stamped", seq = seq, tsa = tsa, time = time))
        }
        Note::RenewalStamped { n, tsa, time } => {
            vec![tr!("cli-renewal-stamped", n = n, url = tsa, time = time)]
        }
        Note::ReviewStamped { n, tsa, time } => {
            vec![tr!("cli-review-stamped", n = n, url = tsa, time = time)]
        }
        Note::StampFailed { error } => one(tr!("cli-stamp-failed", error = cause(*error))),
        Note::Deposited { seq, index } => one(tr!("cli-deposited", seq = seq, index = index)),
        Note::DepositFailed { error } => one(tr!("cli-deposit-failed", error = cause(*error))),
        Note::NoNotBefore { error } => one(tr!("cli-no-not-before", error = cause(*error))),
        Note::NoReceipts {
            seconds,
            why,
            promises,
        } => no_receipts(*seconds, why, promises),
        Note::NoInclusion { seq, error } => one(tr!(
            "cli-log-step-error",
            seq = seq,
            error = match error {
                Some(e) => cause(*e),
                None => tr!("cli-no-inclusion"),
            }
        )),
        Note::ReceiptBad { seq, error } => {
            one(tr!("cli-log-receipt-bad", seq = seq, error = cause(*error)))
        }
        Note::Environment { report } => match crate::say::shared() {
            Ok(cat) => crate::env_cmd::env_lines(report, &cat),
            Err(e) => one(e.to_string()),
        },
        Note::NoDevtools => one(tr!("cli-no-devtools")),
        Note::Watching => vec![tr!("cli-manual-help")],
        Note::NoScreenshot { error } => one(tr!("cli-no-screenshot", error = cause(*error))),
        Note::NetworkFailed { error } => one(tr!("cli-network-error", error = cause(*error))),
        Note::RecordingFailed { error } => one(tr!("cli-recording-error", error = cause(*error))),
        Note::Recorded { stats } => one(tr!(
            "cli-recorded",
            frames = stats.frames,
            seconds = format!("{:.1}", stats.seconds),
            fps = format!("{:.1}", stats.fps()),
            dropped = stats.dropped,
            segments = stats.segments,
        )),
        Note::Receipt {
            seq,
            index,
            size,
            origin,
            witnesses,
        } => one(tr!(
            "cli-receipt",
            seq = seq,
            index = index,
            size = size,
            origin = origin,
            witnesses = if witnesses.is_empty() {
                "—".to_owned()
            } else {
                witnesses.join(", ")
            }
        )),
    }
}

/// The log gave no receipt within `seconds`: why, and the promises it made instead.
fn no_receipts(seconds: u64, why: &Waiting, promises: &[(u64, u64)]) -> Vec<String> {
    use crate::say::cause;
    let why = match why {
        Waiting::TooSmall { size } => tr!("cli-log-checkpoint-size", size = size),
        Waiting::Bad(e) => tr!("cli-log-checkpoint-bad", error = cause(e)),
        Waiting::None => tr!("cli-log-no-checkpoint"),
        Waiting::Net(e) => cause(e),
    };
    let mut lines = vec![format!(
        "  {}",
        tr!("cli-log-no-receipts", seconds = seconds, why = why)
    )];
    for (seq, index) in promises {
        lines.push(format!(
            "    {}",
            tr!("cli-log-promise", seq = seq, index = index)
        ));
    }
    lines
}

/// An engine error of trusted time or the log, with the context the user reads.
pub fn anchor_error(e: AnchorError) -> anyhow::Error {
    match e {
        AnchorError::Token(s) => anyhow::Error::new(s).context(tr!("ctx-keeping-token")),
        AnchorError::Receipt(s) => anyhow::Error::new(s).context(tr!("ctx-keeping-receipt")),
        AnchorError::Sign(s) => anyhow::Error::new(s).context(tr!("ctx-signing-request")),
        AnchorError::Deposit(why) => anyhow::Error::new(why).context(tr!("ctx-deposit")),
        AnchorError::EntryNotUtf8 => anyhow::anyhow!(tr!("cli-entry-not-utf8")),
        AnchorError::NoLogKey { url } => anyhow::anyhow!(tr!("cli-no-log-key", url = url)),
        AnchorError::Request(s) => s.into(),
        AnchorError::Client(s) => s.into(),
        AnchorError::Key(s) => s.into(),
        AnchorError::ReceiptBytes(s) => s.into(),
    }
}

/// Refuses what is not an absolute http(s) URL with a host, naming the option it came from
/// (a TSA, a log and a witness are reached over HTTP only).
pub(crate) fn http_url(value: &str, option: &str) -> Result<reqwest::Url> {
    parse_http_url(value).map_err(|why| {
        anyhow::anyhow!(tr!(
            "cli-bad-url",
            option = option,
            value = value,
            why = why
        ))
    })
}

/// An absolute http(s) URL with a host, or why `value` is not one (in the user's language).
pub(crate) fn parse_http_url(value: &str) -> std::result::Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(value.trim()).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(tr!("cli-url-scheme", scheme = url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(tr!("cli-url-no-host"));
    }
    Ok(url)
}
