//! `webproof trust import`: join an alliance on this machine. Its trust bundle
//! (docs/trust-bundle.md; a file, or the URL of its log, which publishes it) is checked entry
//! by entry, kept in WEBPROOF_HOME/trust/, and written into config.toml with the log's address
//! and the TSAs' addresses, so that `seal`, `capture` and `verify` use the alliance with no
//! flags and `operator enroll --code` enrolls with its registrar.

use crate::config::{toml_list, toml_str, trust_section};
use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use webproof_engine::home::{ConfigOrigin, IMPORT_MARK, config_origin};
use webproof_ledger::api;
use webproof_ledger::bundle::TrustBundle;
use webproof_ledger::note::{Note, NoteKey};

#[derive(clap::Subcommand)]
pub enum TrustCmd {
    /// Trust an alliance on this machine: read its trust bundle (a file, or its evidence log's
    /// URL, which publishes it), keep it in WEBPROOF_HOME/trust/ and write config.toml so that
    /// seal, capture and verify use its log, witnesses, operator CAs and TSA roots. Then enroll
    /// with the registrar's code (`webproof operator enroll --code …`).
    Import {
        /// The bundle: a file, or the alliance's log URL (http(s)://…, with or without
        /// /trust-bundle.json).
        source: String,
        /// The evidence log to deposit in (by default the URL the bundle came from).
        #[arg(long, value_name = "URL")]
        log: Option<String>,
        /// A time-stamp authority of the alliance to ask for trusted time (its URL).
        /// Repeatable; at least one.
        #[arg(long = "tsa", value_name = "URL", required = true)]
        tsa: Vec<String>,
        /// How many of the TSAs must answer (default: all of them, at most 2).
        #[arg(long, value_name = "N")]
        tsa_quorum: Option<usize>,
        /// Replace a config.toml that neither `trust import` nor `dev up` wrote.
        #[arg(long)]
        force: bool,
    },
}

pub fn trust(cmd: TrustCmd) -> Result<ExitCode> {
    let TrustCmd::Import {
        source,
        log,
        tsa,
        tsa_quorum,
        force,
    } = cmd;
    let home = crate::config::home()?;
    let cfg_path = home.join("config.toml");
    let old = std::fs::read_to_string(&cfg_path).ok();
    if config_origin(old.as_deref()) == ConfigOrigin::Own && !force {
        bail!(tr!("cli-trust-own-config", path = cfg_path.display()));
    }
    let kept_trust = crate::config::kept_trust(old.as_deref());

    for u in &tsa {
        crate::stamping::http_url(u, "--tsa")?;
    }
    let quorum = tsa_quorum.unwrap_or(tsa.len().min(2));
    if quorum == 0 || quorum > tsa.len() {
        bail!(tr!("cli-trust-tsa-quorum", quorum = quorum, n = tsa.len()));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let from_url = source.starts_with("http://") || source.starts_with("https://");
    let bytes = if from_url {
        let base = log_base(&source);
        let client = webproof_net::LogClient::new(&base, Duration::from_secs(10))?;
        rt.block_on(client.get_text(api::TRUST_BUNDLE))?
            .with_context(|| tr!("cli-trust-no-bundle", url = base))?
            .into_bytes()
    } else {
        std::fs::read(&source).with_context(|| tr!("ctx-reading", path = source))?
    };
    // Every entry checked as a verifier would, before anything is written.
    webproof_verify::bundle::read(&bytes).with_context(|| tr!("ctx-reading", path = source))?;
    let bundle: TrustBundle = serde_json::from_slice(&bytes)?;
    let log_url = match (log, from_url) {
        (Some(l), _) => l,
        (None, true) => log_base(&source),
        (None, false) => bail!(tr!("cli-trust-log-url")),
    };
    crate::stamping::http_url(&log_url, "--log")?;
    let client = webproof_net::LogClient::new(&log_url, Duration::from_secs(10))?;
    let checkpoint = rt.block_on(client.checkpoint())?;
    let log_key = log_key(&bundle, checkpoint.as_deref(), &log_url)?;
    let files = keep(&home, &bytes, &bundle)?;
    let config = format!(
        "{IMPORT_MARK} from {} (alliance {}).\n\
         # Run `webproof trust import` again to follow the alliance; edit freely otherwise.\n\
         \n[timestamp]\ntsa = {}\nquorum = {quorum}\ntrust = {}\n\
         \n[log]\nurl = {}\nkey = {}\nwitnesses = {}\nquorum = {}\noperator_ca = {}\n{}",
        source.replace('\n', " "),
        bundle.alliance.replace('\n', " "),
        toml_list(&tsa),
        toml_list(&files.tsa_roots),
        toml_str(&log_url),
        toml_str(&log_key),
        toml_list(&bundle.witnesses),
        bundle.quorum,
        toml_list(&files.operator_cas),
        trust_section(&kept_trust),
    );
    toml::from_str::<crate::config::Config>(&config).context(tr!("ctx-config-written"))?;
    if let Some(old) = &old {
        let bak = home.join("config.toml.bak");
        std::fs::write(&bak, old).with_context(|| tr!("ctx-writing", path = bak.display()))?;
    }
    crate::config::write(&home, &config)?;
    println!(
        "{}",
        tr!(
            "cli-trust-imported",
            alliance = bundle.alliance.as_str(),
            log = log_url.as_str(),
            witnesses = bundle.witnesses.len(),
            quorum = bundle.quorum,
            tsas = tsa.len(),
            path = cfg_path.display()
        )
    );
    if bundle.development {
        println!("{}", tr!("cli-trust-development"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The log's base URL from the address its bundle was fetched from.
fn log_base(source: &str) -> String {
    let s = source.trim();
    let s = s.strip_suffix(api::TRUST_BUNDLE).unwrap_or(s);
    format!("{}/", s.trim_end_matches('/'))
}

/// The bundle's log whose key signs the checkpoint the log at `url` publishes; with no
/// checkpoint yet, the bundle's only log.
fn log_key(bundle: &TrustBundle, checkpoint: Option<&str>, url: &str) -> Result<String> {
    let Some(text) = checkpoint else {
        return match bundle.logs.as_slice() {
            [one] => Ok(one.clone()),
            _ => bail!(tr!("cli-trust-which-log", url = url)),
        };
    };
    let note = Note::parse(text).with_context(|| tr!("cli-trust-not-its-log", url = url))?;
    for k in &bundle.logs {
        let key = NoteKey::from_vkey(k)?;
        if note.verify_signer(&key).is_ok() {
            return Ok(k.clone());
        }
    }
    bail!(tr!("cli-trust-not-its-log", url = url))
}

/// The files config.toml names.
struct Kept {
    tsa_roots: Vec<String>,
    operator_cas: Vec<String>,
}

/// Keeps the bundle as imported and each certificate in its own PEM file, under
/// WEBPROOF_HOME/trust/ (replacing an earlier import's).
fn keep(home: &Path, bytes: &[u8], bundle: &TrustBundle) -> Result<Kept> {
    let dir = home.join("trust");
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).with_context(|| tr!("ctx-writing", path = dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    let write = |name: String, data: &[u8]| -> Result<String> {
        let p: PathBuf = dir.join(name);
        std::fs::write(&p, data).with_context(|| tr!("ctx-writing", path = p.display()))?;
        Ok(std::fs::canonicalize(&p).unwrap_or(p).display().to_string())
    };
    write("trust-bundle.json".into(), bytes)?;
    let numbered = |prefix: &str, pems: &[String]| -> Result<Vec<String>> {
        pems.iter()
            .enumerate()
            .map(|(i, pem)| write(format!("{prefix}-{}.pem", i + 1), pem.as_bytes()))
            .collect()
    };
    Ok(Kept {
        tsa_roots: numbered("tsa-root", &bundle.tsa_roots)?,
        operator_cas: numbered("operator-ca", &bundle.operator_cas)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_url_is_the_bundle_address_without_its_path() {
        for s in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8080/trust-bundle.json",
            " http://127.0.0.1:8080/trust-bundle.json\n",
        ] {
            assert_eq!(log_base(s), "http://127.0.0.1:8080/", "{s:?}");
        }
        assert_eq!(log_base("https://a.example/log/"), "https://a.example/log/");
    }
}
