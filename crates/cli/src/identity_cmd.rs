//! `operator init|show|enroll`: the operator's (or notary's) identity in the home directory
//! — key, passphrase, identity document, certificate — and the signers of a seal.

use crate::config::home;
use crate::say::{self, tr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use webproof_evidence::Utc;
use webproof_evidence::identity::{self, Algorithm, IdentityDoc, PBKDF2_ROUNDS, Role, SecretKey};

/// `operator …`.
pub(crate) fn operator(cmd: OperatorCmd) -> Result<ExitCode> {
    match cmd {
        OperatorCmd::Init(a) => operator_init(a),
        OperatorCmd::Enroll { code, log, role } => crate::ra_cmd::enroll(log, &code, role.into()),
        OperatorCmd::Show {
            role,
            fingerprint,
            json,
        } => {
            let doc = load_identity(&home()?, role.into())?;
            if fingerprint {
                println!("{}", doc.fingerprint);
            } else if json {
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                print_identity(&doc);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum OperatorCmd {
    /// Create a key pair (encrypted with WEBPROOF_PASSPHRASE) and identity document.
    Init(InitArgs),
    /// Show the identity and its key fingerprint.
    Show {
        /// Whose identity: the operator's, or a notary's.
        #[arg(long, value_enum, default_value = "operator")]
        role: RoleArg,
        /// Print only the fingerprint.
        #[arg(long)]
        fingerprint: bool,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Enroll this operator's key in an evidence log with the one-time code a registrar gave
    /// you after checking your identity; the log's operator CA certifies the key, and sealed
    /// packages carry the certificate.
    Enroll {
        /// The enrollment code.
        #[arg(long)]
        code: String,
        /// The log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
        /// Whose key enrolls: the operator's, or (in a notary's own home, with a notary's
        /// code) the notary's. The key never leaves this machine, only its public half.
        #[arg(long, value_enum, default_value = "operator")]
        role: RoleArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum RoleArg {
    Operator,
    Notary,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Operator => Role::Operator,
            RoleArg::Notary => Role::Notary,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum AlgArg {
    Ed25519,
    Sm2,
}

#[derive(Args)]
pub(crate) struct InitArgs {
    /// Real name of the person.
    #[arg(long)]
    name: String,
    /// Organisation (agency, notary office, company).
    #[arg(long)]
    org: Option<String>,
    /// Contact (e-mail or phone).
    #[arg(long)]
    contact: Option<String>,
    /// ID document number; only a salted SHA-256 of it is published (the salt stays in
    /// WEBPROOF_HOME so you can prove the link to a court).
    #[arg(long)]
    id_number: Option<String>,
    /// Signature algorithm of the new key.
    #[arg(long, value_enum, default_value = "ed25519")]
    algorithm: AlgArg,
    /// Whose identity: the operator's, or a notary's.
    #[arg(long, value_enum, default_value = "operator")]
    role: RoleArg,
    /// Replace an existing identity (the old files are kept with a .replaced-<time> suffix).
    #[arg(long)]
    force: bool,
}

pub(crate) fn passphrase(var: &str, prompt: &str) -> Result<String> {
    // `VAR_FILE`: a file only this user may read (a watch's timer, a service).
    if let Some(path) = std::env::var_os(format!("{var}_FILE")) {
        let path = std::path::PathBuf::from(path);
        let f = std::fs::File::open(&path)
            .with_context(|| tr!("ctx-reading", path = path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            let mode = f
                .metadata()
                .with_context(|| tr!("ctx-reading", path = path.display()))?
                .mode();
            if mode & 0o077 != 0 {
                bail!(tr!("cli-passphrase-file-open", path = path.display()));
            }
        }
        let mut p = String::new();
        std::io::Read::read_to_string(&mut &f, &mut p)
            .with_context(|| tr!("ctx-reading", path = path.display()))?;
        let p = p.trim_end_matches(['\n', '\r']).to_owned();
        if p.is_empty() {
            bail!(tr!("cli-var-empty", var = format!("{var}_FILE")));
        }
        return Ok(p);
    }
    if let Ok(p) = std::env::var(var) {
        if p.is_empty() {
            bail!(tr!("cli-var-empty", var = var));
        }
        return Ok(p);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return rpassword::prompt_password(prompt).context(tr!("ctx-passphrase"));
    }
    bail!(tr!("cli-no-passphrase", var = var))
}

/// The operator's passphrase (WEBPROOF_PASSPHRASE, its `_FILE`, or asked), checked by
/// unlocking the key with it: for captures run as children of a batch or a watch.
pub(crate) fn operator_passphrase(home: &std::path::Path) -> Result<(String, SecretKey)> {
    let role = webproof_evidence::identity::Role::Operator;
    let pass = passphrase(
        "WEBPROOF_PASSPHRASE",
        &format!(
            "{} ",
            tr!("cli-passphrase-prompt", role = crate::say::role(role))
        ),
    )?;
    let (key, _) = load_key_with(home, role, &pass)?;
    Ok((pass, key))
}

/// The shortest passphrase a new key may have (the desktop app's minimum too).
pub(crate) const MIN_PASSPHRASE: usize = 8;

/// The passphrase for a new key: from `var`, else asked twice on the terminal; at least
/// [`MIN_PASSPHRASE`] characters either way.
pub(crate) fn new_passphrase(var: &str) -> Result<String> {
    let pass = match std::env::var(var) {
        Ok(p) => p,
        Err(_) if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            let first =
                rpassword::prompt_password(format!("{} ", tr!("cli-prompt-new-passphrase")))
                    .context(tr!("ctx-passphrase"))?;
            if first.chars().count() >= MIN_PASSPHRASE {
                let again =
                    rpassword::prompt_password(format!("{} ", tr!("cli-prompt-repeat-passphrase")))
                        .context(tr!("ctx-passphrase"))?;
                if again != first {
                    bail!(tr!("cli-passphrases-differ"));
                }
            }
            first
        }
        Err(_) => bail!(tr!("cli-no-passphrase", var = var)),
    };
    if pass.chars().count() < MIN_PASSPHRASE {
        bail!(tr!("cli-passphrase-short", min = MIN_PASSPHRASE));
    }
    Ok(pass)
}

pub(crate) fn role_dir(home: &Path, role: Role) -> PathBuf {
    home.join(role.as_str())
}

pub(crate) fn operator_init(a: InitArgs) -> Result<ExitCode> {
    let home = home()?;
    let role: Role = a.role.into();
    let dir = role_dir(&home, role);
    if dir.join("key.pem").exists() {
        move_aside(&home, role, a.force)?;
    }
    let alg = match a.algorithm {
        AlgArg::Ed25519 => Algorithm::Ed25519,
        AlgArg::Sm2 => Algorithm::Sm2,
    };
    let pass = new_passphrase("WEBPROOF_PASSPHRASE")?;
    let key = SecretKey::generate(alg)?;
    let pk = key.public_key();
    let id_ref = match &a.id_number {
        Some(id) => {
            let salt = identity::new_salt()?;
            write_private(&dir.join("id-salt.hex"), hex::encode(salt).as_bytes())?;
            Some(identity::id_reference(&salt, id))
        }
        None => None,
    };
    let doc = IdentityDoc {
        v: 1,
        role,
        name: a.name,
        organisation: a.org,
        contact: a.contact,
        id_ref,
        algorithm: alg,
        public_key: pk.to_pem()?,
        fingerprint: pk.fingerprint()?,
        created: Utc::now(),
    };
    let pem = key.to_encrypted_pem(pass.as_bytes(), PBKDF2_ROUNDS)?;
    write_private(&dir.join("key.pem"), pem.as_bytes())?;
    write_private(
        &dir.join("identity.json"),
        serde_json::to_string_pretty(&doc)?.as_bytes(),
    )?;
    println!(
        "{}",
        tr!(
            "cli-identity-created",
            role = say::role(role),
            path = dir.display()
        )
    );
    print_identity(&doc);
    Ok(ExitCode::SUCCESS)
}

/// A role's existing identity, moved aside for a new one (`--force`), else refused.
fn move_aside(home: &Path, role: Role, force: bool) -> Result<()> {
    let dir = role_dir(home, role);
    if !force {
        bail!(tr!(
            "cli-identity-exists",
            role = say::role(role),
            path = dir.display()
        ));
    }
    let stamp = Utc::now().to_string().replace(':', "");
    let old = home.join(format!("{}.replaced-{stamp}", role.as_str()));
    std::fs::rename(&dir, &old).with_context(|| tr!("ctx-moving-aside", path = dir.display()))?;
    Ok(())
}

pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).with_context(|| tr!("ctx-creating", path = p.display()))?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    // Readable by its owner only (on Windows, the user's profile directory's ACL).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(path)
        .with_context(|| tr!("ctx-creating", path = path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| tr!("ctx-writing", path = path.display()))?;
    Ok(())
}

pub(crate) fn print_identity(doc: &IdentityDoc) {
    let role = say::role(doc.role);
    let fingerprint = doc.fingerprint.to_string();
    let mut rows: Vec<(String, &str)> = vec![
        (tr!("cli-field-role"), &role),
        (tr!("cli-field-name"), &doc.name),
    ];
    if let Some(o) = &doc.organisation {
        rows.push((tr!("cli-field-organisation"), o));
    }
    if let Some(c) = &doc.contact {
        rows.push((tr!("cli-field-contact"), c));
    }
    if let Some(r) = &doc.id_ref {
        rows.push((tr!("cli-field-id-ref"), r));
    }
    rows.push((tr!("cli-field-algorithm"), doc.algorithm.as_str()));
    rows.push((tr!("cli-field-fingerprint"), &fingerprint));
    for (label, value) in rows {
        println!("  {}{value}", say::label(&label, 14));
    }
}

pub(crate) fn load_identity(home: &Path, role: Role) -> Result<IdentityDoc> {
    let p = role_dir(home, role).join("identity.json");
    let bytes = std::fs::read(&p).with_context(|| {
        // The other role's identity may be what this home holds (a notary's home).
        let other = match role {
            Role::Operator => Role::Notary,
            Role::Notary => Role::Operator,
        };
        let hint = if role_dir(home, other).join("identity.json").exists() {
            tr!(
                "cli-hint-other-role",
                other = say::role(other),
                flag = other.as_str()
            )
        } else {
            match role {
                Role::Operator => tr!("cli-hint-init-operator"),
                Role::Notary => tr!("cli-hint-init-notary"),
            }
        };
        tr!(
            "cli-no-identity",
            role = say::role(role),
            path = p.display(),
            hint = hint
        )
    })?;
    serde_json::from_slice(&bytes).with_context(|| tr!("ctx-reading", path = p.display()))
}

pub(crate) fn load_key(
    home: &Path,
    role: Role,
    pass_var: &str,
) -> Result<(SecretKey, IdentityDoc)> {
    let pass = passphrase(
        pass_var,
        &format!("{} ", tr!("cli-passphrase-prompt", role = say::role(role))),
    )?;
    load_key_with(home, role, &pass)
}

/// The key of `role` in `home`, unlocked with `pass`, and its identity document.
pub(crate) fn load_key_with(
    home: &Path,
    role: Role,
    pass: &str,
) -> Result<(SecretKey, IdentityDoc)> {
    let doc = load_identity(home, role)?;
    let p = role_dir(home, role).join("key.pem");
    let pem =
        std::fs::read_to_string(&p).with_context(|| tr!("ctx-reading", path = p.display()))?;
    let key = SecretKey::from_encrypted_pem(&pem, pass.as_bytes())
        .with_context(|| tr!("ctx-opening", path = p.display()))?;
    if key.public_key().fingerprint()? != doc.fingerprint {
        bail!(tr!(
            "cli-key-not-identity",
            key = p.display(),
            path = role_dir(home, role).display()
        ));
    }
    Ok((key, doc))
}

pub(crate) struct Signers {
    pub(crate) operator: (SecretKey, IdentityDoc),
    pub(crate) notary: Option<(SecretKey, IdentityDoc)>,
    /// The operator's certificate from an evidence log's operator CA (`operator enroll`).
    pub(crate) operator_cert: Option<String>,
    /// The notary's certificate (`operator enroll --role notary` in the notary's home).
    pub(crate) notary_cert: Option<String>,
}

/// Where `operator enroll` keeps the certificate of `role`'s key (and its CA's beside it).
pub(crate) fn certificate_file(home: &Path, role: Role) -> PathBuf {
    role_dir(home, role).join("certificate.pem")
}

/// The certificate enrolled for `key` in `home` under `role`, if there is one for this very
/// key (a certificate for another key — an identity replaced since — is not used).
pub(crate) fn enrolled_certificate(home: &Path, role: Role, key: &SecretKey) -> Option<String> {
    let spki = key.public_key().spki_der().ok()?;
    std::fs::read_to_string(certificate_file(home, role))
        .ok()
        .filter(|pem| {
            webproof_timestamp::ca::parse_cert(pem.as_bytes()).is_ok_and(|c| {
                use der::Encode;
                c.tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .is_ok_and(|k| k == spki)
            })
        })
}

pub(crate) fn load_signers(notary_home: Option<&Path>) -> Result<Signers> {
    let operator = load_key(&home()?, Role::Operator, "WEBPROOF_PASSPHRASE")?;
    let (notary, notary_cert) = match notary_home {
        Some(h) => {
            let n = load_key(h, Role::Notary, "WEBPROOF_NOTARY_PASSPHRASE")?;
            let cert = enrolled_certificate(h, Role::Notary, &n.0);
            (Some(n), cert)
        }
        None => (None, None),
    };
    let operator_cert = enrolled_certificate(&home()?, Role::Operator, &operator.0);
    Ok(Signers {
        operator,
        notary,
        operator_cert,
        notary_cert,
    })
}
