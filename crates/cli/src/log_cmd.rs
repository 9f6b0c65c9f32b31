//! `webproof witness serve|key` and `webproof log serve|key`: the evidence log and its
//! witnesses (keys and state under WEBPROOF_HOME).

use crate::say::tr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};

#[derive(clap::Subcommand)]
pub enum WitnessCmd {
    /// Run a witness (c2sp.org/tlog-witness `POST /add-checkpoint`): it cosigns a log's
    /// checkpoints only if they extend the last one it cosigned, and keeps the evidence of any
    /// fork. Its key and memory live in WEBPROOF_HOME/witness/NAME.
    Serve {
        /// The witness's name (a schema-less URL, e.g. witness.court.example).
        #[arg(long)]
        name: String,
        /// A log to witness, as its verifier key (`name+id+key`). Repeatable.
        #[arg(long = "log", value_name = "VKEY", required = true)]
        logs: Vec<String>,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:3162")]
        listen: String,
    },
    /// Print the witness's verifier key (creating its key on first use).
    Key {
        /// The witness's name (a schema-less URL, e.g. witness.court.example).
        #[arg(long)]
        name: String,
    },
}

/// The note signer `name` of `kind` (log or witness) and its directory under WEBPROOF_HOME.
pub fn signer(
    kind: &str,
    name: &str,
    alg: u8,
) -> Result<(webproof_ledger::note::NoteSigner, std::path::PathBuf)> {
    let dir = crate::config::home()?.join(kind).join(safe(name));
    std::fs::create_dir_all(&dir).with_context(|| tr!("ctx-creating", path = dir.display()))?;
    let s = webproof_ledger::note::NoteSigner::new(
        name,
        alg,
        ed25519_dalek::SigningKey::from_bytes(&seed(&dir.join("key"))?),
    )?;
    Ok((s, dir))
}

pub fn witness(cmd: WitnessCmd) -> Result<ExitCode> {
    use webproof_ledger::note::{ALG_COSIGNATURE_V1, NoteKey};
    let (name, logs, listen) = match cmd {
        WitnessCmd::Key { name } => {
            println!(
                "{}",
                signer("witness", &name, ALG_COSIGNATURE_V1)?.0.key.vkey()
            );
            return Ok(ExitCode::SUCCESS);
        }
        WitnessCmd::Serve { name, logs, listen } => (name, logs, listen),
    };
    let (signer, dir) = signer("witness", &name, ALG_COSIGNATURE_V1)?;
    let logs = logs
        .iter()
        .map(|v| {
            NoteKey::from_vkey(v).with_context(|| tr!("cli-not-vkey", what = "--log", value = v))
        })
        .collect::<Result<Vec<_>>>()?;
    let svc = Arc::new(webproof_log::witness_http::WitnessService::open(
        &dir, signer, logs,
    )?);
    let vkey = svc.vkey();
    crate::serve::serve_http(&listen, webproof_log::witness_http::router(svc), |addr| {
        format!(
            "{}\n  {}",
            tr!(
                "cli-witness-banner",
                name = name,
                url = format!("http://{addr}/add-checkpoint")
            ),
            tr!("cli-verifier-key", key = vkey)
        )
    })
}

/// `webproof log serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The log's origin (a schema-less URL, e.g. log.alliance.example/evidence).
    #[arg(long)]
    pub origin: String,
    /// A witness as `URL=VKEY` (its add-checkpoint URL and verifier key). Repeatable.
    #[arg(long = "witness", value_name = "URL=VKEY")]
    pub witnesses: Vec<String>,
    /// How many witnesses must cosign a checkpoint before it is published (`--quorum` is the
    /// old name).
    #[arg(
        long = "witness-quorum",
        alias = "quorum",
        value_name = "K",
        default_value_t = 1
    )]
    pub quorum: usize,
    /// How often a new checkpoint is signed and sent to the witnesses, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub interval_ms: u64,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:3163")]
    pub listen: String,
    /// An admin's public key (PEM file or identity.json). Repeatable. With admins, the log
    /// runs a registration authority and takes deposits only from enrolled operators.
    #[arg(long = "admin-key", value_name = "FILE")]
    pub admin_keys: Vec<std::path::PathBuf>,
    /// Deposits per second each operator may make (bursts of twice that).
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// Where deposits are kept: a PostgreSQL database (`postgres://user@host:port/db`), which
    /// several `log serve` frontends may share; default: config.toml `[log] store`, else the
    /// embedded store (redb) in WEBPROOF_HOME/log/ORIGIN.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// A root of a time-stamp authority the alliance uses (PEM), named in the trust bundle the
    /// log publishes at /trust-bundle.json (docs/trust-bundle.md). Repeatable.
    #[arg(long = "tsa-root", value_name = "PEM")]
    pub tsa_roots: Vec<std::path::PathBuf>,
    /// Say in the published trust bundle that this is a development alliance, never for
    /// court use.
    #[arg(long)]
    pub development: bool,
    /// The verifier page to serve at /verify (scripts/build-verify-page.sh builds it);
    /// default: WEBPROOF_VERIFY_PAGE, else the verify.html installed beside webproof.
    #[arg(long, value_name = "HTML")]
    pub verify_page: Option<std::path::PathBuf>,
}

#[derive(clap::Subcommand)]
pub enum LogCmd {
    /// Run the evidence log: `POST /add` takes a deposit and answers with a signed promise
    /// once it is durable; every `--interval-ms` a new checkpoint is cosigned by the
    /// witnesses and published once `--witness-quorum` of them have; `GET /checkpoint`,
    /// `/proof/inclusion/I/N`, `/proof/consistency/M/N`, `/entry/I`, `/lookup/SHA256`.
    /// Key and store live in WEBPROOF_HOME/log/ORIGIN.
    Serve(ServeArgs),
    /// Print the log's verifier key (creating its key on first use).
    Key {
        /// The log's origin (a schema-less URL naming it in every checkpoint, e.g. log.example/evidence).
        #[arg(long)]
        origin: String,
    },
    /// Was this chain head deposited? Finds the deposit by its SHA-256 (hex), and checks its
    /// inclusion proof against the log's latest witnessed checkpoint (with the log's and the
    /// witnesses' verifier keys; by default those of config.toml `[log]`). With --file: was
    /// this exact file deposited, as part of which capture and step? Exit 0 found and proven,
    /// 1 not found or not proven.
    Lookup {
        /// The chain head's SHA-256, hex.
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        digest: Option<String>,
        /// A file: found by its SHA-256 in the deposits that name the capture's files, and
        /// proven only if the deposit names it by its SM3 too.
        #[arg(long, value_name = "FILE")]
        file: Option<std::path::PathBuf>,
        /// The log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
        /// The log's verifier key to trust, as `verify --trust-log` (default: config.toml
        /// `[log] key`; `--log-key` is the old name).
        #[arg(long = "trust-log", alias = "log-key", value_name = "VKEY")]
        log_key: Option<String>,
        /// A witness's verifier key to trust, as `verify --trust-witness`. Repeatable (default:
        /// config.toml `[log] witnesses`; `--witness-key` is the old name).
        #[arg(long = "trust-witness", alias = "witness-key", value_name = "VKEY")]
        witness_keys: Vec<String>,
        /// How many of those witnesses must have cosigned, as `verify --witness-quorum`
        /// (default: config.toml `[log] quorum`, else 1 when witnesses are given; `--quorum`
        /// is the old name).
        #[arg(long = "witness-quorum", alias = "quorum", value_name = "K")]
        quorum: Option<usize>,
    },
}

/// The 32-byte Ed25519 seed at `path`, created on first use (mode 0600).
fn seed(path: &std::path::Path) -> Result<[u8; 32]> {
    match std::fs::read(path) {
        Ok(b) => b
            .try_into()
            .map_err(|_| anyhow::anyhow!(tr!("cli-not-seed", path = path.display()))),
        Err(_) => {
            let mut s = [0u8; 32];
            getrandom::fill(&mut s).map_err(|e| anyhow::anyhow!(tr!("cli-random", error = e)))?;
            crate::identity_cmd::write_private(path, &s)?;
            Ok(s)
        }
    }
}

/// A directory name for a log origin or witness name.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn log(cmd: LogCmd) -> Result<ExitCode> {
    use webproof_ledger::note::ALG_ED25519;
    match cmd {
        LogCmd::Key { origin } => {
            println!("{}", signer("log", &origin, ALG_ED25519)?.0.key.vkey());
            Ok(ExitCode::SUCCESS)
        }
        LogCmd::Lookup {
            digest,
            file,
            log,
            log_key,
            witness_keys,
            quorum,
        } => {
            let asked = match (digest, file) {
                (_, Some(path)) => Asked::file(path)?,
                (Some(d), None) => Asked::head(&d)?,
                (None, None) => anyhow::bail!(tr!("cli-digest-hex")),
            };
            lookup(&asked, log, log_key, &witness_keys, quorum)
        }
        LogCmd::Serve(a) => serve_log(a),
    }
}

/// The PEM certificate in `path`, checked to be one.
pub(crate) fn pem_certificate(path: &std::path::Path) -> Result<String> {
    let pem =
        std::fs::read_to_string(path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    webproof_timestamp::ca::parse_cert(pem.as_bytes()).map_err(|e| {
        anyhow::anyhow!(tr!("cli-not-certificate", path = path.display(), error = e))
    })?;
    Ok(pem)
}

/// The verifier page (docs/verify-page.md) a log serves at `/verify`: the file `given`, else
/// WEBPROOF_VERIFY_PAGE's, else the first verify.html found where webproof is installed
/// (`../share/webproof/` beside the binary, `/usr/share/webproof/`) or built
/// (`target/verify-page/` beside `target/release/`). `None` when none is found and none was
/// named; an error when the file named is unreadable or not the verifier page.
pub(crate) fn verify_page(
    given: Option<&std::path::Path>,
) -> Result<Option<(std::path::PathBuf, Vec<u8>)>> {
    use std::path::PathBuf;
    let named = given
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("WEBPROOF_VERIFY_PAGE").map(PathBuf::from));
    let path = match named {
        Some(p) => p,
        None => {
            let exe_dir = std::env::current_exe()
                .ok()
                .and_then(|e| e.parent().map(PathBuf::from));
            let mut places: Vec<PathBuf> = exe_dir
                .iter()
                .flat_map(|d| {
                    [
                        d.join("verify.html"),
                        d.join("../share/webproof/verify.html"),
                        d.join("../verify-page/verify.html"),
                    ]
                })
                .collect();
            places.push(PathBuf::from("/usr/share/webproof/verify.html"));
            match places.into_iter().find(|p| p.is_file()) {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    let html = std::fs::read(&path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    // Only the page itself: the policy that forbids it every connection is in it.
    let text = String::from_utf8_lossy(&html[..html.len().min(4096)]);
    if !(text.contains("Content-Security-Policy") && text.contains("connect-src 'none'")) {
        bail!(tr!("cli-not-verify-page", path = path.display()));
    }
    Ok(Some((path, html)))
}

/// `log serve`: the log over HTTP, its checkpoints sent to the witnesses given.
fn serve_log(a: ServeArgs) -> Result<ExitCode> {
    use webproof_ledger::note::ALG_ED25519;
    let ServeArgs {
        origin,
        witnesses,
        quorum,
        interval_ms,
        listen,
        admin_keys,
        rate,
        store,
        tsa_roots,
        development,
        verify_page: page,
    } = a;
    let page = verify_page(page.as_deref())?;
    let tsa_roots = tsa_roots
        .iter()
        .map(|p| pem_certificate(p))
        .collect::<Result<Vec<_>>>()?;
    let (signer, dir) = signer("log", &origin, ALG_ED25519)?;
    let store = match store {
        Some(s) => Some(s),
        None => {
            crate::config::Config::load(&crate::config::home()?)?
                .log
                .store
        }
    };
    let peers = witness_peers(&witnesses)?;
    probe_witnesses(&peers)?;
    let admins = admin_keys
        .iter()
        .map(|p| crate::ra_cmd::read_public_key(p))
        .collect::<Result<Vec<_>>>()?;
    let controlled = !admins.is_empty();
    let access = webproof_log::server::Access { admins, rate };
    let svc = match store {
        None => webproof_log::server::LogService::open_with(&dir, signer, peers, quorum, access)?,
        Some(url) => {
            let store = open_store(&url)?;
            webproof_log::server::LogService::open_on(&dir, store, signer, peers, quorum, access)?
        }
    };
    svc.publish_in_bundle(development, tsa_roots);
    let page_line = match page {
        Some((path, html)) => {
            svc.publish_verify_page(html);
            Some(path)
        }
        None => None,
    };
    let vkey = svc.vkey();
    let app = svc.router();
    let every = std::time::Duration::from_millis(interval_ms.max(10));
    crate::serve::serve_http_with(
        &listen,
        app,
        move || {
            svc.spawn_checkpointer(every);
        },
        move |addr| {
            let access = if controlled {
                tr!("cli-log-controlled")
            } else {
                tr!("cli-log-open")
            };
            let page = match &page_line {
                Some(p) => tr!(
                    "cli-log-verify-page",
                    url = format!("http://{addr}{}", webproof_ledger::api::VERIFY_PAGE),
                    path = p.display()
                ),
                None => tr!("cli-log-no-verify-page"),
            };
            format!(
                "{}\n  {}\n  {access}\n  {page}\n  {}",
                tr!(
                    "cli-log-banner",
                    name = origin,
                    url = format!("http://{addr}/")
                ),
                tr!("cli-verifier-key", key = vkey),
                tr!(
                    "cli-log-trust-bundle",
                    url = format!("http://{addr}{}", webproof_ledger::api::TRUST_BUNDLE)
                )
            )
        },
    )
}

/// The store of `--store URL`: a PostgreSQL database (its schema created or migrated).
fn open_store(url: &str) -> Result<std::sync::Arc<dyn webproof_log::LogStore>> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        anyhow::bail!(tr!("cli-log-store-kind"));
    }
    let pg = webproof_log::pg::PgStore::connect(url, 8, Some(webproof_log::server::lookup_keys))
        .context(tr!("cli-log-store-open"))?;
    Ok(std::sync::Arc::new(pg))
}

/// The witnesses of `--witness URL=VKEY`.
fn witness_peers(witnesses: &[String]) -> Result<Vec<webproof_log::server::WitnessPeer>> {
    witnesses
        .iter()
        .map(|w| {
            let (url, vkey) = w
                .split_once('=')
                .with_context(|| tr!("cli-witness-arg", value = w))?;
            Ok(webproof_log::server::WitnessPeer {
                url: url.to_owned(),
                key: webproof_ledger::note::NoteKey::from_vkey(vkey)
                    .with_context(|| tr!("cli-not-vkey", what = "--witness", value = w))?,
            })
        })
        .collect()
}

/// Asks each witness's URL once before the log starts: a URL that answers 404 or 405 is not
/// a tlog-witness `add-checkpoint` endpoint (often the witness's base URL), and the log would
/// never publish a checkpoint — refused now, saying so; a witness that does not answer yet is
/// only warned about (the checkpointer keeps asking).
fn probe_witnesses(peers: &[webproof_log::server::WitnessPeer]) -> Result<()> {
    if peers.is_empty() {
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    rt.block_on(async {
        for p in peers {
            // An empty add-checkpoint request: a witness answers 400, anything else is wrong.
            match client.post(&p.url).body("").send().await {
                Ok(r) if matches!(r.status().as_u16(), 404 | 405) => {
                    anyhow::bail!(tr!(
                        "cli-witness-not-endpoint",
                        url = p.url,
                        status = r.status().as_u16()
                    ))
                }
                Ok(_) => {}
                Err(e) => eprintln!("{}", tr!("cli-witness-unreachable", url = p.url, error = e)),
            }
        }
        Ok(())
    })
}

/// What `log lookup` asks the log about.
enum Asked {
    /// A chain head, by its SHA-256 (hex).
    Head(String),
    /// A file, by its digests.
    File {
        path: std::path::PathBuf,
        digests: webproof_engine::lookup::FileDigests,
    },
}

impl Asked {
    fn head(digest: &str) -> Result<Asked> {
        let digest = digest.trim().to_ascii_lowercase();
        if digest.len() != 64 || hex::decode(&digest).is_err() {
            anyhow::bail!(tr!("cli-digest-hex"));
        }
        Ok(Asked::Head(digest))
    }

    fn file(path: std::path::PathBuf) -> Result<Asked> {
        let f = std::fs::File::open(&path)
            .with_context(|| tr!("ctx-reading", path = path.display()))?;
        let (d, _) = webproof_evidence::digest::digest_reader(f)
            .with_context(|| tr!("ctx-reading", path = path.display()))?;
        Ok(Asked::File {
            path,
            digests: webproof_engine::lookup::FileDigests {
                sha256: d.sha256.to_hex(),
                sm3: d.sm3.to_hex(),
            },
        })
    }

    /// What was asked, as the answer names it.
    fn named(&self) -> String {
        match self {
            Asked::Head(d) => d.clone(),
            Asked::File { path, digests } => tr!(
                "cli-lookup-file",
                path = path.display(),
                sha256 = digests.sha256,
                sm3 = digests.sm3
            ),
        }
    }
}

fn lookup(
    asked: &Asked,
    url: Option<String>,
    log_key: Option<String>,
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<ExitCode> {
    let cfg = crate::config::Config::load(&crate::config::home()?)?.log;
    let url = url.or(cfg.url).context(tr!("cli-no-log-url"))?;
    // A key given on the command line replaces the configured one.
    let trust = match &log_key {
        Some(k) => {
            let t = crate::depositing::log_trust(std::slice::from_ref(k), witness_keys, quorum)?;
            webproof_ledger::receipt::LogTrust {
                logs: vec![t.logs[0].clone()],
                ..t
            }
        }
        None => crate::depositing::log_trust(&[], witness_keys, quorum)?,
    };
    let client = webproof_net::LogClient::new(&url, std::time::Duration::from_secs(10))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let found = rt
        .block_on(async {
            match asked {
                Asked::Head(d) => webproof_engine::lookup::lookup(&client, d, &trust).await,
                Asked::File { digests, .. } => {
                    webproof_engine::lookup::lookup_file(&client, digests, &trust).await
                }
            }
        })
        .map_err(lookup_error)?;
    Ok(say_found(&found, asked, &url))
}

/// A lookup that could not be made, with the words the user reads.
fn lookup_error(e: webproof_engine::lookup::LookupError) -> anyhow::Error {
    use webproof_engine::lookup::LookupError as E;
    match e {
        E::NoLogKey => anyhow::anyhow!(tr!("cli-no-log-vkey")),
        E::Net(e) => e.into(),
        E::NoCheckpoint => anyhow::anyhow!(tr!("cli-no-checkpoint")),
        E::NoEntry { .. } => anyhow::anyhow!(tr!("cli-entry-not-served")),
        E::NoInclusion { .. } => anyhow::anyhow!(tr!("cli-no-inclusion")),
        E::Entry { index, source } => {
            anyhow::Error::new(source).context(tr!("cli-deposit-at", index = index))
        }
    }
}

/// What the log answered, said; exit 0 only when the deposit is proven.
fn say_found(found: &webproof_engine::lookup::Found, asked: &Asked, url: &str) -> ExitCode {
    use webproof_engine::lookup::Found;
    let digest = asked.named();
    let said = match found {
        Found::NotDeposited => tr!("cli-not-deposited", digest = digest, url = url),
        Found::Unwitnessed { index, size } => {
            tr!("cli-deposited-unwitnessed", index = index, size = size)
        }
        Found::OtherHead { index } => tr!("cli-entry-other-head", index = index),
        Found::OtherFile { index } => tr!("cli-entry-other-file", index = index),
        Found::Refuted { error, .. } => tr!("cli-failed", error = error),
        Found::Proven {
            index,
            size,
            deposit,
            cosigners,
        } => {
            println!("{}", tr!("cli-proven", digest = digest));
            println!(
                "  {}",
                tr!(
                    "cli-proven-where",
                    index = index,
                    size = size,
                    package = deposit.package,
                    operator = deposit.operator
                )
            );
            println!(
                "  {}",
                tr!("cli-proven-claimed", time = deposit.claimed_time)
            );
            if let Asked::File { digests, .. } = asked {
                // Each step that recorded the file (a capture may record the same bytes twice).
                for f in deposit
                    .files
                    .iter()
                    .filter(|f| f.sha256 == digests.sha256 && f.sm3 == digests.sm3)
                {
                    println!(
                        "  {}",
                        tr!(
                            "cli-proven-file-step",
                            seq = f.seq,
                            package = deposit.package,
                            head = deposit.sha256
                        )
                    );
                }
            }
            for (name, t) in cosigners {
                let when = webproof_evidence::utc::Utc::from_unix(*t).map_or_else(
                    || format!("Unix time {t}"),
                    |u| u.to_string().replace(".000000Z", "Z"),
                );
                println!("  {}", tr!("cli-cosigned-by", name = name, time = when));
            }
            return ExitCode::SUCCESS;
        }
    };
    println!("{said}");
    ExitCode::from(1)
}
