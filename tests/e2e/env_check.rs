//! `webproof env-check` against real peers: DNS servers (dnsmasq, an independent
//! implementation) on loopback that agree, disagree, or are not there.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::*;

/// dnsmasq answering `localhost` with `addr`, on a free loopback port; killed on drop.
struct Dns {
    _child: Reaped,
    port: u16,
}

impl Dns {
    fn answering(addr: &str) -> Dns {
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("dnsmasq")
            .args([
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--bind-interfaces",
                "--listen-address=127.0.0.1",
                &format!("--port={port}"),
                &format!("--address=/localhost/{addr}"),
                "--user=root",
                "--pid-file=",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dnsmasq (apt-get install dnsmasq-base)");
        let dns = Dns {
            _child: Reaped(child),
            port,
        };
        // Ready when it answers a query, not after a guessed pause.
        for _ in 0..100 {
            if dns.answers() {
                return dns;
            }
        }
        panic!("dnsmasq on port {port} never answered");
    }

    /// Whether the server answers a query for `localhost` (A) within 100 ms.
    fn answers(&self) -> bool {
        let Ok(sock) = std::net::UdpSocket::bind("127.0.0.1:0") else {
            return false;
        };
        let _ = sock.set_read_timeout(Some(Duration::from_millis(100)));
        // Header: id 0x7770, recursion desired, one question; then localhost IN A.
        let mut q = vec![0x77, 0x70, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 9];
        q.extend_from_slice(b"localhost");
        q.extend_from_slice(&[0, 0, 1, 0, 1]);
        let mut buf = [0u8; 512];
        sock.send_to(&q, self.addr()).is_ok()
            && sock
                .recv(&mut buf)
                .is_ok_and(|n| n >= 12 && buf[..2] == [0x77, 0x70])
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn finding(report: &serde_json::Value, id: &str) -> serde_json::Value {
    // Every finding says itself in the catalogue (else a Chinese reader would get English).
    for f in report["findings"].as_array().unwrap() {
        assert!(f["message"]["key"].is_string(), "no catalogue message: {f}");
    }
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} finding"))
        .clone()
}

#[test]
fn configured_resolvers_are_asked_and_disagreement_is_flagged() {
    let env = Env::new();
    let honest = Dns::answering("127.0.0.1");
    let liar = Dns::answering("10.66.66.66");
    let url = "http://localhost:8080/listing";

    let out = env.run(&["env-check", url, "--json", "--resolver", &honest.addr()]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = finding(&r, "resolvers");
    assert_eq!(f["grade"], "ok", "{f}");
    assert_eq!(
        f["detail"]["answers"][0]["answer"]["Ok"][0], "127.0.0.1",
        "{f}"
    );

    let out = env.run(&[
        "env-check",
        url,
        "--json",
        "--resolver",
        &honest.addr(),
        "--resolver",
        &liar.addr(),
    ]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = finding(&r, "resolvers");
    assert_eq!(f["grade"], "warning", "{f}");
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("{} answers 10.66.66.66", liar.addr())),
        "{summary}"
    );

    // A resolver that is not there is reported, not waited on forever.
    drop(liar);
    let gone = env.run(&["env-check", url, "--json", "--resolver", "127.0.0.1:9"]);
    let r: serde_json::Value = serde_json::from_slice(&gone.stdout).unwrap();
    let f = finding(&r, "resolvers");
    assert_eq!(f["grade"], "warning", "{f}");
    assert!(
        f["summary"].as_str().unwrap().contains("did not answer"),
        "{f}"
    );

    // A malformed resolver is a usage error.
    let bad = env.run(&["env-check", url, "--resolver", "not-an-ip"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_clock_is_compared_with_a_time_stamp_authority() {
    let env = Env::new();
    let tsa = crate::timestamp::DevTsa::start(&env);
    let out = env.run(&["env-check", "--json", "--tsa", &tsa.url]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = finding(&r, "clock");
    // Same machine, same clock: well within the round trip and the TSA's accuracy.
    assert_eq!(f["grade"], "ok", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("from {}", tsa.url)),
        "{f}"
    );
    assert!(
        f["detail"]["offset_micros"].as_i64().unwrap().abs() < 2_000_000,
        "{f}"
    );
    // A TSA that is not there leaves the clock unverified, said so.
    let dead = env.run(&["env-check", "--json", "--tsa", "http://127.0.0.1:9/"]);
    let r: serde_json::Value = serde_json::from_slice(&dead.stdout).unwrap();
    let f = finding(&r, "clock");
    assert_eq!(f["grade"], "warning", "{f}");
    assert!(
        f["summary"].as_str().unwrap().contains("did not answer"),
        "{f}"
    );
}
