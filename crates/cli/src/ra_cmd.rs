//! `webproof ra …` (the evidence log's registration authority, as its admins and registrars
//! use it) and `webproof operator enroll`. Every request is signed with the identity key of
//! this WEBPROOF_HOME (passphrase from WEBPROOF_PASSPHRASE).

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use webproof_ledger::api;

use anyhow::{Context, Result, bail};
use webproof_evidence::identity::{PublicKey, Role, SecretKey};
use webproof_log::ra::{
    Claimed, CodeIssued, CodeRequest, EnrollAnswer, EnrollRequest, Enrolled, RegistrarAdded,
    RegistrarRequest, RevokeRequest, Revoked,
};

#[derive(clap::Subcommand)]
pub enum RaCmd {
    /// (Admin) Make the holder of a key a registrar, who may issue enrollment codes.
    RegistrarAdd {
        /// The evidence log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
        /// The registrar's name (e.g. the notary office).
        #[arg(long)]
        name: String,
        /// The registrar's public key: a PEM file, or their identity.json.
        #[arg(long)]
        key: PathBuf,
    },
    /// (Registrar) After checking a person's identity in person, issue a one-time enrollment
    /// code for them. Give the code to the person; they run `webproof operator enroll`.
    Code {
        /// The evidence log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
        /// Full name as on the identity document checked.
        #[arg(long)]
        name: String,
        /// Organisation as on the documents checked.
        #[arg(long)]
        org: Option<String>,
        /// The tenant (e.g. the agency) the person deposits for.
        #[arg(long)]
        tenant: String,
        /// The ID number checked, with `--id-salt` (from the person's
        /// WEBPROOF_HOME/operator/id-salt.hex): only the salted digest leaves this machine.
        #[arg(long, requires = "id_salt")]
        id_number: Option<String>,
        /// The person's ID salt (hex, from their WEBPROOF_HOME/operator/id-salt.hex).
        #[arg(long, value_name = "HEX")]
        id_salt: Option<String>,
        /// Bind the code to the person's key (their `webproof operator show --fingerprint`).
        #[arg(long)]
        fingerprint: Option<String>,
        /// What the certificate certifies the person as: an operator, or a notary (who
        /// enrolls with `webproof operator enroll --role notary` in their own home).
        #[arg(long, value_enum, default_value = "operator")]
        role: crate::identity_cmd::RoleArg,
    },
    /// (Admin, or the registrar who enrolled them) Revoke an operator: no more deposits.
    Revoke {
        /// The operator's key fingerprint.
        fingerprint: String,
        /// Why the operator is revoked (recorded in the log).
        #[arg(long)]
        reason: String,
        /// The evidence log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
    },
    /// Print the log's signed list of revoked operators (for `webproof verify --revocations`).
    Revocations {
        /// The evidence log's URL (default: config.toml `[log] url`).
        #[arg(long)]
        log: Option<String>,
    },
}

pub(crate) fn log_url(given: Option<String>) -> Result<String> {
    match given {
        Some(u) => Ok(u),
        None => crate::config::Config::load(&crate::config::home()?)?
            .log
            .url
            .context(tr!("cli-no-log-url")),
    }
}

/// A public key from a PEM file or an identity.json.
pub fn read_public_key(path: &Path) -> Result<PublicKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| tr!("ctx-reading", path = path.display()))?;
    let pem = if text.trim_start().starts_with('{') {
        let doc: webproof_evidence::identity::IdentityDoc = serde_json::from_str(&text)
            .with_context(|| tr!("cli-not-identity", path = path.display()))?;
        doc.public_key
    } else {
        text
    };
    PublicKey::from_pem(&pem).with_context(|| tr!("cli-no-public-key", path = path.display()))
}

fn my_key() -> Result<SecretKey> {
    Ok(crate::identity_cmd::load_key(
        &crate::config::home()?,
        Role::Operator,
        "WEBPROOF_PASSPHRASE",
    )?
    .0)
}

/// The origin of the log at `url`, which signed requests name: from config.toml's `[log] key`
/// when that is the log at `url` (or no other is given), else as the log itself says
/// (`GET /ra/origin`).
fn log_origin(
    client: &webproof_net::LogClient,
    url: &str,
    rt: &tokio::runtime::Runtime,
) -> Result<String> {
    let config = crate::config::Config::load(&crate::config::home()?)?.log;
    if let Some(key) = &config.key
        && config
            .url
            .as_deref()
            .is_none_or(|u| u.trim_end_matches('/') == url.trim_end_matches('/'))
        && let Ok(k) = webproof_ledger::note::NoteKey::from_vkey(key)
    {
        return Ok(k.name);
    }
    rt.block_on(client.get_text(api::RA_ORIGIN))?
        .map(|t| t.trim().to_owned())
        .filter(|o| !o.is_empty() && !o.contains(char::is_whitespace))
        .context(tr!("cli-no-log-origin", url = url))
}

/// POSTs `body` to the log's `path`, signed with `key` for that log; the answer.
pub fn signed_post<A: serde::de::DeserializeOwned>(
    url: &str,
    path: &str,
    body: &impl serde::Serialize,
    key: &SecretKey,
) -> Result<A> {
    signed_post_to(url, None, path, body, key)
}

/// [`signed_post`] to the log named `origin` (found as [`log_origin`] says when `None`).
pub fn signed_post_to<A: serde::de::DeserializeOwned>(
    url: &str,
    origin: Option<&str>,
    path: &str,
    body: &impl serde::Serialize,
    key: &SecretKey,
) -> Result<A> {
    let body = serde_json::to_vec(body)?;
    let client = webproof_net::LogClient::new(url, std::time::Duration::from_secs(10))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let origin = match origin {
        Some(o) => o.to_owned(),
        None => log_origin(&client, url, &rt)?,
    };
    let auth = crate::depositing::auth_header(key, &origin, path, &body)?;
    let text = rt.block_on(client.post(path, body, Some(auth)))?;
    serde_json::from_str(&text).context(tr!("cli-answer-not-json"))
}

pub fn ra(cmd: RaCmd) -> Result<ExitCode> {
    match cmd {
        RaCmd::RegistrarAdd { log, name, key } => add_registrar(log, &name, &key)?,
        RaCmd::Code {
            log,
            name,
            org,
            tenant,
            id_number,
            id_salt,
            fingerprint,
            role,
        } => issue_code(
            log,
            &CodeFor {
                name: &name,
                org: org.as_deref(),
                tenant: &tenant,
                fingerprint: fingerprint.as_deref(),
                role: role.into(),
            },
            id_number.zip(id_salt),
        )?,
        RaCmd::Revoke {
            fingerprint,
            reason,
            log,
        } => revoke(log, &fingerprint, &reason)?,
        RaCmd::Revocations { log } => {
            let url = log_url(log)?;
            let client = webproof_net::LogClient::new(&url, std::time::Duration::from_secs(10))?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let note = rt
                .block_on(client.get_text(api::RA_REVOCATIONS))?
                .context(tr!("cli-no-ra"))?;
            print!("{note}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ra registrar-add`: makes the holder of `key` (a public key file) a registrar.
fn add_registrar(log: Option<String>, name: &str, key: &Path) -> Result<()> {
    let public_key = read_public_key(key)?.to_pem()?;
    let v: RegistrarAdded = signed_post(
        &log_url(log)?,
        api::RA_REGISTRARS,
        &RegistrarRequest {
            name: name.to_owned(),
            public_key,
        },
        &my_key()?,
    )?;
    println!(
        "{}",
        tr!(
            "cli-registrar-added",
            name = name,
            key = v.registrar,
            entry = v.logged_at
        )
    );
    Ok(())
}

/// `ra revoke`: revokes the operator key `fingerprint`, for `reason`.
fn revoke(log: Option<String>, fingerprint: &str, reason: &str) -> Result<()> {
    let v: Revoked = signed_post(
        &log_url(log)?,
        api::RA_REVOKE,
        &RevokeRequest {
            fingerprint: fingerprint.to_owned(),
            reason: reason.to_owned(),
        },
        &my_key()?,
    )?;
    println!(
        "{}",
        tr!(
            "cli-revoked",
            fingerprint = fingerprint,
            unix = v.time,
            entry = v.logged_at
        )
    );
    Ok(())
}

/// `ra code`: asks the registration authority for an enrollment code for `name` of `tenant`
/// (bound to an ID reference from the ID number and salt, and to a key fingerprint, when
/// given) and says it with its expiry.
fn issue_code(log: Option<String>, who: &CodeFor<'_>, id: Option<(String, String)>) -> Result<()> {
    let id_ref = match id {
        Some((id, salt)) => {
            let salt = hex::decode(salt.trim()).context(tr!("cli-salt-hex"))?;
            Some(webproof_evidence::identity::id_reference(&salt, &id))
        }
        None => None,
    };
    let v: CodeIssued = signed_post(
        &log_url(log)?,
        api::RA_CODES,
        &who.request(id_ref.as_deref()),
        &my_key()?,
    )?;
    let (name, tenant, code) = (who.name, who.tenant, &v.code);
    println!(
        "{}",
        tr!("cli-ra-code", name = name, tenant = tenant, code = code)
    );
    println!(
        "  {}",
        tr!(
            "cli-ra-code-valid",
            time = webproof_evidence::utc::Utc::from_unix(v.expires)
                .map(|u| u.to_string())
                .unwrap_or_default(),
            unix = v.expires,
            name = name
        )
    );
    Ok(())
}

/// `webproof operator enroll`: sends this home's key of `role` with the code, signed by that
/// key; keeps the certificate (and the CA's) beside the identity.
pub fn enroll(log: Option<String>, code: &str, role: Role) -> Result<ExitCode> {
    let home = crate::config::home()?;
    let (key, doc) = crate::identity_cmd::load_key(&home, role, "WEBPROOF_PASSPHRASE")?;
    let url = log_url(log)?;
    let v: EnrollAnswer = signed_post(
        &url,
        api::RA_ENROLL,
        &enroll_request(code, &doc, role),
        &key,
    )?;
    save_enrollment(&home, role, &v.enrolled)?;
    let subject = &v.enrolled.subject;
    let (name, organisation, tenant) = (
        subject.name.as_str(),
        subject.organisation.as_deref().unwrap_or("-"),
        subject.tenant.as_str(),
    );
    let fingerprint = &doc.fingerprint;
    println!(
        "{}",
        match role {
            Role::Operator => tr!(
                "cli-enrolled",
                fingerprint = fingerprint,
                url = url,
                name = name,
                organisation = organisation,
                tenant = tenant
            ),
            Role::Notary => tr!(
                "cli-enrolled-notary",
                fingerprint = fingerprint,
                url = url,
                name = name,
                organisation = organisation,
                tenant = tenant
            ),
        }
    );
    println!(
        "  {}",
        tr!(
            "cli-enrolled-certificate",
            path = crate::identity_cmd::certificate_file(&home, role).display()
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Whom a registrar asks an enrollment code for.
pub struct CodeFor<'a> {
    pub name: &'a str,
    pub org: Option<&'a str>,
    pub tenant: &'a str,
    pub fingerprint: Option<&'a str>,
    pub role: Role,
}

impl CodeFor<'_> {
    /// The body of the code request (`ra code`), with the person's salted ID reference.
    pub fn request(&self, id_ref: Option<&str>) -> CodeRequest {
        CodeRequest {
            name: self.name.to_owned(),
            organisation: self.org.map(str::to_owned),
            tenant: self.tenant.to_owned(),
            id_ref: id_ref.map(str::to_owned),
            fingerprint: self.fingerprint.map(str::to_owned),
            role: cert_role(self.role),
        }
    }
}

/// The enrollment of the key `doc` describes with `code`, for the role the key has, naming
/// the person as `doc` does: a code issued for someone else is refused, not used up.
pub fn enroll_request(
    code: &str,
    doc: &webproof_evidence::identity::IdentityDoc,
    role: Role,
) -> EnrollRequest {
    EnrollRequest {
        code: code.to_owned(),
        public_key: doc.public_key.clone(),
        role: cert_role(role),
        identity: Some(Claimed {
            name: doc.name.clone(),
            organisation: doc.organisation.clone(),
        }),
    }
}

/// The certificate role of a signer's role.
pub fn cert_role(role: Role) -> webproof_timestamp::ca::CertRole {
    match role {
        Role::Operator => webproof_timestamp::ca::CertRole::Operator,
        Role::Notary => webproof_timestamp::ca::CertRole::Notary,
    }
}

/// Writes the certificate and the CA certificate an enrollment of `role`'s key answered with.
/// A certificate for another role than the key's is refused: a notary's key certified as an
/// operator's (a code issued for the wrong role) would not be what the person is.
pub fn save_enrollment(home: &Path, role: Role, v: &Enrolled) -> Result<()> {
    let (cert, ca) = (&v.certificate, &v.ca);
    let certified = webproof_timestamp::ca::parse_cert(cert.as_bytes())
        .ok()
        .and_then(|c| webproof_timestamp::ca::CertRole::of(&c))
        .and_then(|r| r.ok());
    // A certificate naming no role is an operator's (from before roles were named).
    let fits =
        certified == Some(cert_role(role)) || (certified.is_none() && role == Role::Operator);
    if !fits {
        bail!(tr!(
            "cli-enrolled-other-role",
            role = crate::say::role(role)
        ));
    }
    let path = crate::identity_cmd::certificate_file(home, role);
    if path.exists() {
        bail!(tr!("cli-certificate-exists", path = path.display()));
    }
    std::fs::write(&path, cert).with_context(|| tr!("ctx-writing", path = path.display()))?;
    let ca_path = path.with_file_name("operator-ca.pem");
    std::fs::write(&ca_path, ca).with_context(|| tr!("ctx-writing", path = ca_path.display()))?;
    Ok(())
}
