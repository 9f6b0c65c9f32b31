//! `webproof report PACKAGE [--out report.html] [--pdf report.pdf]`: the evidence report a
//! judge reads, from the package and its verification under this machine's trust settings;
//! the PDF is printed by webproof's own headless Chromium.

use crate::say::tr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The sealed package.
    package: PathBuf,
    /// Where to write the HTML report (default: the package's name with `.report.html`).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also print it to this PDF file (with webproof's Chromium).
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// Make instead a DRAFT record of the evidence preservation for a notary to adapt
    /// (applicant, operator, notary, place and machine, environment check, each step, package
    /// digests, list of evidence), in Chinese and English (default name: NAME.notarial.html).
    #[arg(long)]
    notarial: bool,
    /// (With --notarial) who applied for the preservation.
    #[arg(long, requires = "notarial")]
    applicant: Option<String>,
    /// (With --notarial) where the capture was made.
    #[arg(long, requires = "notarial")]
    place: Option<String>,
    /// The time zone to show times in, beside UTC (`+08:00`, `-05:00`, `UTC`). Default:
    /// WEBPROOF_TZ, else this machine's.
    #[arg(long, allow_hyphen_values = true)]
    tz: Option<String>,
    /// What is trusted when verifying the package.
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
    #[command(flatten)]
    print: PrintArgs,
}

/// The browser that prints a PDF (`report --pdf`, `catalogue --out X.pdf`).
#[derive(clap::Args)]
pub(crate) struct PrintArgs {
    /// The Chromium that prints the PDF.
    #[arg(long, default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,
    /// The chromedriver that drives it.
    #[arg(long, default_value = "/usr/bin/chromedriver")]
    pub chromedriver: PathBuf,
}

/// The evidence log this machine deposits to (config.toml `[log] url`), which serves the
/// verifier page and the alliance's trust bundle the report points its readers to.
fn verifier() -> Result<Option<String>> {
    Ok(crate::config::Config::load(&crate::config::home()?)?
        .log
        .url)
}

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    let kind = if a.notarial { "notarial" } else { "report" };
    let out = a.out.clone().unwrap_or_else(|| free_name(&a.package, kind));
    for p in std::iter::once(&out).chain(a.pdf.iter()) {
        if p.exists() {
            bail!(tr!("cli-out-exists", path = p.display()));
        }
    }
    let verification = webproof_verify::verify_path(&a.package, &a.trust.policy()?)?;
    let limits = webproof_evidence::package::Limits::default();
    let src = webproof_evidence::package::open(&a.package, &limits)
        .with_context(|| tr!("ctx-opening", path = a.package.display()))?;
    let html = render(&a, src.as_ref(), &verification)?;
    webproof_evidence::package::write_file(&out, html.as_bytes())
        .with_context(|| tr!("ctx-writing", path = out.display()))?;
    println!("{}", tr!("cli-report-written", path = out.display()));
    if let Some(pdf) = &a.pdf {
        let bytes = print_pdf(&a.print.chromium, &a.print.chromedriver, &out)?;
        webproof_evidence::package::write_file(pdf, &bytes)
            .with_context(|| tr!("ctx-writing", path = pdf.display()))?;
        println!(
            "{}",
            tr!("cli-report-pdf", path = pdf.display(), bytes = bytes.len())
        );
    }
    println!(
        "{}",
        tr!(
            "cli-report-verdict",
            verdict = crate::say::verdict_word(verification.verdict())
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The page: the evidence report, or with `--notarial` the draft notarial record.
fn render(
    a: &ReportArgs,
    src: &dyn webproof_evidence::package::PackageSource,
    verification: &webproof_verify::Report,
) -> Result<String> {
    let digests = package_digests(&a.package)?;
    let package_name = a
        .package
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(if a.notarial {
        // A notarial record is read in Chinese and English side by side.
        let texts = webproof_report::Texts::new(&langs(Some("both"))?)?;
        webproof_report::notarial_html(&webproof_report::Notarial {
            texts: &texts,
            src,
            verification,
            package_name,
            package_digests: digests.map(|d| (d.sha256.to_hex(), d.sm3.to_hex())),
            applicant: a.applicant.as_deref(),
            place: a.place.as_deref(),
            offset: offset(a.tz.as_deref())?,
        })?
    } else {
        let texts = webproof_report::Texts::new(&langs(crate::say::flag())?)?;
        webproof_report::html(&webproof_report::Input {
            texts: &texts,
            src,
            subject: webproof_report::Subject::Sealed {
                verification,
                package_name,
                package_sha256: digests.map(|d| d.sha256.to_hex()),
            },
            offset: offset(a.tz.as_deref())?,
            verifier: verifier()?.as_deref(),
        })?
    })
}

/// Without --out: the first free name of NAME.KIND.html, NAME.KIND-2.html, …, so a second
/// report (another language, other trust) never collides with the first.
fn free_name(package: &Path, kind: &str) -> PathBuf {
    (1..)
        .map(|n| match n {
            1 => package.with_extension(format!("{kind}.html")),
            n => package.with_extension(format!("{kind}-{n}.html")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| package.with_extension(format!("{kind}.html")))
}

/// The package file's SHA-256 and SM3; a package directory has none (the report then shows
/// the chain head's QR code).
fn package_digests(package: &Path) -> Result<Option<webproof_evidence::Digests>> {
    if !package.is_file() {
        return Ok(None);
    }
    let f = std::fs::File::open(package)?;
    Ok(Some(webproof_evidence::digest::digest_reader(f)?.0))
}

/// `en`, `zh-CN`, `both` (Chinese, then English), or what WEBPROOF_LANG / the locale say.
pub fn langs(flag: Option<&str>) -> Result<Vec<webproof_i18n::Lang>> {
    use webproof_i18n::Lang;
    Ok(match flag {
        Some("both") => vec![Lang::ZhCn, Lang::En],
        other => vec![Lang::detect(other)?],
    })
}

/// How a sealed package gets its report (`seal`, `capture`).
#[derive(clap::Args, Clone, Debug)]
pub struct ReportOpts {
    /// Do not put an evidence report (report/report.html) into the package.
    #[arg(long)]
    pub no_report: bool,
    /// Also put the report as PDF (report/report.pdf), printed by webproof's Chromium.
    #[arg(long)]
    pub report_pdf: bool,
    /// The report's time zone beside UTC (`+08:00`; default: WEBPROOF_TZ, else this machine's).
    #[arg(long, allow_hyphen_values = true)]
    pub tz: Option<String>,
}

/// Checks the options before anything is captured (a bad time zone would otherwise be found
/// only when the report is made, at the end).
pub(crate) fn check_opts(o: &ReportOpts) -> Result<()> {
    if let Some(tz) = &o.tz {
        parse_offset(tz)?;
    }
    Ok(())
}

/// The offset of `±HH:MM` (or `UTC`, `Z`).
fn parse_offset(s: &str) -> Result<time::UtcOffset> {
    let t = s.trim();
    if matches!(t, "UTC" | "utc" | "Z" | "z") {
        return Ok(time::UtcOffset::UTC);
    }
    let bad = || anyhow::anyhow!(tr!("cli-bad-tz", value = s));
    let sign: i8 = match t.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let (h, m) = t[1..].split_once(':').ok_or_else(bad)?;
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    time::UtcOffset::from_hms(sign * h, sign * m, 0).map_err(|_| bad())
}

/// The reader's time zone: the flag, else WEBPROOF_TZ, else this machine's (read when the
/// program started).
pub fn offset(flag: Option<&str>) -> Result<Option<time::UtcOffset>> {
    if let Some(f) = flag {
        return parse_offset(f).map(Some);
    }
    if let Ok(v) = std::env::var("WEBPROOF_TZ")
        && !v.is_empty()
    {
        return parse_offset(&v).map(Some);
    }
    Ok(LOCAL_OFFSET.get().copied().flatten())
}

/// Where a sealed package's report comes from (see [`report_into`]).
#[derive(Clone, Copy)]
pub(crate) struct ReportPlan<'a> {
    pub opts: &'a ReportOpts,
    pub chromium: &'a std::path::Path,
    pub chromedriver: &'a std::path::Path,
}

/// Writes the capture report of the capture directory `dir`, about to be sealed, into it
/// (`report/report.html`, and `report/report.pdf` if asked), for the seal step to name. What
/// a failed attempt left there goes first, so only a finished report is sealed. Its verdict is
/// the sealer's, under `policy`, on the steps before the seal step.
pub(crate) fn report_into(
    plan: ReportPlan<'_>,
    dir: &std::path::Path,
    case: &webproof_evidence::manifest::Case,
    policy: &webproof_verify::Policy,
    stamp_at_seal: bool,
) -> Result<()> {
    let ReportPlan {
        opts,
        chromium,
        chromedriver,
    } = plan;
    remove_report(dir)?;
    let made = (|| -> Result<()> {
        let limits = webproof_evidence::package::Limits::default();
        let src = webproof_evidence::package::DirSource::open(dir, &limits)?;
        let texts = webproof_report::Texts::new(&langs(crate::say::flag())?)?;
        let verification = webproof_verify::verify_before_seal(&src, policy, stamp_at_seal);
        let html = webproof_report::html(&webproof_report::Input {
            texts: &texts,
            src: &src,
            subject: webproof_report::Subject::Sealing {
                case,
                tool_version: crate::config::VERSION,
                verification: &verification,
            },
            offset: offset(opts.tz.as_deref())?,
            verifier: verifier()?.as_deref(),
        })?;
        let html_path = dir.join(webproof_evidence::layout::REPORT_HTML);
        webproof_evidence::package::write_file(&html_path, html.as_bytes())?;
        if opts.report_pdf {
            let pdf = print_pdf(chromium, chromedriver, &html_path)?;
            webproof_evidence::package::write_file(
                &dir.join(webproof_evidence::layout::REPORT_PDF),
                &pdf,
            )?;
        }
        Ok(())
    })();
    if made.is_err() {
        remove_report(dir)?;
    }
    made
}

/// Removes `report/` from a capture directory that is not sealed yet.
pub fn remove_report(dir: &std::path::Path) -> Result<()> {
    let r = dir.join("report");
    match std::fs::remove_dir_all(&r) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| tr!("ctx-removing", path = r.display()))
        }
        _ => Ok(()),
    }
}

/// Printing to PDF where webproof has no Chromium of its own (webproof.exe): says so (the
/// HTML report is made all the same).
#[cfg(not(unix))]
pub(crate) fn print_pdf(
    _: &std::path::Path,
    _: &std::path::Path,
    _: &std::path::Path,
) -> Result<Vec<u8>> {
    anyhow::bail!(tr!("cli-pdf-linux-only"))
}

/// The HTML file printed to PDF (A4) by headless Chromium.
#[cfg(unix)]
pub(crate) fn print_pdf(
    chromium: &std::path::Path,
    chromedriver: &std::path::Path,
    html: &std::path::Path,
) -> Result<Vec<u8>> {
    use webproof_capture::Browser as _;
    let path = std::fs::canonicalize(html)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let opts = webproof_browser::LaunchOptions {
            chromium: chromium.to_owned(),
            chromedriver: chromedriver.to_owned(),
            headless: true,
            ..Default::default()
        };
        let mut browser = webproof_browser::Chromium::launch(&opts)
            .await
            .context(tr!("ctx-pdf-chromium"))?;
        let printed = async {
            browser
                .navigate(&format!("file://{}", path.display()))
                .await?;
            browser
                .cdp(
                    "Page.printToPDF",
                    serde_json::json!({
                        "printBackground": true,
                        "paperWidth": 8.27, "paperHeight": 11.69,
                        "marginTop": 0.4, "marginBottom": 0.4, "marginLeft": 0.4, "marginRight": 0.4,
                        "displayHeaderFooter": true,
                        "headerTemplate": "<span></span>",
                        // Language-neutral: "webproof · 3 / 9".
                        "footerTemplate": "<div style=\"font-size:7pt;width:100%;text-align:center\">webproof · <span class=\"pageNumber\"></span> / <span class=\"totalPages\"></span></div>",
                    }),
                )
                .await
        }
        .await;
        let _ = browser.close().await;
        let v = printed.context(tr!("ctx-printing"))?;
        let data = v["data"].as_str().context(tr!("cli-no-pdf"))?;
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .context(tr!("cli-pdf-not-base64"))
    })
}

/// This machine's UTC offset, read at start (reading it is only sound while the program has
/// one thread).
pub(crate) static LOCAL_OFFSET: std::sync::OnceLock<Option<time::UtcOffset>> =
    std::sync::OnceLock::new();
