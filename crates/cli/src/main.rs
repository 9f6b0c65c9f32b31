//! The `webproof` command line. Thin: argument parsing, files in the home directory,
//! passphrases and output; all evidence logic lives in the library crates.
//!
//! Exit codes: 0 verified / done, 1 verification failed, 2 usage or input error,
//! 3 package intact but a signer's key is not configured as trusted.

use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use webproof_i18n::{Catalogue, Lang};

// `println!` and `eprintln!` are output.rs's: a closed pipe is not a crash.
#[macro_use]
mod output;
mod batch_cmd;
mod batch_relay;
mod capture_args;
mod capture_child;
#[cfg(unix)]
mod capture_cmd;
mod catalogue_cmd;
mod config;
mod depositing;
mod dev_cmd;
mod env_cmd;
mod help;
mod identity_cmd;
#[cfg(unix)]
mod interrupt;
mod log_cmd;
mod profiles_cmd;
mod ra_cmd;
mod receipt_cmd;
mod report_cmd;
mod review_cmd;
mod say;
mod seal_cmd;
mod serve;
mod stamping;
mod supervise_cmd;
mod timestamp_cmd;
mod trust;
mod trust_cmd;
mod verify_cmd;
mod watch_cmd;

use say::tr;

#[derive(Parser)]
#[command(
    name = "webproof",
    version,
    about = "Notarized web-capture forensics: capture, seal and verify evidence packages"
)]
struct Cli {
    /// The language webproof speaks: en or zh-CN (messages, errors, check names and findings,
    /// reports), or both (a report in Chinese and English side by side). Default:
    /// WEBPROOF_LANG, else the OS locale. `--json` keeps stable identifiers beside the text.
    #[arg(long, global = true, value_name = "en|zh-CN|both")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage the operator (or notary) identity in WEBPROOF_HOME.
    #[command(subcommand)]
    Operator(identity_cmd::OperatorCmd),
    /// Seal files (contracts, e-mails, pictures, audio, …) into a signed evidence package.
    Seal(seal_cmd::SealArgs),
    /// Capture a web page with webproof's own Chromium: navigate (with a screenshot), full-page
    /// screenshot, DOM snapshot (HTML + MHTML), each step hashed and journaled as it happens,
    /// then sealed into a package.
    Capture(capture_args::CaptureArgs),
    /// Capture many URLs (a CSV), each into its own package, as a durable queue: run again to
    /// go on where it stopped. Exit 0 = every URL sealed, 4 = some failed or were interrupted.
    Batch(batch_cmd::BatchArgs),
    /// Re-capture a URL on a schedule until it is taken down: each capture a package,
    /// compared with the one before (text, screenshot, media), "gone" (404/410, the tracked
    /// element removed, a redirect home) reported with the last package showing the page.
    Watch(watch_cmd::WatchArgs),
    /// Check that this machine is clean for a capture (hosts file, proxies, DNS, route,
    /// interfaces, OS, virtualisation, software versions and digests, fonts).
    /// Exit 0 = no failing finding, 1 = a finding fails.
    EnvCheck(env_cmd::EnvCheckArgs),
    /// Capture profiles: list, show or check them.
    #[command(subcommand)]
    Profiles(profiles_cmd::ProfilesCmd),
    /// Work with capture directories.
    #[command(subcommand)]
    Captures(seal_cmd::CaptureCmd),
    /// RFC 3161 time-stamp tokens: request one from a TSA, or verify one on its own.
    #[command(subcommand)]
    Timestamp(timestamp_cmd::TimestampCmd),
    /// Add a renewal to a copy of a sealed package: every file's digest (under a hash you
    /// choose), the certificate chains of its time-stamps, and a new time-stamp over them, so
    /// the evidence stays verifiable after a TSA certificate expires or an algorithm weakens.
    Renew(timestamp_cmd::RenewArgs),
    /// (Notary) Review a sealed package — verified under your trust, its timeline shown — and
    /// countersign a copy: your signed statement naming its manifest, time-stamped.
    Countersign(review_cmd::CountersignArgs),
    /// (Notary) Supervise a session live from this machine with the operator's join code.
    Supervise(supervise_cmd::NotaryArgs),
    /// Run a witness of evidence logs.
    #[command(subcommand)]
    Witness(log_cmd::WitnessCmd),
    /// Run the evidence log.
    #[command(subcommand)]
    Log(log_cmd::LogCmd),
    /// Run a time-stamp authority (the development TSA).
    #[command(subcommand)]
    Tsa(timestamp_cmd::TsaCmd),
    /// A local development alliance (TSAs, evidence log, witnesses) in one process.
    #[command(subcommand)]
    Dev(dev_cmd::DevCmd),
    /// The evidence log's registration authority: registrars, enrollment codes, revocation.
    #[command(subcommand)]
    Ra(ra_cmd::RaCmd),
    /// The evidence report a judge reads (HTML, and PDF with --pdf): case, operator,
    /// environment, a timeline of every step with thumbnails and digests, video, time-stamps,
    /// log receipts and witnesses, a QR code of the package's SHA-256, how to verify by hand.
    Report(report_cmd::ReportArgs),
    /// The evidence catalogue of a case: a row per package (title, URL, trusted capture time,
    /// chain head, log index, what it shows, verification), as CSV, XLSX, HTML or PDF.
    Catalogue(catalogue_cmd::CatalogueArgs),
    /// Evidence-log receipts of a sealed package.
    #[command(subcommand)]
    Receipt(receipt_cmd::ReceiptCmd),
    /// What this machine trusts: an alliance's trust bundle, imported into config.toml.
    #[command(subcommand)]
    Trust(trust_cmd::TrustCmd),
    /// Verify an evidence package offline. Exit 0 = verified, 1 = failed, 2 = input error,
    /// 3 = intact but a signer is not trusted.
    Verify(verify_cmd::VerifyArgs),
}

fn main() -> ExitCode {
    output::quiet_on_closed_pipe();
    let _ = report_cmd::LOCAL_OFFSET.set(time::UtcOffset::current_local_offset().ok());
    // `--help` in the language asked for (read from the arguments before they are parsed).
    let args: Vec<String> = std::env::args().collect();
    // (English needs no catalogue for the help: it is clap's, from the doc comments.)
    let help_cat = match help::lang_of(&args) {
        Lang::En => None,
        l => Catalogue::new(l).ok(),
    };
    let parsed = match &help_cat {
        Some(cat) => help::localized(Cli::command(), cat)
            .try_get_matches_from(&args)
            .and_then(|m| Cli::from_arg_matches(&m)),
        None => Cli::try_parse_from(&args),
    };
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            match help_cat.as_ref().and_then(|c| help::usage_error(&e, c)) {
                Some(text) => eprintln!("{text}"),
                None => {
                    let _ = e.print();
                }
            }
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    if let Err(e) = say::init(cli.lang.clone()) {
        eprintln!("webproof: error: --lang / WEBPROOF_LANG: {e}");
        return ExitCode::from(2);
    }
    if let Some(cat) = help_cat {
        say::adopt(cat);
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", tr!("cli-error", error = say::error_text(&e)));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Operator(c) => identity_cmd::operator(c),
        Command::Ra(c) => ra_cmd::ra(c),
        Command::Seal(a) => seal_cmd::seal(a),
        Command::Captures(c) => seal_cmd::captures(c),
        Command::Capture(a) => capture_args::capture(a),
        Command::Batch(a) => batch_cmd::batch(a),
        Command::Watch(a) => watch_cmd::watch(a),
        Command::Profiles(c) => profiles_cmd::profiles(c),
        Command::EnvCheck(a) => env_cmd::env_check(a),
        Command::Verify(a) => verify_cmd::verify(a),
        Command::Timestamp(c) => timestamp_cmd::timestamp(c),
        Command::Tsa(c) => timestamp_cmd::tsa(c),
        Command::Dev(c) => dev_cmd::dev(c),
        Command::Receipt(c) => receipt_cmd::receipt(c),
        Command::Report(a) => report_cmd::report(a),
        Command::Catalogue(a) => catalogue_cmd::catalogue(a, cli.lang.as_deref()),
        Command::Renew(a) => timestamp_cmd::renew(a),
        Command::Countersign(a) => review_cmd::countersign(a),
        Command::Supervise(a) => supervise_cmd::supervise(a),
        Command::Witness(c) => log_cmd::witness(c),
        Command::Log(c) => log_cmd::log(c),
        Command::Trust(c) => trust_cmd::trust(c),
    }
}

#[cfg(test)]
mod tests {
    //! The command line's definition: its help, in English (the catalogue kept equal to the
    //! doc comments) and in Chinese.
    use super::*;
    use help::{english_ftl, lang_of, localized, usage_error};

    /// locales/en/help.ftl is exactly what the doc comments say.
    #[test]
    fn english_help_catalogue_is_current() -> Result<(), Box<dyn std::error::Error>> {
        let fresh = english_ftl(&Cli::command());
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../i18n/locales/en/help.ftl");
        if std::env::var_os("WEBPROOF_BLESS").is_some() {
            std::fs::write(&path, &fresh)?;
        }
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            old == fresh,
            "crates/i18n/locales/en/help.ftl is stale: run WEBPROOF_BLESS=1 cargo test -p webproof help"
        );
        Ok(())
    }

    #[test]
    fn help_is_said_in_chinese() -> Result<(), Box<dyn std::error::Error>> {
        let zh = Catalogue::new(Lang::ZhCn)?;
        let mut cmd = localized(Cli::command(), &zh);
        let help = cmd.render_help().to_string();
        assert!(help.contains("用法"), "{help}");
        let verify = cmd
            .find_subcommand_mut("verify")
            .map(|c| c.render_help().to_string())
            .unwrap_or_default();
        assert!(verify.contains("离线验证证据包"), "{verify}");
        assert!(help.contains("显示此帮助或所给命令的帮助"), "{help}");
        assert_eq!(
            lang_of(&["webproof".into(), "--lang".into(), "zh-CN".into()]),
            Lang::ZhCn
        );
        assert_eq!(lang_of(&["x".into(), "--lang=en".into()]), Lang::En);
        // Usage mistakes, in Chinese; in English clap says them itself.
        let mistake = |args: &[&str]| {
            localized(Cli::command(), &zh)
                .try_get_matches_from(args)
                .map(|_| ())
                .err()
                .and_then(|e| usage_error(&e, &zh))
                .unwrap_or_default()
        };
        let said = mistake(&["webproof", "verify", "x.wacz", "--trust-operatr", "ab"]);
        assert!(
            said.starts_with("webproof：错误：未知的参数 --trust-operatr"),
            "{said}"
        );
        assert!(said.contains("--trust-operator"), "{said}");
        assert!(said.contains("--help"), "{said}");
        let said = mistake(&["webproof", "verfy"]);
        assert!(said.contains("未知的命令 verfy"), "{said}");
        let said = mistake(&["webproof", "seal", "a.txt"]);
        assert!(
            said.contains("缺少必需的参数") && said.contains("--out"),
            "{said}"
        );
        let en = Catalogue::new(Lang::En)?;
        let e = Cli::command()
            .try_get_matches_from(["webproof", "verfy"])
            .err()
            .ok_or("no error")?;
        assert_eq!(usage_error(&e, &en), None);
        Ok(())
    }
}
