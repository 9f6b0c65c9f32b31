//! `webproof dev up`: a local alliance in one process — two development TSAs, the evidence log
//! and three witnesses (a court, a notary office and a CA) on loopback — written into
//! WEBPROOF_HOME/config.toml so that `seal`, `capture` and `verify` use them with no flags.
//! For trying webproof and for tests; real deployments configure real TSAs, logs and
//! witnesses instead. Keys and the log's history persist under WEBPROOF_HOME across restarts.

use crate::config::{toml_list, toml_str, trust_section};
use crate::say::tr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use webproof_ledger::api;

use anyhow::{Context, Result, bail};
use webproof_ledger::note::{ALG_COSIGNATURE_V1, ALG_ED25519};

use webproof_engine::home::DEV_MARK;

pub const DEV_LOG: &str = "log.webproof.dev/evidence";
/// The passphrase of the development RA's admin and registrar keys: they guard nothing.
const DEV_RA_PASS: &str = "webproof development RA - not secret";
pub const DEV_WITNESSES: [&str; 3] = [
    "witness.court.webproof.dev",
    "witness.notary.webproof.dev",
    "witness.ca.webproof.dev",
];

#[derive(clap::Subcommand)]
pub enum DevCmd {
    /// Start two development TSAs, an evidence log and three witnesses on loopback (until
    /// Ctrl-C), and write their addresses and keys into WEBPROOF_HOME/config.toml. NOT a
    /// trusted alliance: every key is generated on this machine.
    Up {
        /// The address to listen on (each service takes a free port).
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// How often the log publishes a new checkpoint, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
        /// Replace a config.toml that `dev up` did not write.
        #[arg(long)]
        force: bool,
        /// Also stop when standard input closes: the lifeline of a program that started it
        /// (the desktop app), so that the alliance ends with it even if it is killed.
        #[arg(long)]
        until_stdin_closes: bool,
    },
    /// As the development registrar of the alliance `dev up` runs from this WEBPROOF_HOME,
    /// issue an enrollment code for another person — a notary, or another operator — who
    /// enrolls from their own home with `webproof operator enroll --role … --code CODE`.
    Code {
        /// The person's full name.
        #[arg(long)]
        name: String,
        /// Their organisation (e.g. the notary office).
        #[arg(long)]
        org: Option<String>,
        /// What the certificate certifies them as.
        #[arg(long, value_enum, default_value = "operator")]
        role: crate::identity_cmd::RoleArg,
        /// Bind the code to their key (`webproof operator show --role … --fingerprint`).
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

/// `dev code`: an enrollment code signed by the development registrar of this home's alliance.
fn dev_code(
    name: &str,
    org: Option<&str>,
    role: webproof_evidence::identity::Role,
    fingerprint: Option<&str>,
) -> Result<ExitCode> {
    let home = crate::config::home()?;
    let url = crate::ra_cmd::log_url(None)?;
    let registrar = dev_key(&home.join("dev/ra/registrar.pem"))?;
    let who = crate::ra_cmd::CodeFor {
        name,
        org,
        tenant: "dev",
        fingerprint,
        role,
    };
    let v: webproof_log::ra::CodeIssued = crate::ra_cmd::signed_post_to(
        &url,
        Some(DEV_LOG),
        api::RA_CODES,
        &who.request(None),
        &registrar,
    )?;
    println!(
        "{}",
        tr!("cli-ra-code", name = name, tenant = "dev", code = v.code)
    );
    Ok(ExitCode::SUCCESS)
}

async fn listen(host: &str) -> Result<(tokio::net::TcpListener, String)> {
    let l = tokio::net::TcpListener::bind((host, 0))
        .await
        .with_context(|| tr!("ctx-listening", addr = host))?;
    let url = format!("http://{}/", l.local_addr()?);
    Ok((l, url))
}

fn spawn(l: tokio::net::TcpListener, app: axum::Router) {
    tokio::spawn(async move {
        let _ = webproof_log::serve::serve(l, app, webproof_log::serve::Limits::default()).await;
    });
}

pub fn dev(cmd: DevCmd) -> Result<ExitCode> {
    let (host, interval_ms, force, lifeline) = match cmd {
        DevCmd::Up {
            host,
            interval_ms,
            force,
            until_stdin_closes,
        } => (host, interval_ms, force, until_stdin_closes),
        DevCmd::Code {
            name,
            org,
            role,
            fingerprint,
        } => return dev_code(&name, org.as_deref(), role.into(), fingerprint.as_deref()),
    };
    let home = crate::config::home()?;
    std::fs::create_dir_all(&home).with_context(|| tr!("ctx-creating", path = home.display()))?;
    let cfg_path = home.join("config.toml");
    let old = std::fs::read_to_string(&cfg_path).ok();
    if let Some(old) = &old
        && !old.starts_with(DEV_MARK)
        && !force
    {
        bail!(tr!("cli-dev-own-config", path = cfg_path.display()));
    }
    // The keys the user trusts (`[trust]`, e.g. a notary's, added in the app's editor) are
    // theirs, not the alliance's: they stay across restarts.
    let kept_trust = crate::config::kept_trust(old.as_deref());

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let up = start(&host, &home, interval_ms).await?;
        let config = up.config(&kept_trust);
        // The file must parse as the configuration it is meant to be.
        toml::from_str::<crate::config::Config>(&config).context(tr!("ctx-config-written"))?;
        crate::config::write(&home, &config)?;
        up.say(&cfg_path);
        if lifeline {
            tokio::select! {
                _ = wait_for_signal() => {}
                _ = stdin_closed() => {}
            }
        } else {
            wait_for_signal().await;
        }
        println!("{}", tr!("cli-dev-stopped", path = cfg_path.display()));
        Ok(ExitCode::SUCCESS)
    })
}

/// A development alliance serving on loopback.
struct Up {
    /// What started, for people.
    lines: Vec<String>,
    tsa_urls: Vec<String>,
    /// The TSAs' roots (PEM files).
    roots: Vec<String>,
    log_url: String,
    log_vkey: String,
    witness_vkeys: Vec<String>,
    quorum: usize,
    /// The operator CA's certificate (PEM file).
    operator_ca: String,
}

/// Starts two TSAs, the witnesses, the log with its registration authority, and enrolls
/// this WEBPROOF_HOME's operator.
async fn start(host: &str, home: &Path, interval_ms: u64) -> Result<Up> {
    let mut lines = Vec::new();
    let (tsa_urls, roots) = start_tsas(host, home, &mut lines).await?;
    // The log's key first: the witnesses watch it.
    let (log_signer, log_dir) = crate::log_cmd::signer("log", DEV_LOG, ALG_ED25519)?;
    let log_vkey = log_signer.key.vkey();
    let (peers, witness_vkeys) = start_witnesses(host, &log_signer, &mut lines).await?;
    let quorum = peers.len();
    // The registration authority: a development admin and registrar (keys under
    // WEBPROOF_HOME/dev/ra); only enrolled operators deposit.
    let ra_dir = home.join("dev/ra");
    let admin = dev_key(&ra_dir.join("admin.pem"))?;
    let registrar = dev_key(&ra_dir.join("registrar.pem"))?;
    let log = webproof_log::server::LogService::open_with(
        &log_dir,
        log_signer,
        peers,
        quorum,
        webproof_log::server::Access {
            admins: vec![admin.public_key()],
            rate: 1000,
        },
    )?;
    // The alliance's trust bundle: served by the log, and kept beside the config it wrote.
    let pems = roots
        .iter()
        .map(|p| crate::log_cmd::pem_certificate(Path::new(p)))
        .collect::<Result<Vec<_>>>()?;
    log.publish_in_bundle(true, pems);
    let page = crate::log_cmd::verify_page(None)?.map(|(path, html)| {
        log.publish_verify_page(html);
        path
    });
    let bundle_path = home.join("dev/trust-bundle.json");
    std::fs::create_dir_all(home.join("dev"))
        .with_context(|| tr!("ctx-writing", path = bundle_path.display()))?;
    let bundle = serde_json::to_string_pretty(&log.trust_bundle())? + "\n";
    // Written anew on every start (the roots and keys are those of this run).
    std::fs::write(&bundle_path, bundle.as_bytes())
        .with_context(|| tr!("ctx-writing", path = bundle_path.display()))?;
    let (l, log_url) = listen(host).await?;
    spawn(l, log.router());
    log.spawn_checkpointer(Duration::from_millis(interval_ms.max(10)));
    lines.push(tr!(
        "cli-dev-log",
        name = DEV_LOG,
        url = log_url,
        quorum = quorum
    ));
    let base = log_url.trim_end_matches('/');
    lines.push(match page {
        Some(path) => tr!(
            "cli-log-verify-page",
            url = format!("{base}{}", webproof_ledger::api::VERIFY_PAGE),
            path = path.display()
        ),
        None => tr!("cli-log-no-verify-page"),
    });
    let (url, h, ca) = (
        log_url.clone(),
        home.to_owned(),
        log_dir.join("operator-ca.pem"),
    );
    let enrolled =
        tokio::task::spawn_blocking(move || enroll_home(&url, &h, &ca, &admin, &registrar))
            .await
            .context(tr!("ctx-enrolling"))??;
    lines.push(enrolled);
    lines.push(tr!("cli-dev-bundle", path = bundle_path.display()));
    let operator_ca = std::fs::canonicalize(log_dir.join("operator-ca.pem"))
        .unwrap_or_else(|_| log_dir.join("operator-ca.pem"))
        .display()
        .to_string();
    Ok(Up {
        lines,
        tsa_urls,
        roots,
        log_url,
        log_vkey,
        witness_vkeys,
        quorum,
        operator_ca,
    })
}

/// Two development TSAs, each with its own CA: their URLs and root certificates.
async fn start_tsas(
    host: &str,
    home: &Path,
    lines: &mut Vec<String>,
) -> Result<(Vec<String>, Vec<String>)> {
    let mut tsa_urls = Vec::new();
    let mut roots = Vec::new();
    for n in 1..=2 {
        let (app, root) = crate::timestamp_cmd::dev_tsa_app(&home.join(format!("dev/tsa{n}")))?;
        let (l, url) = listen(host).await?;
        spawn(l, app);
        lines.push(tr!("cli-dev-tsa", n = n, url = url));
        tsa_urls.push(url);
        roots.push(
            std::fs::canonicalize(&root)
                .unwrap_or(root)
                .display()
                .to_string(),
        );
    }
    Ok((tsa_urls, roots))
}

/// The development witnesses, each watching the log `log_signer` signs for: how the log
/// reaches them, and their keys.
async fn start_witnesses(
    host: &str,
    log_signer: &webproof_ledger::note::NoteSigner,
    lines: &mut Vec<String>,
) -> Result<(Vec<webproof_log::server::WitnessPeer>, Vec<String>)> {
    let mut peers = Vec::new();
    let mut vkeys = Vec::new();
    for name in DEV_WITNESSES {
        let (signer, dir) = crate::log_cmd::signer("witness", name, ALG_COSIGNATURE_V1)?;
        let svc = Arc::new(webproof_log::witness_http::WitnessService::open(
            &dir,
            signer,
            vec![log_signer.key.clone()],
        )?);
        let vkey = svc.vkey();
        let (l, url) = listen(host).await?;
        spawn(l, webproof_log::witness_http::router(svc));
        let endpoint = format!("{url}add-checkpoint");
        lines.push(tr!("cli-dev-witness", name = name, url = endpoint));
        peers.push(webproof_log::server::WitnessPeer {
            url: endpoint,
            key: webproof_ledger::note::NoteKey::from_vkey(&vkey)?,
        });
        vkeys.push(vkey);
    }
    Ok((peers, vkeys))
}

impl Up {
    /// config.toml for this alliance, keeping the user's `[trust]`.
    fn config(&self, kept_trust: &crate::config::TrustConfig) -> String {
        format!(
            "{DEV_MARK} (a local development alliance: NOT trusted time, NOT independent witnesses).\n\
             # Rewritten at every `dev up` (keeping [trust]); replace it to use real TSAs, logs and witnesses.\n\
             \n[timestamp]\ntsa = {}\nquorum = 2\ntrust = {}\n\
             \n[log]\nurl = {}\nkey = {}\nwitnesses = {}\nquorum = {}\noperator_ca = {}\n{}",
            toml_list(&self.tsa_urls),
            toml_list(&self.roots),
            toml_str(&self.log_url),
            toml_str(&self.log_vkey),
            toml_list(&self.witness_vkeys),
            self.quorum,
            toml_list(std::slice::from_ref(&self.operator_ca)),
            trust_section(kept_trust),
        )
    }

    /// What runs where, the keys, and `ready` (a marker for scripts, the same in every
    /// language).
    fn say(&self, cfg_path: &Path) {
        println!("{}", tr!("cli-dev-title"));
        for l in &self.lines {
            println!("  {l}");
        }
        println!("  {}", tr!("cli-dev-log-key", key = self.log_vkey));
        for v in &self.witness_vkeys {
            println!("  {}", tr!("cli-dev-witness-key", key = v));
        }
        println!("{}", tr!("cli-dev-config", path = cfg_path.display()));
        println!("ready");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
    }
}

/// A development RA key, created on first use.
fn dev_key(path: &Path) -> Result<webproof_evidence::identity::SecretKey> {
    use webproof_evidence::identity::{Algorithm, SecretKey};
    if let Ok(pem) = std::fs::read_to_string(path) {
        return SecretKey::from_encrypted_pem(&pem, DEV_RA_PASS.as_bytes())
            .with_context(|| tr!("ctx-reading", path = path.display()));
    }
    let k = SecretKey::generate(Algorithm::Ed25519)?;
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    crate::identity_cmd::write_private(
        path,
        k.to_encrypted_pem(DEV_RA_PASS.as_bytes(), 10_000)?
            .as_bytes(),
    )?;
    Ok(k)
}

/// Makes the development registrar a registrar, and enrolls this home's operator (when it has
/// one, is not enrolled yet and WEBPROOF_PASSPHRASE unlocks its key) as the registrar would
/// after checking their identity. Says what it did.
fn enroll_home(
    url: &str,
    home: &Path,
    ca_path: &Path,
    admin: &webproof_evidence::identity::SecretKey,
    registrar: &webproof_evidence::identity::SecretKey,
) -> Result<String> {
    use webproof_evidence::identity::Role;
    add_registrar(url, admin, registrar)?;
    let id_path = home.join("operator/identity.json");
    let Ok(doc) = std::fs::read_to_string(&id_path) else {
        return Ok(tr!("cli-dev-no-identity"));
    };
    let doc: webproof_evidence::identity::IdentityDoc = serde_json::from_str(&doc)?;
    let cert_file = crate::identity_cmd::certificate_file(home, Role::Operator);
    if let Ok(pem) = std::fs::read(&cert_file) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        if !certified_here(&pem, ca_path, &doc, now)? {
            let aside = cert_file.with_extension(format!("pem.replaced-{now}"));
            std::fs::rename(&cert_file, &aside)
                .with_context(|| tr!("ctx-moving-aside", path = cert_file.display()))?;
            return enroll_home(url, home, ca_path, admin, registrar);
        }
        return Ok(tr!(
            "cli-dev-enrolled-already",
            name = doc.name,
            fingerprint = doc.fingerprint
        ));
    }
    let issued: webproof_log::ra::CodeIssued = crate::ra_cmd::signed_post_to(
        url,
        Some(DEV_LOG),
        api::RA_CODES,
        &crate::ra_cmd::CodeFor {
            name: &doc.name,
            org: doc.organisation.as_deref(),
            tenant: "dev",
            fingerprint: Some(&doc.fingerprint.to_hex()),
            role: Role::Operator,
        }
        .request(doc.id_ref.as_deref()),
        registrar,
    )?;
    let code = issued.code;
    if std::env::var_os("WEBPROOF_PASSPHRASE").is_none() {
        return Ok(tr!("cli-dev-code", name = doc.name, code = code));
    }
    let (key, _) = crate::identity_cmd::load_key(home, Role::Operator, "WEBPROOF_PASSPHRASE")?;
    let v: webproof_log::ra::EnrollAnswer = crate::ra_cmd::signed_post_to(
        url,
        Some(DEV_LOG),
        api::RA_ENROLL,
        &crate::ra_cmd::enroll_request(&code, &doc, Role::Operator),
        &key,
    )?;
    crate::ra_cmd::save_enrollment(home, Role::Operator, &v.enrolled)?;
    Ok(tr!(
        "cli-dev-enrolled",
        name = doc.name,
        fingerprint = doc.fingerprint
    ))
}

/// Makes the development registrar a registrar of the log at `url` (already being one, or
/// this very request having been made by the `dev up` a moment ago, is no error: the log
/// remembers both across its restart).
fn add_registrar(
    url: &str,
    admin: &webproof_evidence::identity::SecretKey,
    registrar: &webproof_evidence::identity::SecretKey,
) -> Result<()> {
    let reg = webproof_log::ra::RegistrarRequest {
        name: "webproof development registrar".into(),
        public_key: registrar.public_key().to_pem()?,
    };
    let added: Result<webproof_log::ra::RegistrarAdded> =
        crate::ra_cmd::signed_post_to(url, Some(DEV_LOG), api::RA_REGISTRARS, &reg, admin);
    match added {
        Err(e)
            if !["already a registrar", "a replayed request"]
                .iter()
                .any(|m| format!("{e:#}").contains(m)) =>
        {
            Err(e.context(tr!("ctx-dev-registrar")))
        }
        _ => Ok(()),
    }
}

/// Whether the certificate `pem` certifies `doc`'s key at `now` for this log's operator CA
/// (`ca_path`; its directory may be new, and then an older certificate is no longer valid).
fn certified_here(
    pem: &[u8],
    ca_path: &Path,
    doc: &webproof_evidence::identity::IdentityDoc,
    now: i64,
) -> Result<bool> {
    let ca = std::fs::read(ca_path)
        .ok()
        .and_then(|b| webproof_timestamp::ca::parse_cert(&b).ok());
    let spki = webproof_evidence::identity::PublicKey::from_pem(&doc.public_key)?.spki_der()?;
    Ok(ca.is_some_and(|ca| {
        webproof_timestamp::ca::parse_cert(pem)
            .and_then(|c| webproof_timestamp::ca::check_certified(&c, &ca, &spki, now))
            .is_ok()
    }))
}

/// Returns when standard input reaches its end (or cannot be read).
async fn stdin_closed() {
    let _ = tokio::task::spawn_blocking(|| {
        use std::io::Read as _;
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
    })
    .await;
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
