//! The clean-environment check, recorded as step 0 of every browser capture.
//!
//! Everything here is pure: the machine is read through the [`Machine`] trait (files under
//! /etc, /proc and /sys, a few standard commands, the resolvers, a connection to the target),
//! whose real implementation is the engine's adapter. Each finding is `ok`, `warning` or
//! `fail`; a `fail` stops the capture unless the operator overrides it with a reason, which is
//! recorded.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use webproof_evidence::digest::{digest_bytes, digest_reader};
use webproof_evidence::utc::Utc;
use webproof_message::{Message, msg};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Ok,
    Warning,
    Fail,
}

impl Grade {
    pub fn as_str(&self) -> &'static str {
        match self {
            Grade::Ok => "ok",
            Grade::Warning => "warning",
            Grade::Fail => "fail",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `hosts`.
    pub id: &'static str,
    pub grade: Grade,
    /// What the check found, in English.
    pub summary: String,
    /// The same as a catalogue message, for reading it in another language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    pub detail: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvReport {
    pub v: u32,
    pub checked: Utc,
    pub target: Option<String>,
    pub findings: Vec<Finding>,
}

impl EnvReport {
    pub fn worst(&self) -> Grade {
        self.findings
            .iter()
            .map(|f| f.grade)
            .max()
            .unwrap_or(Grade::Ok)
    }
}

/// The findings of an environment check, in the order `collect` makes them (`resolvers` and
/// `reach` only when there is a target to ask about).
pub const FINDINGS: [&str; 14] = [
    "clock",
    "hosts",
    "proxy",
    "dns",
    "resolvers",
    "reach",
    "route",
    "interfaces",
    "os",
    "virtualization",
    "software",
    "browser-profile",
    "browser-sandbox",
    "cjk-fonts",
];

/// What to check the machine for.
#[derive(Clone, Debug)]
pub struct Probe {
    pub target_url: Option<String>,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub webproof_version: String,
    /// DNS servers to ask for the target host besides the system resolver (e.g. the
    /// operator's trusted public resolvers); answers that differ are flagged.
    pub resolvers: Vec<std::net::SocketAddr>,
    /// A time-stamp authority's answer to a clock probe made just before (the edge asks it).
    pub trusted_time: Option<Result<TrustedTime, ProbeError>>,
}

/// Why a probe made at the edge (the clock probe's TSA request) gave no answer: its error, with
/// its causes, shared by the probe and the findings made from it.
pub type ProbeError = std::sync::Arc<dyn std::error::Error + Send + Sync>;

/// What a TSA said the time was, and the local clock just before and after asking.
#[derive(Clone, Debug, Serialize)]
pub struct TrustedTime {
    pub source: String,
    pub gen_time: String,
    pub gen_time_micros: i64,
    pub accuracy_micros: Option<u64>,
    /// True when genTime has no fraction (the TSA truncated to whole seconds).
    pub whole_seconds: bool,
    pub local_before_micros: i64,
    pub local_after_micros: i64,
}

/// What step 0 asks of the machine it runs on. The checks and their grades are this module's;
/// the adapter that reads files, runs programs and opens sockets is the engine's
/// (`webproof_engine::machine::LocalMachine`), and a test gives a machine of its own.
pub trait Machine {
    /// A file's text (`/etc/hosts`, `/proc/cpuinfo`, …).
    fn read(&self, path: &str) -> std::io::Result<String>;
    /// Whether a path exists (container markers).
    fn exists(&self, path: &str) -> bool;
    /// A program's standard output, when it ran and exited successfully.
    fn run(&self, program: &str, args: &[&str]) -> Option<String>;
    /// The process's environment variables.
    fn vars(&self) -> Vec<(String, String)>;
    /// The system resolver's addresses for a host.
    fn resolve(&self, host: &str) -> std::io::Result<Vec<IpAddr>>;
    /// What one DNS server answers for a host's A and AAAA records.
    fn ask_resolver(&self, server: SocketAddr, host: &str) -> Result<Vec<IpAddr>, ResolverError>;
    /// Opens (and closes) a TCP connection, waiting at most `timeout`.
    fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<(), ReachError>;
    /// A program file: the path its links resolve to (`path` itself when they do not), and
    /// its bytes to digest.
    fn program(&self, path: &Path) -> (PathBuf, std::io::Result<Box<dyn std::io::Read>>);
    /// The running webproof binary.
    fn current_exe(&self) -> Option<PathBuf>;
    /// Whether webproof runs as root (then Chromium's sandbox is off).
    fn is_root(&self) -> bool;
    /// The system clock.
    fn now(&self) -> Utc;
}

/// Why a DNS server gave no answer for the target host. Its text is what environment.json
/// records for that server.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ResolverError {
    /// The socket could not be opened, or nothing came back within the timeout.
    #[error("{0}")]
    Socket(#[source] Arc<std::io::Error>),
    /// The question could not be written (a host that is no DNS name).
    #[error("{0}")]
    Query(#[source] ProbeError),
    /// The server refused both questions: record type and response code of each.
    #[error("{}", .0.join(", "))]
    Refused(Vec<String>),
}

impl From<std::io::Error> for ResolverError {
    fn from(e: std::io::Error) -> Self {
        ResolverError::Socket(Arc::new(e))
    }
}

impl Serialize for ResolverError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a connection to the target failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ReachError {
    #[error("no answer within {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error("connection refused")]
    Refused,
    #[error("{0}")]
    Other(#[source] Arc<std::io::Error>),
}

impl ReachError {
    /// The error of a connection attempt that waited at most `timeout`.
    pub fn from_io(e: std::io::Error, timeout: Duration) -> Self {
        match e.kind() {
            std::io::ErrorKind::TimedOut => ReachError::TimedOut(timeout),
            std::io::ErrorKind::ConnectionRefused => ReachError::Refused,
            _ => ReachError::Other(Arc::new(e)),
        }
    }
}

/// Chromium's sandbox: on when webproof is not root; as root it cannot run, and a page that
/// exploits the renderer would not be contained — said here, in step 0, with the evidence.
pub fn grade_sandbox(root: bool) -> Finding {
    if root {
        Finding {
            message: Some(msg!("env-sandbox-root")),
            id: "browser-sandbox",
            grade: Grade::Warning,
            summary: "webproof runs as root, so Chromium's sandbox is off: a page that exploited the renderer would not be contained; capture as an unprivileged user".into(),
            detail: json!({"root": true, "sandbox": false}),
        }
    } else {
        Finding {
            message: Some(msg!("env-sandbox-on")),
            id: "browser-sandbox",
            grade: Grade::Ok,
            summary: "Chromium runs with its sandbox (webproof is not root)".into(),
            detail: json!({"root": false, "sandbox": true}),
        }
    }
}

/// Compares the system clock with a TSA's genTime. The offset is genTime minus the midpoint of
/// the local times around the request; its uncertainty is half the round trip, the TSA's stated
/// accuracy and, for whole-second genTimes, one second. Within 2 s beyond the uncertainty is
/// ok, within 60 s a warning, more a failure (a wrong clock makes every local time suspect).
/// `now` is the system clock at grading, `timedatectl` what `timedatectl show` said (recorded
/// when no trusted time was asked).
pub fn grade_clock(
    t: Option<&Result<TrustedTime, ProbeError>>,
    now: Utc,
    timedatectl: Option<String>,
) -> Finding {
    match t {
        None => Finding {
            message: Some(msg!("env-clock-unchecked")),
            id: "clock",
            grade: Grade::Warning,
            summary:
                "system clock recorded; not compared with a trusted time source (configure --tsa)"
                    .into(),
            detail: json!({"system_utc": now, "timedatectl": timedatectl}),
        },
        Some(Err(e)) => Finding {
            message: Some(msg!("env-clock-no-answer").arg("error", e.to_string())),
            id: "clock",
            grade: Grade::Warning,
            summary: format!("system clock recorded; the trusted time source did not answer: {e}"),
            detail: json!({"system_utc": now, "error": e.to_string()}),
        },
        Some(Ok(t)) => {
            let mid = (t.local_before_micros + t.local_after_micros) / 2;
            let offset = t.gen_time_micros - mid;
            let uncertainty = (t.local_after_micros - t.local_before_micros).max(0) / 2
                + t.accuracy_micros.unwrap_or(1_000_000) as i64
                + if t.whole_seconds { 1_000_000 } else { 0 };
            let excess = offset.abs() - uncertainty;
            let grade = if excess <= 2_000_000 {
                Grade::Ok
            } else if excess <= 60_000_000 {
                Grade::Warning
            } else {
                Grade::Fail
            };
            Finding {
                message: Some(
                    msg!("env-clock-offset")
                        .arg("offset", format!("{:+.3}", -offset as f64 / 1e6))
                        .arg("source", &t.source)
                        .arg("time", &t.gen_time)
                        .arg("uncertainty", format!("{:.3}", uncertainty as f64 / 1e6)),
                ),
                id: "clock",
                grade,
                summary: format!(
                    "system clock is {:+.3} s from {} (genTime {}, ±{:.3} s)",
                    -offset as f64 / 1e6,
                    t.source,
                    t.gen_time,
                    uncertainty as f64 / 1e6
                ),
                detail: json!({"system_utc": now, "offset_micros": -offset, "uncertainty_micros": uncertainty, "trusted_time": t}),
            }
        }
    }
}

/// What one configured DNS server answered for the target host (A and AAAA).
#[derive(Clone, Debug, Serialize)]
pub struct ResolverAnswer {
    pub server: String,
    pub answer: Result<Vec<IpAddr>, ResolverError>,
}

/// Compares the configured resolvers' answers with the system resolver's. A server that does
/// not answer, or an answer sharing no address with the system's, is a warning (CDNs answer
/// differently by place, so it is disclosed, not fatal); no resolver configured is ok.
pub fn grade_resolvers(
    host: &str,
    system: &[std::net::IpAddr],
    answers: &[ResolverAnswer],
) -> Finding {
    // An address needs no name service: nothing to compare.
    if host
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<std::net::IpAddr>()
        .is_ok()
    {
        return Finding {
            message: Some(msg!("env-resolvers-ip").arg("host", host)),
            id: "resolvers",
            grade: Grade::Ok,
            summary: format!("the target is an IP address ({host}): no resolver is asked"),
            detail: json!({ "host": host, "ip_literal": true }),
        };
    }
    let mut problems = Vec::new();
    for a in answers {
        match &a.answer {
            Err(e) => problems.push(format!("{} did not answer ({e})", a.server)),
            Ok(ips) if ips.is_empty() => {
                problems.push(format!("{} has no address for {host}", a.server))
            }
            Ok(ips) if !ips.iter().any(|ip| system.contains(ip)) => problems.push(format!(
                "{} answers {} where the system resolver answers {}",
                a.server,
                join(ips),
                join(system)
            )),
            Ok(_) => {}
        }
    }
    let summary = if answers.is_empty() {
        "no other resolver configured (--resolver)".to_owned()
    } else if problems.is_empty() {
        format!(
            "{} configured resolver(s) agree with the system resolver for {host}",
            answers.len()
        )
    } else {
        problems.join("; ")
    };
    let message = if answers.is_empty() {
        Some(msg!("env-resolvers-none"))
    } else if problems.is_empty() {
        Some(
            msg!("env-resolvers-agree")
                .arg("count", answers.len())
                .arg("host", host),
        )
    } else {
        Some(msg!("env-resolvers-differ").arg("problems", problems.join("; ")))
    };
    Finding {
        message,
        id: "resolvers",
        grade: if problems.is_empty() {
            Grade::Ok
        } else {
            Grade::Warning
        },
        summary,
        detail: json!({"host": host, "system": system, "answers": answers}),
    }
}

fn join(ips: &[std::net::IpAddr]) -> String {
    ips.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The host part of an http(s) URL.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let hostport = authority.rsplit('@').next()?;
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next()?.to_owned()
    } else {
        hostport.split(':').next()?.to_owned()
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The port an http(s) URL connects to: the one it names, else 443 for https, else 80.
pub fn url_port(url: &str) -> u16 {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or("");
    let port = match hostport.strip_prefix('[') {
        Some(v6) => v6.split_once("]:").map(|(_, p)| p),
        None => hostport.split_once(':').map(|(_, p)| p),
    };
    port.and_then(|p| p.parse().ok())
        .unwrap_or(if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        })
}

/// How long step 0 waits for the target to accept a connection, per address.
pub const REACH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Grades whether the target accepts connections: `attempts` are the addresses tried (in the
/// system resolver's order) with what happened. One that connected is enough; none is a
/// failure of the target (down, refusing, or unreachable from here), not of this machine.
pub fn grade_reach(
    host: &str,
    port: u16,
    attempts: &[(SocketAddr, Result<(), ReachError>)],
) -> Finding {
    let detail = json!(
        attempts
            .iter()
            .map(|(a, r)| json!({"address": a.to_string(), "result": match r { Ok(()) => "connected".to_owned(), Err(e) => e.to_string() }}))
            .collect::<Vec<_>>()
    );
    let target = format!("{host}:{port}");
    if let Some((a, _)) = attempts.iter().find(|(_, r)| r.is_ok()) {
        return Finding {
            message: Some(
                msg!("env-reach-ok")
                    .arg("target", &target)
                    .arg("address", a.to_string()),
            ),
            id: "reach",
            grade: Grade::Ok,
            summary: format!("{target} accepts connections (at {a})"),
            detail,
        };
    }
    let why = attempts
        .iter()
        .map(|(a, r)| match r {
            Ok(()) => format!("{a}: "),
            Err(e) => format!("{a}: {e}"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Finding {
        message: Some(
            msg!("env-reach-fails")
                .arg("target", &target)
                .arg("error", &why),
        ),
        id: "reach",
        grade: Grade::Fail,
        summary: format!("nothing accepts connections at {target} ({why})"),
        detail,
    }
}

/// Tries a TCP connection to each address in turn (at most four) until one is accepted.
fn reach(m: &dyn Machine, addrs: &[SocketAddr]) -> Vec<(SocketAddr, Result<(), ReachError>)> {
    let mut out = Vec::new();
    for a in addrs.iter().take(4) {
        let r = m.connect(*a, REACH_TIMEOUT);
        let ok = r.is_ok();
        out.push((*a, r));
        if ok {
            break;
        }
    }
    out
}

impl EnvReport {
    /// The finding that says the target cannot be captured from here at all — its host does
    /// not resolve, or nothing accepts connections — as opposed to a fault of this machine.
    pub fn target_unusable(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.grade == Grade::Fail && matches!(f.id, "dns" | "reach"))
    }
}

/// Grades /etc/hosts: entries beyond the usual loopback lines are flagged; an entry for the
/// target host fails (the capture would see what the hosts file says, not what DNS says).
pub fn grade_hosts(content: &str, target_host: Option<&str>, own_hostname: &str) -> Finding {
    let defaults = [
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "ip6-localnet",
        "ip6-mcastprefix",
        "ip6-allnodes",
        "ip6-allrouters",
    ];
    let mut unusual = Vec::new();
    let mut target_hit = None;
    for line in content.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut parts = line.split_whitespace();
        let Some(addr) = parts.next() else { continue };
        let names: Vec<&str> = parts.collect();
        // A default entry: default names (or this machine's own) on the loopback address, or
        // the IPv6 special names Debian writes.
        let loopback = addr
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback());
        let all_default = names.iter().all(|n| {
            let n = n.to_ascii_lowercase();
            (n.starts_with("ip6-") && defaults.contains(&n.as_str()))
                || (loopback
                    && (defaults.contains(&n.as_str())
                        || n.eq_ignore_ascii_case(own_hostname)
                        || n.split('.')
                            .next()
                            .is_some_and(|h| h.eq_ignore_ascii_case(own_hostname))))
        });
        // The target mapped by a default entry (a capture of `localhost`) is what every
        // machine does; any other mapping of it is a fault.
        if !all_default
            && names
                .iter()
                .any(|n| Some(n.to_ascii_lowercase().as_str()) == target_host)
        {
            target_hit = Some(line.to_owned());
        }
        if !all_default {
            unusual.push(format!("{addr} {}", names.join(" ")));
        }
    }
    let detail = json!({
        "sha256": digest_bytes(content.as_bytes()).sha256,
        "content": content,
        "non_default_entries": unusual,
    });
    match (target_hit, unusual.is_empty()) {
        (Some(line), _) => Finding {
            message: Some(msg!("env-hosts-target").arg("line", &line)),
            id: "hosts",
            grade: Grade::Fail,
            summary: format!("/etc/hosts maps the target host: {line}"),
            detail,
        },
        (None, false) => Finding {
            message: Some(msg!("env-hosts-entries").arg("count", unusual.len())),
            id: "hosts",
            grade: Grade::Warning,
            summary: format!("/etc/hosts has {} non-default entries", unusual.len()),
            detail,
        },
        (None, true) => Finding {
            message: Some(msg!("env-hosts-default")),
            id: "hosts",
            grade: Grade::Ok,
            summary: "/etc/hosts holds only the default entries".into(),
            detail,
        },
    }
}

/// Grades proxy settings from environment variables (Chromium on Linux follows them).
pub fn grade_proxy(vars: &[(String, String)]) -> Finding {
    let set: Vec<&(String, String)> = vars
        .iter()
        .filter(|(k, v)| {
            let k = k.to_ascii_lowercase();
            !v.is_empty()
                && matches!(
                    k.as_str(),
                    "http_proxy" | "https_proxy" | "all_proxy" | "ftp_proxy"
                )
        })
        .collect();
    let detail = json!(
        vars.iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect::<Vec<_>>()
    );
    if set.is_empty() {
        Finding {
            message: Some(msg!("env-proxy-none")),
            id: "proxy",
            grade: Grade::Ok,
            summary: "no proxy configured in the environment".into(),
            detail,
        }
    } else {
        Finding {
            message: Some(
                msg!("env-proxy-set").arg(
                    "proxies",
                    set.iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ),
            id: "proxy",
            grade: Grade::Warning,
            summary: format!(
                "traffic may go through a proxy: {}",
                set.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            detail,
        }
    }
}

/// A file's text, trimmed; `None` when it cannot be read.
fn read(m: &dyn Machine, path: &str) -> Option<String> {
    m.read(path).ok().map(|s| s.trim().to_owned())
}

/// A program file: its path, the path its links resolve to, and its digest.
fn binary(m: &dyn Machine, path: &Path) -> Value {
    let (real, bytes) = m.program(path);
    let digest = bytes
        .ok()
        .and_then(|b| digest_reader(b).ok())
        .map(|(d, n)| json!({"sha256": d.sha256, "sm3": d.sm3, "size": n}));
    json!({"path": path, "resolved": real, "digest": digest})
}

/// Checks the machine. Never fails as a whole: what cannot be read is a finding.
pub fn collect(p: &Probe, m: &dyn Machine) -> EnvReport {
    let target_host = p.target_url.as_deref().and_then(url_host);
    let own = read(m, "/proc/sys/kernel/hostname").unwrap_or_default();
    // timedatectl is recorded only when there is no trusted time to compare with.
    let timedatectl = match p.trusted_time {
        None => m.run("timedatectl", &["show"]),
        Some(_) => None,
    };
    let mut findings = vec![
        grade_clock(p.trusted_time.as_ref(), m.now(), timedatectl),
        hosts_finding(m, target_host.as_deref(), &own),
    ];
    let vars: Vec<(String, String)> = m
        .vars()
        .into_iter()
        .filter(|(k, _)| k.to_ascii_lowercase().ends_with("_proxy"))
        .collect();
    findings.push(grade_proxy(&vars));

    // DNS through the system resolver: asked once, its answer used by every check below.
    let resolved = target_host.as_deref().map(|h| m.resolve(h));
    findings.push(dns_finding(m, target_host.as_deref(), resolved.as_ref()));
    let system: Vec<IpAddr> = match &resolved {
        Some(Ok(ips)) => ips.clone(),
        _ => Vec::new(),
    };
    if let Some(h) = &target_host {
        let answers: Vec<ResolverAnswer> = p
            .resolvers
            .iter()
            .map(|r| ResolverAnswer {
                server: r.to_string(),
                answer: m.ask_resolver(*r, h),
            })
            .collect();
        findings.push(grade_resolvers(h, &system, &answers));
    }

    // Whether anything accepts connections at the target (a page that cannot be reached
    // yields no evidence: the capture is refused before a browser starts).
    if let (Some(h), Some(url)) = (&target_host, &p.target_url) {
        let port = url_port(url);
        let addrs: Vec<SocketAddr> = system.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
        if !addrs.is_empty() {
            findings.push(grade_reach(h, port, &reach(m, &addrs)));
        }
    }

    findings.push(route_finding(m, target_host.as_deref(), system.first()));
    findings.push(Finding {
        message: Some(msg!("env-interfaces")),
        id: "interfaces",
        grade: Grade::Ok,
        summary: "network interfaces and addresses recorded".into(),
        detail: json!({"ip_addr": m.run("ip", &["-br", "addr"]), "proc_net_dev": read(m, "/proc/net/dev")}),
    });
    findings.push(os_finding(m, &own));
    findings.push(virtualization_finding(m));
    findings.push(software_finding(m, p));
    findings.push(Finding {
        message: Some(msg!("env-browser-profile")),
        id: "browser-profile",
        grade: Grade::Ok,
        summary:
            "fresh temporary Chromium profile, no extensions, no sync, no background networking"
                .into(),
        detail: Value::Null,
    });
    findings.push(grade_sandbox(m.is_root()));
    findings.push(cjk_finding(m.run("fc-list", &[":lang=zh", "family"])));

    EnvReport {
        v: 1,
        checked: m.now(),
        target: p.target_url.clone(),
        findings,
    }
}

/// /etc/hosts, graded; unreadable is a warning.
fn hosts_finding(m: &dyn Machine, target_host: Option<&str>, own: &str) -> Finding {
    match m.read("/etc/hosts") {
        Ok(c) => grade_hosts(&c, target_host, own),
        Err(e) => Finding {
            message: Some(msg!("env-hosts-unreadable").arg("error", &e)),
            id: "hosts",
            grade: Grade::Warning,
            summary: format!("/etc/hosts cannot be read: {e}"),
            detail: Value::Null,
        },
    }
}

/// What the system resolver answered for the target host: a host that does not resolve fails;
/// a public name resolving only to loopback is a warning.
fn dns_finding(
    m: &dyn Machine,
    target_host: Option<&str>,
    resolved: Option<&std::io::Result<Vec<IpAddr>>>,
) -> Finding {
    let resolv = read(m, "/etc/resolv.conf");
    let (Some(h), Some(answer)) = (target_host, resolved) else {
        return Finding {
            message: Some(msg!("env-no-target")),
            id: "dns",
            grade: Grade::Ok,
            summary: "no target given".into(),
            detail: json!({"resolv_conf": resolv}),
        };
    };
    match answer {
        Ok(addrs) => {
            let ips: Vec<String> = addrs.iter().map(ToString::to_string).collect();
            let local = ips.iter().all(|ip| ip.starts_with("127.") || ip == "::1");
            let is_literal_local = h == "localhost" || h.starts_with("127.") || h == "::1";
            Finding {
                message: Some(
                    msg!("env-dns-resolves")
                        .arg("host", h)
                        .arg("addresses", ips.join(", ")),
                ),
                id: "dns",
                grade: if local && !is_literal_local {
                    Grade::Warning
                } else {
                    Grade::Ok
                },
                summary: format!("{h} resolves to {}", ips.join(", ")),
                detail: json!({"host": h, "addresses": ips, "resolv_conf": resolv}),
            }
        }
        Err(e) => Finding {
            message: Some(msg!("env-dns-fails").arg("host", h).arg("error", e)),
            id: "dns",
            grade: Grade::Fail,
            summary: format!("{h} does not resolve: {e}"),
            detail: json!({"host": h, "resolv_conf": resolv}),
        },
    }
}

/// The route to the target's first address, with a short traceroute.
fn route_finding(m: &dyn Machine, target_host: Option<&str>, first: Option<&IpAddr>) -> Finding {
    let route = first.and_then(|ip| m.run("ip", &["route", "get", &ip.to_string()]));
    let traceroute = m.run(
        "traceroute",
        &[
            "-n",
            "-m",
            "8",
            "-w",
            "1",
            target_host.unwrap_or("127.0.0.1"),
        ],
    );
    let first_line = route.as_deref().map(|r| r.lines().next().unwrap_or(""));
    Finding {
        message: Some(match first_line {
            Some(r) => msg!("env-route").arg("route", r),
            None => msg!("env-route-unknown"),
        }),
        id: "route",
        grade: if route.is_some() || target_host.is_none() {
            Grade::Ok
        } else {
            Grade::Warning
        },
        summary: match first_line {
            Some(r) => r.to_owned(),
            None => "route not determined (no target, or `ip` unavailable)".into(),
        },
        detail: json!({"ip_route_get": route, "traceroute": traceroute}),
    }
}

/// The operating system and kernel.
fn os_finding(m: &dyn Machine, own: &str) -> Finding {
    let os = read(m, "/etc/os-release").and_then(|s| {
        s.lines().find_map(|l| {
            l.strip_prefix("PRETTY_NAME=")
                .map(|v| v.trim_matches('"').to_owned())
        })
    });
    let kernel = read(m, "/proc/sys/kernel/osrelease").unwrap_or_default();
    Finding {
        message: Some(
            msg!("env-os")
                .arg("os", os.clone().unwrap_or_else(|| "?".into()))
                .arg("kernel", &kernel),
        ),
        id: "os",
        grade: Grade::Ok,
        summary: format!(
            "{} (kernel {kernel})",
            os.unwrap_or_else(|| "unknown OS".into())
        ),
        detail: json!({"os_release": read(m, "/etc/os-release"), "kernel": read(m, "/proc/version"), "hostname": own}),
    }
}

/// Whether the machine is virtual or a container: disclosed as a warning.
fn virtualization_finding(m: &dyn Machine) -> Finding {
    let vendor = read(m, "/sys/class/dmi/id/sys_vendor");
    let product = read(m, "/sys/class/dmi/id/product_name");
    let hypervisor_flag = read(m, "/proc/cpuinfo").is_some_and(|c| {
        c.lines()
            .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "hypervisor"))
    });
    let detect = m.run("systemd-detect-virt", &[]);
    let container = m.exists("/.dockerenv") || m.exists("/run/.containerenv");
    let detected = detect.as_deref().filter(|d| *d != "none");
    let virtual_ = hypervisor_flag || container || detected.is_some();
    let summary = if virtual_ {
        let mut what: Vec<String> = [vendor.clone(), product.clone()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        if hypervisor_flag {
            what.push("CPU hypervisor flag".into());
        }
        if container {
            what.push("container marker".into());
        }
        if let Some(d) = detected {
            what.push(format!("systemd-detect-virt: {d}"));
        }
        format!(
            "runs virtualised or in a container ({}); disclose this with the evidence",
            what.join(", ")
        )
    } else {
        "no virtual-machine indicators".into()
    };
    Finding {
        message: Some(if virtual_ {
            msg!("env-virtual")
        } else {
            msg!("env-not-virtual")
        }),
        id: "virtualization",
        grade: if virtual_ { Grade::Warning } else { Grade::Ok },
        summary,
        detail: json!({"sys_vendor": vendor, "product_name": product, "cpu_hypervisor_flag": hypervisor_flag, "systemd_detect_virt": detect, "container_marker": container}),
    }
}

/// The versions and digests of webproof, Chromium and chromedriver.
fn software_finding(m: &dyn Machine, p: &Probe) -> Finding {
    let version = |path: &Path, missing: &str| {
        m.run(&path.to_string_lossy(), &["--version"])
            .unwrap_or_else(|| missing.into())
    };
    let versions = format!(
        "webproof {}, {}, {}",
        p.webproof_version,
        version(&p.chromium, "Chromium not found"),
        version(&p.chromedriver, "chromedriver not found"),
    );
    let exe = m.current_exe();
    Finding {
        message: Some(msg!("env-software").arg("versions", &versions)),
        id: "software",
        grade: Grade::Ok,
        summary: versions,
        detail: json!({
            "webproof": {"version": p.webproof_version, "binary": exe.as_deref().map(|e| binary(m, e))},
            "chromium": binary(m, &p.chromium),
            "chromedriver": binary(m, &p.chromedriver),
        }),
    }
}

/// Whether a CJK font is installed (`fc-list :lang=zh family`'s output).
fn cjk_finding(fc_list: Option<String>) -> Finding {
    let font = fc_list
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| s.lines().next().unwrap_or(""));
    Finding {
        message: Some(match font {
            Some(f) => msg!("env-cjk-ok").arg("font", f),
            None => msg!("env-cjk-missing"),
        }),
        id: "cjk-fonts",
        grade: if font.is_some() {
            Grade::Ok
        } else {
            Grade::Warning
        },
        summary: match font {
            Some(f) => format!("CJK fonts present: {f}"),
            None => "no CJK font found: Chinese pages would render as empty boxes (install fonts-noto-cjk)".into(),
        },
        detail: json!({"fc_list_zh": fc_list}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN: &str = "127.0.0.1\tlocalhost\n127.0.1.1\tbox.example.org box\n\n# IPv6\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n";

    #[test]
    fn hosts_default_ok_extra_warns_target_fails() {
        assert_eq!(
            grade_hosts(DEBIAN, Some("shop.example"), "box").grade,
            Grade::Ok
        );
        let extra = format!("{DEBIAN}10.0.0.5 intranet\n");
        let f = grade_hosts(&extra, Some("shop.example"), "box");
        assert_eq!(f.grade, Grade::Warning);
        assert_eq!(f.detail["non_default_entries"][0], "10.0.0.5 intranet");
        let evil = format!("{DEBIAN}203.0.113.9 Shop.Example www.shop.example\n");
        let f = grade_hosts(&evil, Some("shop.example"), "box");
        assert_eq!(f.grade, Grade::Fail, "{}", f.summary);
        assert!(f.summary.contains("203.0.113.9"));
        // Capturing localhost or this machine by name: its default loopback entry is no
        // fault; localhost sent elsewhere is.
        assert_eq!(
            grade_hosts(DEBIAN, Some("localhost"), "box").grade,
            Grade::Ok
        );
        let own = format!("{DEBIAN}127.0.1.1 box.example.org box\n");
        assert_eq!(grade_hosts(&own, Some("box"), "box").grade, Grade::Ok);
        let moved = "203.0.113.9 localhost\n";
        assert_eq!(
            grade_hosts(moved, Some("localhost"), "box").grade,
            Grade::Fail
        );
    }

    #[test]
    fn running_as_root_is_said_because_the_sandbox_is_off() {
        let root = grade_sandbox(true);
        assert_eq!(root.grade, Grade::Warning);
        assert_eq!(root.detail["sandbox"], false);
        assert!(root.summary.contains("sandbox is off"));
        let user = grade_sandbox(false);
        assert_eq!(user.grade, Grade::Ok);
        assert_eq!(user.detail["sandbox"], true);
    }

    #[test]
    fn proxies_warn() {
        assert_eq!(grade_proxy(&[]).grade, Grade::Ok);
        assert_eq!(
            grade_proxy(&[("no_proxy".into(), "localhost".into())]).grade,
            Grade::Ok
        );
        let f = grade_proxy(&[("HTTPS_PROXY".into(), "http://10.1.1.1:3128".into())]);
        assert_eq!(f.grade, Grade::Warning);
        assert!(f.summary.contains("10.1.1.1"));
    }

    #[test]
    fn url_ports() {
        assert_eq!(url_port("http://example.com/x"), 80);
        assert_eq!(url_port("https://example.com"), 443);
        assert_eq!(url_port("HTTPS://example.com:8443/a?b"), 8443);
        assert_eq!(url_port("http://user:pw@example.com:81/"), 81);
        assert_eq!(url_port("http://[::1]:9000/"), 9000);
        assert_eq!(url_port("http://[::1]/"), 80);
    }

    #[test]
    fn a_target_that_accepts_no_connection_fails_as_the_target() {
        let a: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
        let b: std::net::SocketAddr = "[::1]:9".parse().unwrap();
        let f = grade_reach(
            "localhost",
            9,
            &[
                (a, Err(ReachError::Refused)),
                (b, Err(ReachError::TimedOut(REACH_TIMEOUT))),
            ],
        );
        assert_eq!((f.id, f.grade), ("reach", Grade::Fail));
        assert!(
            f.summary.contains("localhost:9") && f.summary.contains("refused"),
            "{}",
            f.summary
        );
        let report = EnvReport {
            v: 1,
            checked: Utc::now(),
            target: None,
            findings: vec![f],
        };
        assert_eq!(report.target_unusable().map(|f| f.id), Some("reach"));
        let f = grade_reach(
            "localhost",
            9,
            &[(a, Err(ReachError::Refused)), (b, Ok(()))],
        );
        assert_eq!(f.grade, Grade::Ok, "{}", f.summary);
        let report = EnvReport {
            v: 1,
            checked: Utc::now(),
            target: None,
            findings: vec![f],
        };
        assert!(report.target_unusable().is_none());
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://User@Shop.Example:8443/a?b").as_deref(),
            Some("shop.example")
        );
        assert_eq!(url_host("http://[::1]:8080/").as_deref(), Some("::1"));
        assert_eq!(
            url_host("http://127.0.0.1:3/x").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(url_host("not a url"), None);
    }

    #[test]
    fn the_clock_is_graded_against_trusted_time() {
        let t = |offset_s: f64| TrustedTime {
            source: "http://tsa/".into(),
            gen_time: "x".into(),
            gen_time_micros: 1_000_000_000_000_000 + (offset_s * 1e6) as i64,
            accuracy_micros: Some(1_000),
            whole_seconds: false,
            local_before_micros: 1_000_000_000_000_000 - 50_000,
            local_after_micros: 1_000_000_000_000_000 + 50_000,
        };
        // genTime ahead of us by 0.5 s means our clock is 0.5 s behind.
        let f = grade_clock(Some(&Ok(t(0.5))), Utc::now(), None);
        assert_eq!(f.grade, Grade::Ok, "{}", f.summary);
        assert!(f.summary.contains("-0.500 s"), "{}", f.summary);
        assert_eq!(
            grade_clock(Some(&Ok(t(-20.0))), Utc::now(), None).grade,
            Grade::Warning
        );
        let f = grade_clock(Some(&Ok(t(3600.0))), Utc::now(), None);
        assert_eq!(f.grade, Grade::Fail);
        assert_eq!(f.detail["offset_micros"], -3_600_000_000i64);
        // Whole-second TSAs get a second of slack.
        assert_eq!(
            grade_clock(Some(&Ok(t(2.9))), Utc::now(), None).grade,
            Grade::Warning
        );
        let mut w = t(2.9);
        w.whole_seconds = true;
        assert_eq!(grade_clock(Some(&Ok(w)), Utc::now(), None).grade, Grade::Ok);
        let down: Box<dyn std::error::Error + Send + Sync> = "down".into();
        let f = grade_clock(Some(&Err(down.into())), Utc::now(), None);
        assert_eq!(f.grade, Grade::Warning);
        assert!(f.summary.ends_with("did not answer: down"), "{}", f.summary);
        assert_eq!(grade_clock(None, Utc::now(), None).grade, Grade::Warning);
    }

    #[test]
    fn resolvers_that_disagree_or_do_not_answer_are_flagged() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let sys = [ip("93.184.215.14")];
        let agree = ResolverAnswer {
            server: "1.1.1.1:53".into(),
            answer: Ok(vec![
                ip("93.184.215.14"),
                ip("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
            ]),
        };
        let f = grade_resolvers("example.com", &sys, std::slice::from_ref(&agree));
        assert_eq!(f.grade, Grade::Ok, "{}", f.summary);
        let other = ResolverAnswer {
            server: "10.0.0.53:53".into(),
            answer: Ok(vec![ip("10.6.6.6")]),
        };
        let f = grade_resolvers("example.com", &sys, &[agree.clone(), other]);
        assert_eq!(f.grade, Grade::Warning);
        assert!(
            f.summary.contains(
                "10.0.0.53:53 answers 10.6.6.6 where the system resolver answers 93.184.215.14"
            ),
            "{}",
            f.summary
        );
        let down = ResolverAnswer {
            server: "192.0.2.1:53".into(),
            answer: Err(ResolverError::Socket(Arc::new(std::io::Error::from(
                std::io::ErrorKind::TimedOut,
            )))),
        };
        assert_eq!(
            grade_resolvers("example.com", &sys, &[down]).grade,
            Grade::Warning
        );
        let none = ResolverAnswer {
            server: "192.0.2.2:53".into(),
            answer: Ok(vec![]),
        };
        assert_eq!(
            grade_resolvers("example.com", &sys, &[none]).grade,
            Grade::Warning
        );
        // An IP-literal target: no comparison, no warning, whatever resolvers say.
        for ip in ["127.0.0.1", "[::1]"] {
            let empty = ResolverAnswer {
                server: "192.0.2.2:53".into(),
                answer: Ok(vec![]),
            };
            let f = grade_resolvers(ip, &sys, &[empty]);
            assert_eq!(f.grade, Grade::Ok, "{}", f.summary);
            assert!(f.summary.contains("no resolver is asked"));
        }
        let f = grade_resolvers("example.com", &sys, &[]);
        assert_eq!(
            (f.grade, f.summary.contains("no other resolver")),
            (Grade::Ok, true)
        );
    }

    /// A machine described by a test: its files, programs, resolvers and what accepts
    /// connections; it records the connections asked for.
    #[derive(Default)]
    struct Fixture {
        files: Vec<(&'static str, &'static str)>,
        programs: Vec<(&'static str, &'static str)>,
        vars: Vec<(String, String)>,
        addresses: Vec<IpAddr>,
        resolver: Option<Result<Vec<IpAddr>, ResolverError>>,
        open: Vec<SocketAddr>,
        root: bool,
        tried: std::cell::RefCell<Vec<SocketAddr>>,
    }

    const NOW: &str = "2026-12-05T03:04:05.000000Z";

    impl Machine for Fixture {
        fn read(&self, path: &str) -> std::io::Result<String> {
            self.files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, c)| (*c).to_owned())
                .ok_or_else(|| std::io::ErrorKind::NotFound.into())
        }
        fn exists(&self, path: &str) -> bool {
            self.read(path).is_ok()
        }
        fn run(&self, program: &str, args: &[&str]) -> Option<String> {
            let line = std::iter::once(program)
                .chain(args.iter().copied())
                .collect::<Vec<_>>()
                .join(" ");
            self.programs
                .iter()
                .find(|(l, _)| *l == line)
                .map(|(_, out)| (*out).to_owned())
        }
        fn vars(&self) -> Vec<(String, String)> {
            self.vars.clone()
        }
        fn resolve(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
            if self.addresses.is_empty() {
                return Err(std::io::Error::other(format!("no address for {host}")));
            }
            Ok(self.addresses.clone())
        }
        fn ask_resolver(&self, _: SocketAddr, _: &str) -> Result<Vec<IpAddr>, ResolverError> {
            self.resolver.clone().unwrap_or(Ok(Vec::new()))
        }
        fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<(), ReachError> {
            assert_eq!(timeout, REACH_TIMEOUT);
            self.tried.borrow_mut().push(addr);
            if self.open.contains(&addr) {
                Ok(())
            } else {
                Err(ReachError::Refused)
            }
        }
        fn program(&self, path: &Path) -> (PathBuf, std::io::Result<Box<dyn std::io::Read>>) {
            let bytes = self.read(&path.to_string_lossy());
            (
                path.with_extension("real"),
                bytes.map(|b| Box::new(std::io::Cursor::new(b.into_bytes())) as _),
            )
        }
        fn current_exe(&self) -> Option<PathBuf> {
            Some("/usr/bin/webproof".into())
        }
        fn is_root(&self) -> bool {
            self.root
        }
        fn now(&self) -> Utc {
            Utc::parse(NOW).unwrap()
        }
    }

    fn probe(url: &str) -> Probe {
        Probe {
            target_url: Some(url.into()),
            chromium: "/usr/bin/chromium".into(),
            chromedriver: "/usr/bin/chromedriver".into(),
            webproof_version: "test".into(),
            resolvers: vec!["192.0.2.53:53".parse().unwrap()],
            trusted_time: None,
        }
    }

    fn clean() -> Fixture {
        Fixture {
            files: vec![
                ("/etc/hosts", DEBIAN),
                ("/proc/sys/kernel/hostname", "box\n"),
                (
                    "/etc/os-release",
                    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
                ),
                ("/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n"),
                ("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme sse2\n"),
                ("/usr/bin/chromium", "chromium bytes"),
            ],
            programs: vec![
                (
                    "ip route get 203.0.113.7",
                    "203.0.113.7 via 10.0.0.1 dev eth0 src 10.0.0.2\ncache",
                ),
                ("systemd-detect-virt", "none"),
                ("/usr/bin/chromium --version", "Chromium 131.0"),
                (
                    "fc-list :lang=zh family",
                    "Noto Sans CJK SC\nNoto Serif CJK SC",
                ),
            ],
            addresses: vec!["203.0.113.7".parse().unwrap()],
            resolver: Some(Ok(vec!["203.0.113.7".parse().unwrap()])),
            open: vec!["203.0.113.7:8443".parse().unwrap()],
            ..Fixture::default()
        }
    }

    fn finding<'a>(r: &'a EnvReport, id: &str) -> &'a Finding {
        r.findings.iter().find(|f| f.id == id).unwrap()
    }

    #[test]
    fn collect_grades_what_the_machine_says() {
        let m = clean();
        let r = collect(&probe("https://shop.example:8443/item"), &m);
        let ids: Vec<&str> = r.findings.iter().map(|f| f.id).collect();
        assert_eq!(ids, FINDINGS);
        assert_eq!(r.checked, Utc::parse(NOW).unwrap());
        // Unchecked clock: a warning; everything else on this machine is ok.
        for f in &r.findings {
            let want = if f.id == "clock" {
                Grade::Warning
            } else {
                Grade::Ok
            };
            assert_eq!(f.grade, want, "{}: {}", f.id, f.summary);
        }
        assert_eq!(
            finding(&r, "route").summary,
            "203.0.113.7 via 10.0.0.1 dev eth0 src 10.0.0.2"
        );
        assert_eq!(
            finding(&r, "os").summary,
            "Debian GNU/Linux 12 (bookworm) (kernel 6.1.0-28-amd64)"
        );
        assert_eq!(
            finding(&r, "software").summary,
            "webproof test, Chromium 131.0, chromedriver not found"
        );
        let sw = &finding(&r, "software").detail;
        assert_eq!(sw["chromium"]["resolved"], "/usr/bin/chromium.real");
        assert_eq!(sw["chromium"]["digest"]["size"], 14);
        assert_eq!(
            sw["chromium"]["digest"]["sha256"],
            json!(digest_bytes(b"chromium bytes").sha256)
        );
        assert_eq!(sw["chromedriver"]["digest"], Value::Null);
        assert_eq!(sw["webproof"]["binary"]["path"], "/usr/bin/webproof");
        assert_eq!(
            finding(&r, "cjk-fonts").summary,
            "CJK fonts present: Noto Sans CJK SC"
        );
        // environment.json records a resolver's answer as {"Ok": [...]}.
        assert_eq!(
            finding(&r, "resolvers").detail["answers"][0],
            json!({"server": "192.0.2.53:53", "answer": {"Ok": ["203.0.113.7"]}})
        );
        assert_eq!(*m.tried.borrow(), ["203.0.113.7:8443".parse().unwrap()]);
    }

    #[test]
    fn collect_flags_a_machine_that_is_not_clean() {
        let mut m = clean();
        m.files[0] = (
            "/etc/hosts",
            "127.0.0.1 localhost\n203.0.113.66 shop.example\n",
        );
        m.files.push(("/.dockerenv", ""));
        m.programs.retain(|(l, _)| !l.starts_with("fc-list"));
        m.vars = vec![("https_proxy".into(), "http://10.1.1.1:3128".into())];
        m.resolver = Some(Err(ResolverError::Refused(vec![
            "A: Refused".into(),
            "AAAA: Refused".into(),
        ])));
        m.root = true;
        m.open.clear();
        m.addresses = (1..=6)
            .map(|i| format!("203.0.113.{i}").parse().unwrap())
            .collect();
        let r = collect(&probe("https://shop.example:8443/item"), &m);
        let grade = |id| finding(&r, id).grade;
        assert_eq!(grade("hosts"), Grade::Fail);
        assert_eq!(grade("proxy"), Grade::Warning);
        assert_eq!(grade("virtualization"), Grade::Warning);
        assert!(
            finding(&r, "virtualization")
                .summary
                .contains("container marker")
        );
        assert_eq!(grade("browser-sandbox"), Grade::Warning);
        assert_eq!(grade("cjk-fonts"), Grade::Warning);
        assert_eq!(grade("resolvers"), Grade::Warning);
        assert_eq!(
            finding(&r, "resolvers").summary,
            "192.0.2.53:53 did not answer (A: Refused, AAAA: Refused)"
        );
        assert_eq!(
            finding(&r, "resolvers").detail["answers"][0]["answer"],
            json!({"Err": "A: Refused, AAAA: Refused"})
        );
        // At most four addresses are tried; none accepting is the target's failure.
        assert_eq!(m.tried.borrow().len(), 4);
        assert_eq!(r.target_unusable().map(|f| f.id), Some("reach"));
        assert_eq!(
            finding(&r, "reach").detail[0],
            json!({"address": "203.0.113.1:8443", "result": "connection refused"})
        );
        // The route to an address not in the fixture is unknown: a warning.
        assert_eq!(grade("route"), Grade::Warning);
    }

    #[test]
    fn a_host_that_does_not_resolve_is_the_targets_failure() {
        let mut m = clean();
        m.addresses.clear();
        let r = collect(&probe("http://gone.example/"), &m);
        assert_eq!(
            r.target_unusable().map(|f| (f.id, f.summary.as_str())),
            Some((
                "dns",
                "gone.example does not resolve: no address for gone.example"
            ))
        );
        // Nothing to connect to: no reach finding, no connection tried.
        assert!(r.findings.iter().all(|f| f.id != "reach"));
        assert!(m.tried.borrow().is_empty());
        // No target at all: DNS and route say so and are ok.
        let mut p = probe("http://x/");
        p.target_url = None;
        let r = collect(&p, &clean());
        assert_eq!(finding(&r, "dns").summary, "no target given");
        assert_eq!(finding(&r, "route").grade, Grade::Ok);
        assert!(r.findings.iter().all(|f| f.id != "resolvers"));
    }

    #[test]
    fn grades_and_connection_errors_say_themselves() {
        assert_eq!(
            [Grade::Ok, Grade::Warning, Grade::Fail].map(|g| g.as_str()),
            ["ok", "warning", "fail"]
        );
        let t = Duration::from_secs(3);
        let from = |k: std::io::ErrorKind| ReachError::from_io(k.into(), t);
        assert!(matches!(
            from(std::io::ErrorKind::TimedOut),
            ReachError::TimedOut(d) if d == t
        ));
        assert_eq!(
            from(std::io::ErrorKind::TimedOut).to_string(),
            "no answer within 3 s"
        );
        assert!(matches!(
            from(std::io::ErrorKind::ConnectionRefused),
            ReachError::Refused
        ));
        assert!(matches!(
            from(std::io::ErrorKind::HostUnreachable),
            ReachError::Other(_)
        ));
    }

    #[test]
    fn the_clocks_uncertainty_is_half_the_round_trip_the_accuracy_and_a_whole_second() {
        let mut t = TrustedTime {
            source: "http://tsa/".into(),
            gen_time: "x".into(),
            gen_time_micros: 1_000_000_000_000_000,
            accuracy_micros: Some(2_000),
            whole_seconds: false,
            local_before_micros: 1_000_000_000_000_000 - 30_000,
            local_after_micros: 1_000_000_000_000_000 + 90_000,
        };
        // Midpoint 30 ms after genTime: the clock is 0.030 s ahead.
        let f = grade_clock(Some(&Ok(t.clone())), Utc::now(), None);
        assert_eq!(f.detail["uncertainty_micros"], 60_000 + 2_000);
        assert_eq!(f.detail["offset_micros"], 30_000);
        t.whole_seconds = true;
        t.accuracy_micros = None;
        let f = grade_clock(Some(&Ok(t)), Utc::now(), None);
        assert_eq!(
            f.detail["uncertainty_micros"],
            60_000 + 1_000_000 + 1_000_000
        );
    }

    #[test]
    fn a_resolver_with_no_address_says_so() {
        let none = ResolverAnswer {
            server: "192.0.2.2:53".into(),
            answer: Ok(vec![]),
        };
        let sys = ["93.184.215.14".parse().unwrap()];
        let f = grade_resolvers("example.com", &sys, &[none]);
        assert_eq!(
            f.summary, "192.0.2.2:53 has no address for example.com",
            "{}",
            f.summary
        );
    }

    #[test]
    fn a_public_name_on_loopback_is_flagged_and_loopback_names_are_not() {
        let grade = |url: &str, addresses: &[&str]| {
            let mut m = clean();
            m.addresses = addresses.iter().map(|a| a.parse().unwrap()).collect();
            finding(&collect(&probe(url), &m), "dns").grade
        };
        assert_eq!(
            grade("http://shop.example/", &["127.0.0.1"]),
            Grade::Warning
        );
        assert_eq!(grade("http://shop.example/", &["::1"]), Grade::Warning);
        assert_eq!(
            grade("http://shop.example/", &["127.0.0.1", "203.0.113.7"]),
            Grade::Ok
        );
        assert_eq!(grade("http://localhost:8080/", &["127.0.0.1"]), Grade::Ok);
        assert_eq!(grade("http://127.0.0.1:8080/", &["127.0.0.1"]), Grade::Ok);
        assert_eq!(grade("http://[::1]:8080/", &["::1"]), Grade::Ok);
    }

    #[test]
    fn an_empty_dmi_field_is_left_out_of_what_is_virtual() {
        let mut m = clean();
        m.files.push(("/sys/class/dmi/id/sys_vendor", "\n"));
        m.files.push(("/sys/class/dmi/id/product_name", "KVM\n"));
        m.files.push(("/run/.containerenv", ""));
        let r = collect(&probe("https://shop.example:8443/item"), &m);
        assert_eq!(
            finding(&r, "virtualization").summary,
            "runs virtualised or in a container (KVM, container marker); disclose this with the evidence"
        );
    }
}
