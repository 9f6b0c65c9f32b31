//! The machine step 0 checks, read for real: files, standard programs, the system resolver and
//! configured DNS servers, a TCP connection to the target. This is the adapter behind
//! `webproof_capture::environment::Machine`; the checks and their grades are the capture
//! crate's and know no network.

use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs as _, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use webproof_capture::environment::{Machine, ReachError, ResolverError};
use webproof_evidence::utc::Utc;

/// How long a DNS server has to answer each question.
pub const RESOLVER_TIMEOUT: Duration = Duration::from_secs(3);

/// The machine webproof runs on.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalMachine;

impl Machine for LocalMachine {
    fn read(&self, path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn exists(&self, path: &str) -> bool {
        Path::new(path).exists()
    }

    fn run(&self, program: &str, args: &[&str]) -> Option<String> {
        let o = Command::new(program).args(args).output().ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    }

    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars().collect()
    }

    fn resolve(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok((host, 80).to_socket_addrs()?.map(|a| a.ip()).collect())
    }

    fn ask_resolver(&self, server: SocketAddr, host: &str) -> Result<Vec<IpAddr>, ResolverError> {
        query_resolver(server, host)
    }

    fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<(), ReachError> {
        std::net::TcpStream::connect_timeout(&addr, timeout)
            .map(drop)
            .map_err(|e| ReachError::from_io(e, timeout))
    }

    fn program(&self, path: &Path) -> (PathBuf, std::io::Result<Box<dyn Read>>) {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let file = std::fs::File::open(&real).map(|f| Box::new(f) as Box<dyn Read>);
        (real, file)
    }

    fn current_exe(&self) -> Option<PathBuf> {
        std::env::current_exe().ok()
    }

    fn is_root(&self) -> bool {
        webproof_browser::running_as_root()
    }

    fn now(&self) -> Utc {
        Utc::now()
    }
}

/// Asks `server` over UDP for the A and AAAA records of `host` (recursion desired). One refused
/// record type (a server with no AAAA data, say) is no failure; both refused is.
fn query_resolver(server: SocketAddr, host: &str) -> Result<Vec<IpAddr>, ResolverError> {
    let query = |e: hickory_proto::ProtoError| ResolverError::Query(Arc::new(e));
    let name = Name::from_ascii(format!("{host}.")).map_err(query)?;
    let bind = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let sock = UdpSocket::bind(bind)?;
    sock.set_read_timeout(Some(RESOLVER_TIMEOUT))?;
    let mut ips = Vec::new();
    let mut refused = Vec::new();
    for rt in [RecordType::A, RecordType::AAAA] {
        let mut q = Message::query();
        q.metadata.recursion_desired = true;
        q.add_query(Query::query(name.clone(), rt));
        sock.send_to(&q.to_vec().map_err(query)?, server)?;
        let mut buf = [0u8; 4096];
        let reply = loop {
            let (n, from) = sock.recv_from(&mut buf)?;
            let Ok(m) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            // Only the server's answer to this very question counts.
            if from == server && m.metadata.id == q.metadata.id {
                break m;
            }
        };
        let code = reply.metadata.response_code;
        if code != ResponseCode::NoError && code != ResponseCode::NXDomain {
            refused.push(format!("{rt}: {code:?}"));
            continue;
        }
        ips.extend(reply.answers.iter().filter_map(|r| r.data.ip_addr()));
    }
    if refused.len() == 2 {
        return Err(ResolverError::Refused(refused));
    }
    Ok(ips)
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_capture::environment::{Grade, Probe, collect};

    #[test]
    fn a_resolver_that_is_not_there_is_an_error_not_a_hang() {
        // Nothing listens on this loopback port: the answer is an error within the timeout.
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let a = LocalMachine.ask_resolver(port, "example.com");
        assert!(a.is_err(), "{a:?}");
    }

    #[test]
    fn a_closed_port_is_refused_in_step_0() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let t = Duration::from_secs(3);
        let refused = LocalMachine.connect(closed, t);
        assert!(matches!(refused, Err(ReachError::Refused)), "{refused:?}");
        assert_eq!(refused.unwrap_err().to_string(), "connection refused");
        assert!(LocalMachine.connect(open, t).is_ok());
    }

    #[test]
    fn collect_reports_every_finding_on_this_machine() {
        let r = collect(
            &Probe {
                target_url: Some("http://127.0.0.1:9/".into()),
                chromium: "/usr/bin/chromium".into(),
                chromedriver: "/usr/bin/chromedriver".into(),
                webproof_version: "test".into(),
                resolvers: vec![],
                trusted_time: None,
            },
            &LocalMachine,
        );
        let ids: Vec<&str> = r.findings.iter().map(|f| f.id).collect();
        // Every finding, the target's reach too (127.0.0.1 resolves; port 9 refuses).
        for id in webproof_capture::environment::FINDINGS {
            assert!(ids.contains(&id), "{id}");
        }
        let dns = r.findings.iter().find(|f| f.id == "dns").unwrap();
        assert_eq!(dns.grade, Grade::Ok, "{}", dns.summary);
    }
}
