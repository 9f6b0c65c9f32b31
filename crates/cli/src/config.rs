//! `WEBPROOF_HOME/config.toml`: settings a user keeps instead of repeating flags. Flags win
//! over environment variables, which win over the file. Unknown keys are errors.
//!
//! ```toml
//! [timestamp]
//! tsa = ["http://tsa.example/", "https://tsa2.example/tsr"]   # like --tsa
//! quorum = 2                                                  # like --tsa-quorum
//! imprint = "both"                                            # sha256 | sm3 | both
//! policy = "1.2.3.4.1"                                        # TSA policy to ask for
//! trust = ["/etc/webproof/tsa-roots"]                         # like --trust-tsa (files or directories)
//!
//! [log]
//! url = "https://log.alliance.example/"      # like --log: deposit chain heads here
//! key = "log.alliance.example+1a2b3c4d+AB…"  # the log's verifier key (like --trust-log)
//! witnesses = ["witness.court.example+…"]    # witnesses' verifier keys (like --trust-witness)
//! quorum = 2                                 # witnesses that must cosign (like --witness-quorum)
//! operator_ca = ["/etc/webproof/operator-ca.pem"]   # like --trust-operator-ca
//! store = "postgres://webproof@db.alliance.example/log"   # like log serve --store
//!
//! [trust]
//! operators = ["6bfd56d5…"]   # operator key fingerprints verify trusts (like --trust-operator)
//! notaries = ["0c1e…"]        # notary key fingerprints (like --trust-notary)
//! ```

use crate::say::tr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub timestamp: TimestampConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub trust: TrustConfig,
}

/// Signers' keys (SHA-256 fingerprints of their SPKI, hex) the user trusts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    #[serde(default)]
    pub operators: Vec<String>,
    #[serde(default)]
    pub notaries: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub url: Option<String>,
    pub key: Option<String>,
    #[serde(default)]
    pub witnesses: Vec<String>,
    pub quorum: Option<usize>,
    /// Operator CA certificates (PEM files) whose certified operators verify trusts.
    #[serde(default)]
    pub operator_ca: Vec<PathBuf>,
    /// Where `log serve` keeps deposits: a PostgreSQL URL (several frontends share it); by
    /// default the embedded redb store in WEBPROOF_HOME/log/ORIGIN.
    pub store: Option<String>,
    /// Whether deposits name the capture's files by digest (SHA-256 and SM3, never names or
    /// content), so that anyone may ask the log whether an exact file was deposited
    /// (`log lookup --file`). A tenant may keep them out of the log: `false` (a privacy
    /// choice, docs/evidence-log.md). Default: true.
    pub file_digests: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampConfig {
    #[serde(default)]
    pub tsa: Vec<String>,
    pub quorum: Option<usize>,
    pub imprint: Option<String>,
    pub policy: Option<String>,
    #[serde(default)]
    pub trust: Vec<PathBuf>,
}

impl Config {
    /// The configuration of `home`, or the defaults when it has none.
    pub fn load(home: &Path) -> Result<Config> {
        let path = home.join("config.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).with_context(|| tr!("ctx-reading", path = path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| tr!("ctx-reading", path = path.display())),
        }
    }
}

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// WEBPROOF_HOME, by the rule the app shares (`webproof_engine::home`): the variable, else
/// an existing `~/.webproof`, else the XDG data directory.
pub(crate) fn home() -> Result<PathBuf> {
    webproof_engine::home::home().map_err(|_| anyhow!(tr!("cli-no-home")))
}

pub(crate) fn toml_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", q.join(", "))
}

/// The `[trust]` of a config.toml about to be rewritten (`dev up`, `trust import`): the keys
/// the user trusts are theirs, not the alliance's, and stay. Nothing when there is no file or
/// it does not read.
pub(crate) fn kept_trust(old: Option<&str>) -> TrustConfig {
    old.and_then(|t| toml::from_str::<Config>(t).ok())
        .map(|c| c.trust)
        .unwrap_or_default()
}

/// The `[trust]` section a restart keeps (nothing when there is nothing to keep, so that the
/// user can still add the section by hand).
pub(crate) fn trust_section(t: &TrustConfig) -> String {
    if t.operators.is_empty() && t.notaries.is_empty() {
        return String::new();
    }
    format!(
        "\n[trust]\noperators = {}\nnotaries = {}\n",
        toml_list(&t.operators),
        toml_list(&t.notaries)
    )
}

pub(crate) fn toml_str(s: &str) -> String {
    // A TOML basic string is a JSON string for the characters used here.
    serde_json::Value::String(s.to_owned()).to_string()
}

/// Replaces `home`'s config.toml with `text` (whole or not at all).
pub(crate) fn write(home: &Path, text: &str) -> Result<()> {
    let path = home.join("config.toml");
    let tmp = home.join("config.toml.tmp");
    std::fs::write(&tmp, text).with_context(|| tr!("ctx-writing", path = tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| tr!("ctx-writing", path = path.display()))
}
