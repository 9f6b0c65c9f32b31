//! The clean-environment check, recorded as step 0 of every browser capture.
//!
//! Collection reads the machine (files under /etc, /proc and /sys, a few standard commands);
//! grading is pure and tested. Each finding is `ok`, `warning` or `fail`; a `fail` stops the
//! capture unless the operator overrides it with a reason, which is recorded.

use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use webproof_evidence::digest::{digest_bytes, digest_reader};
use webproof_evidence::message::Message;
use webproof_evidence::utc::Utc;

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

/// Whether this process runs as root (then Chromium's sandbox cannot run: the browser adapter
/// switches it off, and step 0 says so).
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Chromium's sandbox: on when webproof is not root; as root it cannot run, and a page that
/// exploits the renderer would not be contained — said here, in step 0, with the evidence.
pub fn grade_sandbox(root: bool) -> Finding {
    if root {
        Finding {
            message: Some(Message::new("env-sandbox-root")),
            id: "browser-sandbox",
            grade: Grade::Warning,
            summary: "webproof runs as root, so Chromium's sandbox is off: a page that exploited the renderer would not be contained; capture as an unprivileged user".into(),
            detail: json!({"root": true, "sandbox": false}),
        }
    } else {
        Finding {
            message: Some(Message::new("env-sandbox-on")),
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
pub fn grade_clock(t: Option<&Result<TrustedTime, ProbeError>>) -> Finding {
    let now = Utc::now();
    match t {
        None => Finding {
            message: Some(Message::new("env-clock-unchecked")),
            id: "clock",
            grade: Grade::Warning,
            summary:
                "system clock recorded; not compared with a trusted time source (configure --tsa)"
                    .into(),
            detail: json!({"system_utc": now, "timedatectl": run("timedatectl", &["show"])}),
        },
        Some(Err(e)) => Finding {
            message: Some(Message::new("env-clock-no-answer").arg("error", e.to_string())),
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
                    Message::new("env-clock-offset")
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
    pub answer: Result<Vec<std::net::IpAddr>, String>,
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
            message: Some(Message::new("env-resolvers-ip").arg("host", host)),
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
        Some(Message::new("env-resolvers-none"))
    } else if problems.is_empty() {
        Some(
            Message::new("env-resolvers-agree")
                .arg("count", answers.len())
                .arg("host", host),
        )
    } else {
        Some(Message::new("env-resolvers-differ").arg("problems", problems.join("; ")))
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

/// Asks `server` over UDP for the A and AAAA records of `host` (recursion desired, 3 s).
pub fn query_resolver(server: std::net::SocketAddr, host: &str) -> ResolverAnswer {
    use hickory_proto::op::{Message, Query};
    use hickory_proto::rr::{Name, RecordType};
    let ask = || -> Result<Vec<std::net::IpAddr>, String> {
        let name = Name::from_ascii(format!("{host}.")).map_err(|e| e.to_string())?;
        let bind = if server.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        };
        let sock = std::net::UdpSocket::bind(bind).map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(std::time::Duration::from_secs(3)))
            .map_err(|e| e.to_string())?;
        let mut ips = Vec::new();
        let mut refused = Vec::new();
        for rt in [RecordType::A, RecordType::AAAA] {
            let mut q = Message::query();
            q.metadata.recursion_desired = true;
            q.add_query(Query::query(name.clone(), rt));
            let bytes = q.to_vec().map_err(|e| e.to_string())?;
            sock.send_to(&bytes, server).map_err(|e| e.to_string())?;
            let mut buf = [0u8; 4096];
            let reply = loop {
                let (n, from) = sock.recv_from(&mut buf).map_err(|e| e.to_string())?;
                let Ok(m) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                // Only the server's answer to this very question counts.
                if from == server && m.metadata.id == q.metadata.id {
                    break m;
                }
            };
            let code = reply.metadata.response_code;
            if code != hickory_proto::op::ResponseCode::NoError
                && code != hickory_proto::op::ResponseCode::NXDomain
            {
                refused.push(format!("{rt}: {code:?}"));
                continue;
            }
            ips.extend(reply.answers.iter().filter_map(|r| r.data.ip_addr()));
        }
        // One refused record type (a server with no AAAA data, say) is not a failure.
        if refused.len() == 2 {
            return Err(refused.join(", "));
        }
        Ok(ips)
    };
    ResolverAnswer {
        server: server.to_string(),
        answer: ask(),
    }
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
    attempts: &[(std::net::SocketAddr, Result<(), String>)],
) -> Finding {
    let detail = json!(
        attempts
            .iter()
            .map(|(a, r)| json!({"address": a.to_string(), "result": match r { Ok(()) => "connected".to_owned(), Err(e) => e.clone() }}))
            .collect::<Vec<_>>()
    );
    let target = format!("{host}:{port}");
    if let Some((a, _)) = attempts.iter().find(|(_, r)| r.is_ok()) {
        return Finding {
            message: Some(
                Message::new("env-reach-ok")
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
        .map(|(a, r)| format!("{a}: {}", r.as_ref().err().map_or("", String::as_str)))
        .collect::<Vec<_>>()
        .join("; ");
    Finding {
        message: Some(
            Message::new("env-reach-fails")
                .arg("target", &target)
                .arg("error", &why),
        ),
        id: "reach",
        grade: Grade::Fail,
        summary: format!("nothing accepts connections at {target} ({why})"),
        detail,
    }
}

/// Tries a TCP connection to each address in turn until one is accepted.
fn reach(addrs: &[std::net::SocketAddr]) -> Vec<(std::net::SocketAddr, Result<(), String>)> {
    let mut out = Vec::new();
    for a in addrs.iter().take(4) {
        let r = std::net::TcpStream::connect_timeout(a, REACH_TIMEOUT)
            .map(drop)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::TimedOut => {
                    format!("no answer within {} s", REACH_TIMEOUT.as_secs())
                }
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                _ => e.to_string(),
            });
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
            message: Some(Message::new("env-hosts-target").arg("line", &line)),
            id: "hosts",
            grade: Grade::Fail,
            summary: format!("/etc/hosts maps the target host: {line}"),
            detail,
        },
        (None, false) => Finding {
            message: Some(Message::new("env-hosts-entries").arg("count", unusual.len())),
            id: "hosts",
            grade: Grade::Warning,
            summary: format!("/etc/hosts has {} non-default entries", unusual.len()),
            detail,
        },
        (None, true) => Finding {
            message: Some(Message::new("env-hosts-default")),
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
            message: Some(Message::new("env-proxy-none")),
            id: "proxy",
            grade: Grade::Ok,
            summary: "no proxy configured in the environment".into(),
            detail,
        }
    } else {
        Finding {
            message: Some(
                Message::new("env-proxy-set").arg(
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

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let o = Command::new(cmd).args(args).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

fn read(p: &str) -> Option<String> {
    std::fs::read_to_string(p).ok().map(|s| s.trim().to_owned())
}

fn binary(path: &Path) -> Value {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let digest = std::fs::File::open(&real)
        .ok()
        .and_then(|f| digest_reader(f).ok())
        .map(|(d, n)| json!({"sha256": d.sha256, "sm3": d.sm3, "size": n}));
    json!({"path": path, "resolved": real, "digest": digest})
}

/// Checks the machine. Never fails as a whole: what cannot be read is a finding.
pub fn collect(p: &Probe) -> EnvReport {
    let target_host = p.target_url.as_deref().and_then(url_host);
    let own = read("/proc/sys/kernel/hostname").unwrap_or_default();
    let mut findings = Vec::new();

    findings.push(grade_clock(p.trusted_time.as_ref()));

    findings.push(match std::fs::read_to_string("/etc/hosts") {
        Ok(c) => grade_hosts(&c, target_host.as_deref(), &own),
        Err(e) => Finding {
            message: Some(Message::new("env-hosts-unreadable").arg("error", &e)),
            id: "hosts",
            grade: Grade::Warning,
            summary: format!("/etc/hosts cannot be read: {e}"),
            detail: Value::Null,
        },
    });

    let vars: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.to_ascii_lowercase().ends_with("_proxy"))
        .collect();
    findings.push(grade_proxy(&vars));

    // DNS through the system resolver: asked once, its answer used by every check below.
    let resolv = read("/etc/resolv.conf");
    let resolved: Option<std::io::Result<Vec<std::net::IpAddr>>> = target_host.as_ref().map(|h| {
        (h.as_str(), 80)
            .to_socket_addrs()
            .map(|a| a.map(|x| x.ip()).collect())
    });
    findings.push(match (&target_host, &resolved) {
        (None, _) | (_, None) => Finding {
            message: Some(Message::new("env-no-target")),
            id: "dns",
            grade: Grade::Ok,
            summary: "no target given".into(),
            detail: json!({"resolv_conf": resolv}),
        },
        (Some(h), Some(answer)) => match answer {
            Ok(addrs) => {
                let ips: Vec<String> = addrs.iter().map(ToString::to_string).collect();
                let local = ips.iter().all(|ip| ip.starts_with("127.") || ip == "::1");
                let is_literal_local = h == "localhost" || h.starts_with("127.") || h == "::1";
                Finding {
                    message: Some(
                        Message::new("env-dns-resolves")
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
                message: Some(Message::new("env-dns-fails").arg("host", h).arg("error", e)),
                id: "dns",
                grade: Grade::Fail,
                summary: format!("{h} does not resolve: {e}"),
                detail: json!({"host": h, "resolv_conf": resolv}),
            },
        },
    });

    let system: Vec<std::net::IpAddr> = match &resolved {
        Some(Ok(ips)) => ips.clone(),
        _ => Vec::new(),
    };
    if let Some(h) = &target_host {
        let answers: Vec<ResolverAnswer> =
            p.resolvers.iter().map(|r| query_resolver(*r, h)).collect();
        findings.push(grade_resolvers(h, &system, &answers));
    }

    // Whether anything accepts connections at the target (a page that cannot be reached
    // yields no evidence: the capture is refused before a browser starts).
    if let (Some(h), Some(url)) = (&target_host, &p.target_url) {
        let port = url_port(url);
        let addrs: Vec<std::net::SocketAddr> = system
            .iter()
            .map(|ip| std::net::SocketAddr::new(*ip, port))
            .collect();
        if !addrs.is_empty() {
            findings.push(grade_reach(h, port, &reach(&addrs)));
        }
    }

    // Route to the target.
    let route = system
        .first()
        .and_then(|ip| run("ip", &["route", "get", &ip.to_string()]));
    findings.push(Finding {
        message: route.as_ref().map_or_else(
            || Some(Message::new("env-route-unknown")),
            |r| Some(Message::new("env-route").arg("route", r.lines().next().unwrap_or(""))),
        ),
        id: "route",
        grade: if route.is_some() || target_host.is_none() { Grade::Ok } else { Grade::Warning },
        summary: match &route {
            Some(r) => r.lines().next().unwrap_or("").to_owned(),
            None => "route not determined (no target, or `ip` unavailable)".into(),
        },
        detail: json!({"ip_route_get": route, "traceroute": run("traceroute", &["-n", "-m", "8", "-w", "1", target_host.as_deref().unwrap_or("127.0.0.1")])}),
    });

    findings.push(Finding {
        message: Some(Message::new("env-interfaces")),
        id: "interfaces",
        grade: Grade::Ok,
        summary: "network interfaces and addresses recorded".into(),
        detail: json!({"ip_addr": run("ip", &["-br", "addr"]), "proc_net_dev": read("/proc/net/dev")}),
    });

    let os = read("/etc/os-release").and_then(|s| {
        s.lines().find_map(|l| {
            l.strip_prefix("PRETTY_NAME=")
                .map(|v| v.trim_matches('"').to_owned())
        })
    });
    findings.push(Finding {
        message: Some(
            Message::new("env-os")
                .arg("os", os.clone().unwrap_or_else(|| "?".into()))
                .arg("kernel", read("/proc/sys/kernel/osrelease").unwrap_or_default()),
        ),
        id: "os",
        grade: Grade::Ok,
        summary: format!(
            "{} (kernel {})",
            os.clone().unwrap_or_else(|| "unknown OS".into()),
            read("/proc/sys/kernel/osrelease").unwrap_or_default()
        ),
        detail: json!({"os_release": read("/etc/os-release"), "kernel": read("/proc/version"), "hostname": own}),
    });

    let vendor = read("/sys/class/dmi/id/sys_vendor");
    let product = read("/sys/class/dmi/id/product_name");
    let hypervisor_flag = read("/proc/cpuinfo").is_some_and(|c| {
        c.lines()
            .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "hypervisor"))
    });
    let detect = run("systemd-detect-virt", &[]);
    let container = Path::new("/.dockerenv").exists() || Path::new("/run/.containerenv").exists();
    let virtual_ = hypervisor_flag || container || detect.as_deref().is_some_and(|d| d != "none");
    findings.push(Finding {
        message: Some(Message::new(if virtual_ { "env-virtual" } else { "env-not-virtual" })),
        id: "virtualization",
        grade: if virtual_ { Grade::Warning } else { Grade::Ok },
        summary: if virtual_ {
            let mut what: Vec<String> = [vendor.clone(), product.clone()].into_iter().flatten().filter(|s| !s.is_empty()).collect();
            if hypervisor_flag {
                what.push("CPU hypervisor flag".into());
            }
            if container {
                what.push("container marker".into());
            }
            if let Some(d) = detect.as_deref().filter(|d| *d != "none") {
                what.push(format!("systemd-detect-virt: {d}"));
            }
            format!("runs virtualised or in a container ({}); disclose this with the evidence", what.join(", "))
        } else {
            "no virtual-machine indicators".into()
        },
        detail: json!({"sys_vendor": vendor, "product_name": product, "cpu_hypervisor_flag": hypervisor_flag, "systemd_detect_virt": detect, "container_marker": container}),
    });

    let exe = std::env::current_exe().ok();
    let versions = format!(
        "webproof {}, {}, {}",
        p.webproof_version,
        run(&p.chromium.to_string_lossy(), &["--version"])
            .unwrap_or_else(|| "Chromium not found".into()),
        run(&p.chromedriver.to_string_lossy(), &["--version"])
            .unwrap_or_else(|| "chromedriver not found".into())
    );
    findings.push(Finding {
        message: Some(Message::new("env-software").arg("versions", &versions)),
        id: "software",
        grade: Grade::Ok,
        summary: versions,
        detail: json!({
            "webproof": {"version": p.webproof_version, "binary": exe.as_deref().map(binary)},
            "chromium": binary(&p.chromium),
            "chromedriver": binary(&p.chromedriver),
        }),
    });

    findings.push(Finding {
        message: Some(Message::new("env-browser-profile")),
        id: "browser-profile",
        grade: Grade::Ok,
        summary:
            "fresh temporary Chromium profile, no extensions, no sync, no background networking"
                .into(),
        detail: Value::Null,
    });

    findings.push(grade_sandbox(running_as_root()));

    let cjk = run("fc-list", &[":lang=zh", "family"]);
    findings.push(Finding {
        message: Some(match cjk.as_deref() {
            Some(s) if !s.is_empty() => {
                Message::new("env-cjk-ok").arg("font", s.lines().next().unwrap_or(""))
            }
            _ => Message::new("env-cjk-missing"),
        }),
        id: "cjk-fonts",
        grade: if cjk.as_deref().is_some_and(|s| !s.is_empty()) { Grade::Ok } else { Grade::Warning },
        summary: match cjk.as_deref() {
            Some(s) if !s.is_empty() => format!("CJK fonts present: {}", s.lines().next().unwrap_or("")),
            _ => "no CJK font found: Chinese pages would render as empty boxes (install fonts-noto-cjk)".into(),
        },
        detail: json!({"fc_list_zh": cjk}),
    });

    EnvReport {
        v: 1,
        checked: Utc::now(),
        target: p.target_url.clone(),
        findings,
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
                (a, Err("connection refused".into())),
                (b, Err("no answer within 3 s".into())),
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
            &[(a, Err("connection refused".into())), (b, Ok(()))],
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
    fn a_closed_port_is_refused_in_step_0() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let tried = reach(&[closed, open]);
        assert_eq!(tried.len(), 2);
        assert_eq!(tried[0].1, Err("connection refused".to_owned()));
        assert_eq!(tried[1].1, Ok(()));
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
        let f = grade_clock(Some(&Ok(t(0.5))));
        assert_eq!(f.grade, Grade::Ok, "{}", f.summary);
        assert!(f.summary.contains("-0.500 s"), "{}", f.summary);
        assert_eq!(grade_clock(Some(&Ok(t(-20.0)))).grade, Grade::Warning);
        let f = grade_clock(Some(&Ok(t(3600.0))));
        assert_eq!(f.grade, Grade::Fail);
        assert_eq!(f.detail["offset_micros"], -3_600_000_000i64);
        // Whole-second TSAs get a second of slack.
        assert_eq!(grade_clock(Some(&Ok(t(2.9)))).grade, Grade::Warning);
        let mut w = t(2.9);
        w.whole_seconds = true;
        assert_eq!(grade_clock(Some(&Ok(w))).grade, Grade::Ok);
        let down: Box<dyn std::error::Error + Send + Sync> = "down".into();
        let f = grade_clock(Some(&Err(down.into())));
        assert_eq!(f.grade, Grade::Warning);
        assert!(f.summary.ends_with("did not answer: down"), "{}", f.summary);
        assert_eq!(grade_clock(None).grade, Grade::Warning);
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
            answer: Err("timed out".into()),
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

    #[test]
    fn a_resolver_that_is_not_there_is_an_error_not_a_hang() {
        // Nothing listens on this loopback port: the answer is an error within the timeout.
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let a = query_resolver(port, "example.com");
        assert!(a.answer.is_err(), "{:?}", a.answer);
    }

    #[test]
    fn collect_reports_every_finding_on_this_machine() {
        let r = collect(&Probe {
            target_url: Some("http://127.0.0.1:9/".into()),
            chromium: "/usr/bin/chromium".into(),
            chromedriver: "/usr/bin/chromedriver".into(),
            webproof_version: "test".into(),
            resolvers: vec![],
            trusted_time: None,
        });
        let ids: Vec<&str> = r.findings.iter().map(|f| f.id).collect();
        for id in [
            "clock",
            "hosts",
            "proxy",
            "dns",
            "resolvers",
            "route",
            "interfaces",
            "os",
            "virtualization",
            "software",
            "browser-profile",
            "browser-sandbox",
            "cjk-fonts",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        let dns = r.findings.iter().find(|f| f.id == "dns").unwrap();
        assert_eq!(dns.grade, Grade::Ok, "{}", dns.summary);
    }
}
