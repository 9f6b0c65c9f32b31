//! `webproof witness serve` (and, to come, the evidence log's commands).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

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
        #[arg(long, default_value = "127.0.0.1:3162")]
        listen: String,
    },
}

pub fn witness(cmd: WitnessCmd) -> Result<ExitCode> {
    use webproof_ledger::note::{ALG_COSIGNATURE_V1, NoteKey, NoteSigner};
    let WitnessCmd::Serve { name, logs, listen } = cmd;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = crate::home()?.join("witness").join(safe);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let key_path = dir.join("key");
    let seed: [u8; 32] = match std::fs::read(&key_path) {
        Ok(b) => b
            .try_into()
            .map_err(|_| anyhow::anyhow!("{} is not a 32-byte key", key_path.display()))?,
        Err(_) => {
            let mut s = [0u8; 32];
            getrandom::fill(&mut s).map_err(|e| anyhow::anyhow!("random: {e}"))?;
            crate::write_private(&key_path, &s)?;
            s
        }
    };
    let signer = NoteSigner::new(
        &name,
        ALG_COSIGNATURE_V1,
        ed25519_dalek::SigningKey::from_bytes(&seed),
    )?;
    let logs = logs
        .iter()
        .map(|v| NoteKey::from_vkey(v).with_context(|| format!("--log {v}")))
        .collect::<Result<Vec<_>>>()?;
    let svc = Arc::new(webproof_log::witness_http::WitnessService::open(
        &dir, signer, logs,
    )?);
    let vkey = svc.vkey();
    crate::serve_http(&listen, webproof_log::witness_http::router(svc), |addr| {
        format!("witness {name} on http://{addr}/add-checkpoint\n  verifier key: {vkey}")
    })
}
