//! `env-check`: step 0's environment check on its own, as text or `--json`.

#[cfg(unix)]
use crate::config::VERSION;
#[cfg(unix)]
use crate::say;
#[cfg(unix)]
use crate::stamping;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
#[cfg(unix)]
use webproof_engine::events::EnvFinding;
use webproof_i18n::{Catalogue, Lang};

/// What `env-check` checks.
#[derive(clap::Args)]
pub(crate) struct EnvCheckArgs {
    /// The page you intend to capture (its host is checked in DNS, hosts and route).
    pub url: Option<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// The Chromium whose version and profile are checked.
    #[arg(long, default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,
    /// The chromedriver whose version is checked.
    #[arg(long, default_value = "/usr/bin/chromedriver")]
    pub chromedriver: PathBuf,
    /// A DNS server (IP or IP:PORT) to ask for the target host besides the system
    /// resolver; answers that differ are flagged. Repeatable.
    #[arg(long = "resolver", value_name = "IP[:PORT]", value_parser = parse_resolver)]
    pub resolvers: Vec<std::net::SocketAddr>,
    /// Compare the system clock with this time-stamp authority's time (default: the
    /// configured TSAs).
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
}

/// `env-check` where webproof does not capture (webproof.exe): says so.
#[cfg(not(unix))]
pub(crate) fn env_check(_: EnvCheckArgs) -> Result<ExitCode> {
    anyhow::bail!(crate::say::tr!("cli-capture-linux-only"))
}

/// `env-check`: exit 1 when a finding fails.
#[cfg(unix)]
pub(crate) fn env_check(a: EnvCheckArgs) -> Result<ExitCode> {
    let cat = say::shared()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let tsa = if a.tsa.is_empty() {
        stamping::TsaArgs::default().urls()
    } else {
        a.tsa
    };
    let clock = tsa.first().map(|url| {
        rt.block_on(webproof_engine::stamping::clock_probe(url))
            .time
    });
    let probe = webproof_capture::environment::Probe {
        target_url: a.url,
        chromium: a.chromium,
        chromedriver: a.chromedriver,
        webproof_version: VERSION.into(),
        resolvers: a.resolvers,
        trusted_time: clock,
    };
    let r = webproof_capture::environment::collect(&probe, &webproof_engine::machine::LocalMachine);
    if a.json {
        // The report, each finding with its text in the chosen language (the same findings
        // as step 0's `environment` event).
        let findings: Vec<EnvFinding> = r
            .findings
            .iter()
            .map(|f| EnvFinding::new(f, finding_text(&cat, f)))
            .collect();
        let v = serde_json::json!({
            "v": r.v,
            "checked": r.checked,
            "target": r.target,
            "findings": findings,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for l in env_lines(&r, &cat) {
            eprintln!("{l}");
        }
    }
    Ok(if r.worst() == webproof_capture::environment::Grade::Fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `IP` or `IP:PORT` (port 53 by default) of a DNS server.
pub(crate) fn parse_resolver(s: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(a) = s.parse::<std::net::SocketAddr>() {
        return Ok(a);
    }
    s.trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
        .map_err(|_| format!("{s:?} is not an IP address or IP:PORT"))
}

/// The findings of an environment check, a line each.
pub(crate) fn env_lines(
    r: &webproof_capture::environment::EnvReport,
    cat: &Catalogue,
) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| match cat.lang() {
            Lang::En => format!(
                "  {:<8} {:<16} {}",
                f.grade.as_str().to_uppercase(),
                f.id,
                finding_text(cat, f)
            ),
            _ => format!(
                "  {} {}{}{}",
                cat.t(format!("grade-word-{}", f.grade.as_str())),
                cat.t(format!("env-name-{}", f.id)),
                cat.colon(),
                finding_text(cat, f)
            ),
        })
        .collect()
}

/// A finding in the catalogue's language (its English summary in English, where it is the
/// fullest text).
pub(crate) fn finding_text(cat: &Catalogue, f: &webproof_capture::environment::Finding) -> String {
    cat.finding(&f.summary, f.message.as_ref())
}
