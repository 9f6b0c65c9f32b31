//! `profiles list|show|check`: the built-in capture profiles, and checking one's own.

use crate::say::{self, tr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum ProfilesCmd {
    /// The shipped profiles.
    List,
    /// A profile's TOML.
    Show { name: String },
    /// Validate a profile file (exit 0 if valid).
    Check { file: PathBuf },
}

/// `profiles …`.
pub(crate) fn profiles(cmd: ProfilesCmd) -> Result<ExitCode> {
    match cmd {
        ProfilesCmd::List => {
            let cat = say::shared()?;
            for (name, text) in webproof_capture::profile::BUILTIN {
                let p = webproof_capture::profile::Profile::parse(name, text)?;
                println!(
                    "{:<10} {}",
                    p.name,
                    cat.profile_description(&p.name, &p.description)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfilesCmd::Show { name } => {
            match webproof_capture::profile::BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
            {
                Some((_, text)) => print!("{text}"),
                None => bail!(tr!("cli-no-profile", name = name)),
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfilesCmd::Check { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| tr!("ctx-reading", path = file.display()))?;
            match webproof_capture::profile::Profile::parse(&file.display().to_string(), &text) {
                Ok(p) => {
                    println!(
                        "{}",
                        tr!("cli-profile-valid", name = p.name, steps = p.steps.len())
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("{}", tr!("cli-profile-invalid", error = e));
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}
