//! `webproof dev up` (two development TSAs, the evidence log and three witnesses in one
//! process) behind `seal`, `capture` and `verify` with no flags: packages carry receipts
//! cosigned by all three witnesses that verify offline; a refresh extends them; a split view
//! is refused by the witnesses and rejected by the verifier.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use ed25519_dalek::SigningKey;
use webproof_ledger::deposit::Deposit;
use webproof_ledger::merkle::leaf_hash;
use webproof_ledger::note::{ALG_ED25519, Checkpoint, Note, NoteSigner};
use webproof_ledger::receipt::{Receipt, promise_text};
use webproof_ledger::witness::add_checkpoint_body;

use crate::util::*;
use crate::witness::post;

pub const DEV_LOG: &str = "log.webproof.dev/evidence";

/// A running `webproof dev up` and what it printed.
pub struct DevUp {
    _child: Reaped,
    pub log_url: String,
    pub log_vkey: String,
    pub witness_urls: Vec<String>,
    pub witness_vkeys: Vec<String>,
    /// The registrar's one-time code `dev up` prints for an identity it did not enroll itself
    /// (started without the operator's passphrase).
    pub enrollment_code: Option<String>,
}

/// Waits until the log at `log_url` publishes a checkpoint of at least `size` entries.
pub fn wait_for_checkpoint(log_url: &str, size: u64) {
    let url = format!("{}/checkpoint", log_url.trim_end_matches('/'));
    let mut last = None;
    for _ in 0..300 {
        if let Some((200, note)) = crate::witness::try_http("GET", &url, "") {
            let n = note.lines().nth(1).and_then(|l| l.parse::<u64>().ok());
            if n.is_some_and(|n| n >= size) {
                return;
            }
            last = Some(note);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the log never published a checkpoint of {size} entries; last: {last:?}");
}

impl DevUp {
    pub fn start(env: &Env) -> DevUp {
        Self::start_with(env.cmd())
    }

    /// Waits until the log publishes a checkpoint of at least `size` entries.
    pub fn wait_for_checkpoint(&self, size: u64) {
        wait_for_checkpoint(&self.log_url, size);
    }

    /// `dev up` from a prepared command (`env.cmd()` with changes).
    pub fn start_with(mut cmd: std::process::Command) -> DevUp {
        let mut child = cmd
            .args(["dev", "up", "--interval-ms", "200"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let child = Reaped(child);
        let (mut log_url, mut log_vkey) = (String::new(), String::new());
        let (mut witness_urls, mut witness_vkeys) = (Vec::new(), Vec::new());
        let mut enrollment_code = None;
        for line in out.lines() {
            let line = line.unwrap();
            let l = line.trim();
            let url = || {
                l.split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .unwrap()
                    .to_owned()
            };
            if let Some(rest) = l.split("enrollment code for ").nth(1) {
                enrollment_code = rest
                    .split(": ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .map(str::to_owned);
            }
            if l == "ready" {
                break;
            } else if let Some(k) = l.strip_prefix("log verifier key: ") {
                log_vkey = k.to_owned();
            } else if let Some(k) = l.strip_prefix("witness verifier key: ") {
                witness_vkeys.push(k.to_owned());
            } else if l.starts_with("evidence log ") {
                log_url = url();
            } else if l.starts_with("witness ") {
                witness_urls.push(url());
            }
        }
        assert!(
            !log_url.is_empty() && witness_vkeys.len() == 3,
            "dev up did not start"
        );
        DevUp {
            _child: child,
            log_url,
            log_vkey,
            witness_urls,
            witness_vkeys,
            enrollment_code,
        }
    }
}

fn verdicts<'a>(checks: &'a [serde_json::Value], id: &str) -> Vec<&'a str> {
    checks
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["verdict"].as_str().unwrap())
        .collect()
}

fn detail<'a>(checks: &'a [serde_json::Value], id: &str) -> &'a str {
    checks
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["detail"].as_str())
        .unwrap_or_default()
}

#[test]
fn dev_up_gives_sealed_files_a_receipt_cosigned_by_three_witnesses_that_verifies_offline() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dev = DevUp::start(&env);
    // The alliance's trust bundle, as the log publishes it and as `dev up` keeps it.
    let (code, published) = crate::witness::get(&format!(
        "{}/trust-bundle.json",
        dev.log_url.trim_end_matches('/')
    ));
    assert_eq!(code, 200, "{published}");
    let kept = std::fs::read_to_string(env.home().join("dev/trust-bundle.json")).unwrap();
    assert_eq!(published, kept);
    let sample = samples()[0].display().to_string();
    // No flags: config.toml written by `dev up` names the TSAs, the log and the witnesses.
    let out = env.ok(&["seal", &sample, "--out", "s.wacz", "--json"], 0);
    let sealed: serde_json::Value = serde_json::from_str(&out).unwrap();
    let head = sealed["chain_head"]["sha256"].as_str().unwrap().to_owned();
    let c = checks(&env, &["s.wacz", "--trust-operator", &fpr], 0);
    assert_eq!(verdicts(&c, "receipt.deposit"), ["pass"], "{c:#?}");
    // The report sealed inside states the sealer's verdict, under the TSA roots config.toml
    // trusts, and asks the reader to verify again.
    let html = String::from_utf8(entry(&env.path().join("s.wacz"), "report/report.html")).unwrap();
    assert!(
        html.contains("verdict before the seal step: VERIFIED so far"),
        "{html}"
    );
    assert!(
        html.contains("verify it again under your own trust"),
        "{html}"
    );
    let cov = detail(&c, "receipt.coverage");
    for w in ["court", "notary", "ca"] {
        assert!(cov.contains(&format!("witness.{w}.webproof.dev")), "{cov}");
    }

    // Lookup by digest: the court's "compare the hash with the chain" step.
    let mut args = vec![
        "log",
        "lookup",
        &head,
        "--log",
        &dev.log_url,
        "--log-key",
        &dev.log_vkey,
        "--quorum",
        "3",
    ];
    for v in &dev.witness_vkeys {
        args.extend(["--witness-key", v.as_str()]);
    }
    let found = env.ok(&args, 0);
    assert!(found.starts_with("DEPOSITED and PROVEN"), "{found}");

    // Lookup by file: the deposit names the sealed file by its digests (never its name or
    // bytes), so the log answers for the file itself, with the capture and step.
    let capture = sealed["capture"].as_str().unwrap().to_owned();
    let mut by_file = args.clone();
    by_file[2] = "--file";
    by_file.insert(3, &sample);
    let found = env.ok(&by_file, 0);
    assert!(found.starts_with("DEPOSITED and PROVEN: file "), "{found}");
    assert!(
        found.contains(&format!("recorded by step 0 of capture {capture}")),
        "{found}"
    );
    let stranger = env.write("never-sealed.txt", b"not in any package");
    by_file[3] = stranger.to_str().unwrap();
    let not = env.ok(&by_file, 1);
    assert!(not.starts_with("NOT DEPOSITED: file "), "{not}");
    // A tenant that keeps file digests out of the log (config.toml `[log] file_digests =
    // false`): its chain heads are deposited, its files cannot be looked up.
    let config = env.home().join("config.toml");
    let mut cfg: toml::Table = std::fs::read_to_string(&config).unwrap().parse().unwrap();
    cfg["log"]
        .as_table_mut()
        .unwrap()
        .insert("file_digests".into(), false.into());
    std::fs::write(&config, toml::to_string(&cfg).unwrap()).unwrap();
    let private = env.write("private.txt", b"kept out of the log");
    let out = env.ok(
        &[
            "seal",
            private.to_str().unwrap(),
            "--out",
            "p.wacz",
            "--json",
        ],
        0,
    );
    let p_head: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p_head = p_head["chain_head"]["sha256"].as_str().unwrap().to_owned();
    by_file[3] = private.to_str().unwrap();
    let not = env.ok(&by_file, 1);
    assert!(not.starts_with("NOT DEPOSITED: file "), "{not}");
    let mut by_head = args.clone();
    by_head[2] = &p_head;
    dev.wait_for_checkpoint(2);
    let found = env.ok(&by_head, 0);
    assert!(found.starts_with("DEPOSITED and PROVEN"), "{found}");
    cfg["log"].as_table_mut().unwrap().remove("file_digests");
    std::fs::write(&config, toml::to_string(&cfg).unwrap()).unwrap();

    // A second deposit grows the log; a refresh proves the first receipt's tree is a prefix.
    env.ok(&["seal", &sample, "--out", "t.wacz"], 0);
    dev.wait_for_checkpoint(2);

    // By hand: Python's standard library and OpenSSL alone check the second receipt (a
    // non-empty inclusion proof); a changed proof hash is caught.
    let dir = env.path().join("t");
    unzip(&env.path().join("t.wacz"), &dir);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verify-receipt.py");
    let by_hand = |d: &std::path::Path| {
        tool(
            "python3",
            &[script.to_str().unwrap(), "receipts/000001-1.json"],
            d,
        )
    };
    let o = by_hand(&dir);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        said.contains("OK: 3 witness cosignature(s) verify"),
        "{said}"
    );
    let path = dir.join("receipts/000001-1.json");
    let mut r: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(!r["inclusion"].as_array().unwrap().is_empty());
    let p0 = r["inclusion"][0].as_str().unwrap().to_owned();
    let flipped = if p0.starts_with('A') {
        p0.replacen('A', "B", 1)
    } else {
        format!("A{}", &p0[1..])
    };
    r["inclusion"][0] = flipped.into();
    std::fs::write(&path, serde_json::to_vec(&r).unwrap()).unwrap();
    let o = by_hand(&dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("inclusion proof does not lead"));
    // The whole package by hand: tokens verified by openssl against the TSA roots and
    // receipts against the log's and witnesses' keys, all taken from config.toml.
    let cfg: toml::Value =
        toml::from_str(&std::fs::read_to_string(env.home().join("config.toml")).unwrap()).unwrap();
    let strings = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verify-by-hand.sh");
    let o = std::process::Command::new("bash")
        .arg(&script)
        .arg(env.path().join("s.wacz"))
        .env("TSA_ROOTS", strings(&cfg["timestamp"]["trust"]).join(":"))
        .env("LOG_KEY", cfg["log"]["key"].as_str().unwrap())
        .env("WITNESS_KEYS", strings(&cfg["log"]["witnesses"]).join(" "))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        said.contains("time-stamps: verified against TSA_ROOTS"),
        "{said}"
    );
    assert!(
        !said.contains("ok 0 time-stamps") && !said.contains("ok 0 receipts"),
        "{said}"
    );
    // Against another root, the tokens do not verify.
    let o = std::process::Command::new("bash")
        .arg(&script)
        .arg(env.path().join("s.wacz"))
        .env("TSA_ROOTS", strings(&cfg["log"]["operator_ca"]).join(":"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        !o.status.success() && said.contains("does not verify against TSA_ROOTS"),
        "{said}"
    );
    let out = env.ok(&["receipt", "refresh", "s.wacz", "--out", "s2.wacz"], 0);
    assert!(out.contains("refresh 1 added"), "{out}");
    let c = checks(&env, &["s2.wacz", "--trust-operator", &fpr], 0);
    assert_eq!(verdicts(&c, "receipt.refresh"), ["pass"], "{c:#?}");
    assert_wacz_valid(&env, "s2.wacz");
    // Nothing newer: refused, nothing written.
    let o = env.run(&["receipt", "refresh", "s2.wacz", "--out", "s3.wacz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to refresh"));
    assert!(!env.path().join("s3.wacz").exists());

    // Offline: the alliance is gone, the package still verifies with the configured keys.
    drop(dev);
    checks(&env, &["s2.wacz", "--trust-operator", &fpr], 0);

    // A verifier without the keys: the receipts check with the package's own keys, but are
    // not trusted; given the keys on the command line, they are.
    let stranger = Env::new();
    std::fs::copy(env.path().join("s.wacz"), stranger.path().join("s.wacz")).unwrap();
    let c = checks(&stranger, &["s.wacz"], 3);
    assert_eq!(verdicts(&c, "receipt.deposit"), ["untrusted"], "{c:#?}");
    let cfg = std::fs::read_to_string(env.home().join("config.toml")).unwrap();
    let cfg: toml::Value = toml::from_str(&cfg).unwrap();
    let log_key = cfg["log"]["key"].as_str().unwrap().to_owned();
    let wkeys: Vec<String> = cfg["log"]["witnesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let mut args = vec!["s.wacz", "--trust-log", &log_key, "--witness-quorum", "3"];
    for w in &wkeys {
        args.extend(["--trust-witness", w.as_str()]);
    }
    let c = checks(&stranger, &args, 3);
    assert_eq!(verdicts(&c, "receipt.deposit"), ["pass"], "{c:#?}");
    assert_eq!(verdicts(&c, "receipt.coverage"), ["pass"], "{c:#?}");
    // The alliance's trust in one file (docs/trust-bundle.md), as the log published it: the
    // stranger's verdicts, check for check, are those of the machine `dev up` configured.
    let bundle: serde_json::Value = serde_json::from_str(&published).unwrap();
    assert_eq!(bundle["development"], true);
    assert_eq!(bundle["logs"][0].as_str(), Some(log_key.as_str()));
    assert_eq!(bundle["witnesses"].as_array().unwrap().len(), 3);
    assert_eq!(bundle["quorum"], 3);
    assert_eq!(bundle["tsa_roots"].as_array().unwrap().len(), 2);
    assert_eq!(bundle["operator_cas"].as_array().unwrap().len(), 1);
    stranger.write("alliance.json", published.as_bytes());
    let said = |c: &[serde_json::Value]| -> Vec<(String, String, String)> {
        c.iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
                (s("id"), s("subject"), s("verdict"))
            })
            .collect()
    };
    let configured = checks(&env, &["s.wacz", "--trust-operator", &fpr], 0);
    let bundled = checks(
        &stranger,
        &[
            "s.wacz",
            "--trust-operator",
            &fpr,
            "--trust-bundle",
            "alliance.json",
        ],
        0,
    );
    assert_eq!(said(&bundled), said(&configured));
    // Trusting another log: the receipt is named as from a log not trusted, with the one
    // that is — never advice to trust the package's own log key.
    let other_log = stranger
        .ok(&["log", "key", "--origin", "other.example/log"], 0)
        .trim()
        .to_owned();
    let c = checks(&stranger, &["s.wacz", "--trust-log", &other_log], 3);
    assert_eq!(verdicts(&c, "receipt.deposit"), ["untrusted"], "{c:#?}");
    let d = detail(&c, "receipt.deposit");
    assert!(
        d.contains("which is not a log you trust: you trust other.example/log"),
        "{d}"
    );
    // Trusting only two of the three witnesses while asking for three: rejected.
    let mut two = vec![
        "verify",
        "s.wacz",
        "--trust-log",
        &log_key,
        "--witness-quorum",
        "3",
    ];
    for w in &wkeys[..2] {
        two.extend(["--trust-witness", w.as_str()]);
    }
    let o = stranger.run(&two);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a quorum above the witnesses given is a usage error"
    );

    // The receipt of another package: its deposit is not of this chain head.
    let other = entry(&env.path().join("t.wacz"), "receipts/000001-1.json");
    rewrite_zip(
        &env.path().join("s.wacz"),
        &stranger.path().join("swapped.wacz"),
        |name, bytes| {
            if name == "receipts/000001-1.json" {
                *bytes = other.clone();
            }
        },
    );
    let c = checks(&stranger, &["swapped.wacz", "--trust-log", &log_key], 1);
    assert_eq!(verdicts(&c, "receipt.deposit"), ["fail"], "{c:#?}");
    assert!(
        detail(&c, "receipt.deposit").contains("another chain head"),
        "{c:#?}"
    );
}

#[test]
fn a_split_view_is_refused_by_every_witness_and_rejected_by_the_verifier() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dev = DevUp::start(&env);
    let sample = samples()[0].display().to_string();
    env.ok(&["seal", &sample, "--out", "s.wacz"], 0);
    let honest =
        Receipt::parse(&entry(&env.path().join("s.wacz"), "receipts/000001-1.json")).unwrap();
    assert_eq!(honest.log, DEV_LOG);
    let size = {
        let n = Note::parse(&honest.checkpoint).unwrap();
        Checkpoint::parse(&n.text).unwrap().size
    };

    // The log's operator turns hostile: with the log's own key it signs another tree of the
    // same size, in which this package's entry claims another chain head.
    let seed: [u8; 32] = std::fs::read(env.home().join("log/log.webproof.dev_evidence/key"))
        .unwrap()
        .try_into()
        .unwrap();
    let log = NoteSigner::new(DEV_LOG, ALG_ED25519, SigningKey::from_bytes(&seed)).unwrap();
    assert_eq!(log.key.vkey(), dev.log_vkey);
    let mut forged = Deposit::parse(honest.entry.as_bytes()).unwrap();
    forged.sha256 = "0f".repeat(32);
    let forged_entry = forged.to_bytes().unwrap();
    let mut leaves: Vec<_> = (0..size)
        .map(|i| {
            let (code, e) = crate::witness::get(&format!("{}entry/{i}", dev.log_url));
            assert_eq!(code, 200);
            leaf_hash(e.as_bytes())
        })
        .collect();
    let at = honest.index as usize;
    assert_eq!(leaves[at], leaf_hash(honest.entry.as_bytes()));
    leaves[at] = leaf_hash(&forged_entry);
    let cp = Checkpoint {
        origin: DEV_LOG.into(),
        size,
        root: webproof_ledger::merkle::root(&leaves),
        extensions: vec![],
    };
    let forked = cp.sign(&log);
    for url in &dev.witness_urls {
        let (code, body) = post(url, &add_checkpoint_body(size, &[], &forked));
        assert_eq!(code, 409, "{url}: {body}");
        assert!(body.contains("fork"), "{url}: {body}");
    }
    // Each witness kept the evidence: both checkpoints, signed by the log.
    for name in [
        "witness.court.webproof.dev",
        "witness.notary.webproof.dev",
        "witness.ca.webproof.dev",
    ] {
        let forks =
            std::fs::read_to_string(env.home().join("witness").join(name).join("forks.log"))
                .unwrap();
        assert!(
            forks.contains(&Note::parse(&forked).unwrap().text),
            "{name}"
        );
    }

    // A package built on the forked tree: signed by the log, but no witness cosigned it.
    // A consistent forgery: a promise for the entry alone, its inclusion in the forked tree.
    let text = promise_text(
        DEV_LOG,
        honest.index,
        1,
        &leaf_hash(&forged_entry),
        1_795_000_000,
    );
    let promise = Note {
        sigs: vec![log.sign(&text)],
        text,
    }
    .to_text();
    let fake = Receipt {
        entry: String::from_utf8(forged_entry).unwrap(),
        promise,
        promise_proof: vec![],
        checkpoint: forked,
        inclusion: webproof_ledger::receipt::proof_to_b64(
            &webproof_ledger::merkle::inclusion_proof(&leaves, at).unwrap(),
        ),
        ..honest.clone()
    };
    let fake = fake.to_bytes().unwrap();
    rewrite_zip(
        &env.path().join("s.wacz"),
        &env.path().join("forked.wacz"),
        |name, bytes| {
            if name == "receipts/000001-1.json" {
                *bytes = fake.clone();
            }
        },
    );
    let c = checks(&env, &["forked.wacz", "--trust-operator", &fpr], 1);
    assert_eq!(verdicts(&c, "receipt.deposit"), ["fail"], "{c:#?}");
    assert!(
        detail(&c, "receipt.deposit").contains("0 of the required 3 trusted witnesses"),
        "{c:#?}"
    );
    // The honest package still verifies, and the log goes on: a new deposit is cosigned.
    checks(&env, &["s.wacz", "--trust-operator", &fpr], 0);
    env.ok(&["seal", &sample, "--out", "t.wacz"], 0);
    checks(&env, &["t.wacz", "--trust-operator", &fpr], 0);
}

#[test]
fn a_capture_under_dev_up_has_a_not_before_checkpoint_and_receipts_along_the_way() {
    let base = crate::site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let dev = DevUp::start(&env);
    // A first deposit, so that a witnessed checkpoint exists before the capture starts.
    let sample = samples()[0].display().to_string();
    env.ok(&["seal", &sample, "--out", "first.wacz"], 0);
    dev.wait_for_checkpoint(1);
    let url = format!("{base}/index.html");
    capture_headless(&env, &url, "c.wacz");
    let c = checks(&env, &["c.wacz", "--trust-operator", &fpr], 0);
    // Deposited at the start (after step 0) and at the end.
    let receipts: Vec<&str> = c
        .iter()
        .filter(|x| x["id"] == "receipt.deposit")
        .map(|x| x["subject"].as_str().unwrap())
        .collect();
    let last = journal(&env.path().join("c.wacz")).len() - 1;
    assert_eq!(
        receipts,
        [
            "receipts/000000-1.json".to_owned(),
            format!("receipts/{last:06}-1.json")
        ],
        "{c:#?}"
    );
    assert_eq!(verdicts(&c, "receipt.not_before"), ["pass"], "{c:#?}");
    let nb = detail(&c, "receipt.not_before");
    assert!(
        nb.contains("the session began after checkpoint ")
            && nb.contains(" of log.webproof.dev/evidence existed: not before "),
        "{nb}"
    );
    // The checkpoint is step 0's artifact, so the operator's signature covers it.
    let recs = journal(&env.path().join("c.wacz"));
    assert!(
        recs[0]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["path"] == "artifacts/000000-log-checkpoint.txt"),
        "{}",
        recs[0]
    );
}

/// The keys a user trusts (`[trust]` in the config.toml `dev up` wrote, e.g. added in the app's
/// editor) stay when `dev up` starts again and rewrites the alliance's part.
#[test]
fn dev_up_keeps_the_users_trusted_keys_across_restarts() {
    let env = Env::new();
    let notary = "ab".repeat(32);
    let first = DevUp::start(&env);
    let cfg = env.home().join("config.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(!text.lines().any(|l| l == "[trust]"), "{text}");
    std::fs::write(
        &cfg,
        format!("{text}\n[trust]\nnotaries = [\"{notary}\"]\n"),
    )
    .unwrap();
    drop(first);
    let again = DevUp::start(&env);
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        text.contains(&again.log_vkey),
        "the alliance's part is rewritten: {text}"
    );
    let v: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        v["trust"]["notaries"][0].as_str(),
        Some(notary.as_str()),
        "{text}"
    );
    assert_eq!(v["trust"]["operators"].as_array().map(Vec::len), Some(0));
}

/// `trust import` takes only what it can check: a damaged bundle, a log that is not the
/// bundle's, a bundle file without the log's address, a missing TSA or a configuration the
/// user wrote are refused with nothing written; a good import from a file with `--log`
/// configures the alliance, keeping the user's `[trust]` and the old file beside it.
#[test]
fn trust_import_writes_only_an_alliance_it_could_check() {
    let a = Env::new();
    std::fs::create_dir_all(a.home()).unwrap();
    let alliance = DevUp::start(&a);
    // Another alliance's log: not the one the bundle names.
    let b = Env::new();
    std::fs::create_dir_all(b.home()).unwrap();
    let other = DevUp::start(&b);
    alliance.wait_for_checkpoint(0);
    other.wait_for_checkpoint(0);
    let bundle = a.home().join("dev/trust-bundle.json");
    let tsa = "http://127.0.0.1:9/";
    let env = Env::new();
    std::fs::create_dir_all(env.home()).unwrap();
    let config = env.home().join("config.toml");
    let refused = |args: &[&str], says: &str| {
        let o = env.run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!config.exists(), "{args:?} wrote config.toml");
        assert!(!env.home().join("trust").exists(), "{args:?} kept files");
    };
    let b_path = bundle.to_str().unwrap();
    refused(
        &["trust", "import", b_path, "--tsa", tsa],
        "does not say where the log is",
    );
    refused(
        &[
            "trust",
            "import",
            b_path,
            "--log",
            &other.log_url,
            "--tsa",
            tsa,
        ],
        "not the alliance's log",
    );
    refused(&["trust", "import", &alliance.log_url], "--tsa");
    refused(&import_args(b_path, &alliance.log_url, "ftp://x/"), "--tsa");
    let mut damaged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    damaged["quorum"] = serde_json::json!(9);
    let damaged_path = env.write("damaged.json", damaged.to_string().as_bytes());
    refused(
        &import_args(damaged_path.to_str().unwrap(), &alliance.log_url, tsa),
        "quorum",
    );
    // The user's own configuration: replaced only with --force, and kept beside.
    let own = "[trust]\noperators = [\"ab\"]\n";
    std::fs::write(&config, own).unwrap();
    let import = import_args(b_path, &alliance.log_url, tsa);
    let o = env.run(&import);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), own);
    let out = env.ok(&[&import[..], &["--force"]].concat(), 0);
    assert!(out.contains("NOT for court use"), "{out}");
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.starts_with("# Written by `webproof trust import`"),
        "{written}"
    );
    assert!(
        written.contains(&format!("key = {:?}", alliance.log_vkey)),
        "{written}"
    );
    assert!(
        written.contains("operators = [\"ab\"]"),
        "the user's [trust] is kept: {written}"
    );
    assert_eq!(
        std::fs::read_to_string(env.home().join("config.toml.bak")).unwrap(),
        own
    );
    for w in &alliance.witness_vkeys {
        assert!(written.contains(w.as_str()), "{written}");
    }
    // An import replaces an import, with no --force.
    env.ok(
        &[
            "trust",
            "import",
            &alliance.log_url,
            "--tsa",
            tsa,
            "--tsa",
            tsa,
        ],
        0,
    );
    let again = std::fs::read_to_string(&config).unwrap();
    assert!(again.contains("quorum = 2\n"), "{again}");
}

/// `trust import BUNDLE --log LOG --tsa TSA`.
fn import_args<'a>(bundle: &'a str, log: &'a str, tsa: &'a str) -> [&'a str; 7] {
    ["trust", "import", bundle, "--log", log, "--tsa", tsa]
}
