//! The evidence catalogue of a case (证据目录): one row per package — number, title, URL,
//! trusted capture time, chain head, log index, what it shows, the verdict, the package file
//! and its SHA-256 — as CSV (UTF-8 with a byte-order mark, for spreadsheet programs) and as a
//! printable HTML table in one language or two (the CLI prints it to PDF). Pure: rows are made
//! from a [`PackageSource`] and its verification [`Report`].

use std::fmt::Write as _;

use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_evidence::record::StepKind;
use webproof_message::key;
use webproof_verify::Report;

use crate::{ReportError, Texts, esc, journal, read_json, verdict_class};

/// One package of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// 1-based, in the order given.
    pub n: usize,
    /// The package's file name.
    pub file: String,
    /// SHA-256 of the package file, hex.
    pub file_sha256: String,
    /// The first page's title, or the sealed files' names.
    pub title: String,
    /// The first URL captured (empty for sealed files).
    pub url: String,
    /// The trusted time no later than which the first evidence step happened (UTC), when a
    /// time-stamp covers it.
    pub trusted_time: Option<String>,
    /// The capture machine's clock at that step (UTC).
    pub clock_time: String,
    /// The final chain head, SHA-256 hex.
    pub chain_head: String,
    /// The evidence log's index of a deposit of this capture's chain, when it has a receipt.
    pub log_index: Option<u64>,
    /// What it shows: counts of pages, screenshots, files, downloads and recordings.
    pub shows: Shows,
    /// The verification's verdict (`pass`, `untrusted`, `finding`, `fail`).
    pub verdict: &'static str,
    /// The case note of the manifest, if any.
    pub note: Option<String>,
}

/// How much of each kind of evidence a package holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shows {
    pub pages: usize,
    pub screenshots: usize,
    pub files: usize,
    pub downloads: usize,
    pub video_segments: usize,
}

/// The row of package number `n` (file `file`, whose SHA-256 is `file_sha256`), read from
/// `src` and judged by `report`.
pub fn row(
    n: usize,
    file: &str,
    file_sha256: &str,
    src: &dyn PackageSource,
    report: &Report,
) -> Result<Row, ReportError> {
    let manifest: Manifest = read_json(src, layout::MANIFEST)
        .ok_or_else(|| ReportError::Package(format!("{file}: no readable manifest")))?;
    let (records, _) = journal(src)?;
    let mut shows = Shows::default();
    for r in &records {
        match r.kind {
            StepKind::Navigate => {
                shows.pages += 1;
                if r.params.get("file").is_some() {
                    shows.downloads += 1;
                }
            }
            StepKind::Screenshot => shows.screenshots += 1,
            StepKind::File => shows.files += 1,
            StepKind::Download => shows.downloads += r.artifacts.len(),
            StepKind::VideoSegment => shows.video_segments += 1,
            _ => {}
        }
    }
    let first = records
        .iter()
        .find(|r| matches!(r.kind, StepKind::Navigate | StepKind::File));
    let title = match first {
        // A URL that answered with a file: the file's name (the tab showed no page).
        Some(r) if r.kind == StepKind::Navigate => r
            .params
            .get("file")
            .and_then(|f| f.get("name"))
            .or_else(|| r.params.get("title"))
            .and_then(|t| t.as_str())
            .unwrap_or("")
            .to_owned(),
        _ => records
            .iter()
            .filter(|r| r.kind == StepKind::File)
            .filter_map(|r| r.params.get("original_name").and_then(|v| v.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let url = first
        .filter(|r| r.kind == StepKind::Navigate)
        .and_then(|r| r.url.clone())
        .unwrap_or_default();
    let at = first.or(records.first());
    let trusted_time = at.and_then(|r| {
        report
            .time
            .iter()
            .find(|t| t.seq == r.seq)
            .and_then(|t| t.not_after.clone())
    });
    let log_index = src
        .entries()
        .iter()
        .filter(|e| e.name.starts_with(layout::RECEIPTS_DIR) && e.name.ends_with(".json"))
        .filter_map(|e| read_json::<serde_json::Value>(src, &e.name))
        .filter_map(|v| v.get("index").and_then(|i| i.as_u64()))
        .min();
    Ok(Row {
        n,
        file: file.to_owned(),
        file_sha256: file_sha256.to_owned(),
        title,
        url,
        trusted_time,
        clock_time: at.map(|r| r.started.to_string()).unwrap_or_default(),
        chain_head: manifest.journal.head.sha256.to_hex(),
        log_index,
        shows,
        verdict: verdict_class(report.verdict()),
        note: manifest.case.note.clone(),
    })
}

impl Shows {
    /// In words of every language of `tx` (HTML-escaped).
    fn said(&self, tx: &Texts) -> String {
        let parts = [
            (self.pages, key!("catalogue-shows-pages")),
            (self.screenshots, key!("catalogue-shows-screenshots")),
            (self.files, key!("catalogue-shows-files")),
            (self.downloads, key!("catalogue-shows-downloads")),
            (self.video_segments, key!("catalogue-shows-video")),
        ];
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, k)| tx.t_with(k, &[("count", &n.to_string())]))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Text of the catalogue without HTML escaping (for CSV and XLSX cells).
fn plain(s: String) -> String {
    s.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The columns of the CSV and XLSX forms.
const HEADER: [webproof_message::Key; 12] = [
    key!("catalogue-col-n"),
    key!("catalogue-col-title"),
    key!("catalogue-col-url"),
    key!("catalogue-col-trusted-time"),
    key!("catalogue-col-clock-time"),
    key!("catalogue-col-chain-head"),
    key!("catalogue-col-log-index"),
    key!("catalogue-col-shows"),
    key!("catalogue-col-verdict"),
    key!("catalogue-col-file"),
    key!("catalogue-col-file-sha256"),
    key!("catalogue-col-case"),
];

/// A row's cells in the order of [`HEADER`].
fn cells(r: &Row, case: Option<&str>, tx: &Texts) -> [String; 12] {
    [
        r.n.to_string(),
        r.title.clone(),
        r.url.clone(),
        r.trusted_time.clone().unwrap_or_default(),
        r.clock_time.clone(),
        r.chain_head.clone(),
        r.log_index.map(|i| i.to_string()).unwrap_or_default(),
        plain(r.shows.said(tx)),
        plain(tx.t(format!("catalogue-verdict-{}", r.verdict))),
        r.file.clone(),
        r.file_sha256.clone(),
        case.unwrap_or("").to_owned(),
    ]
}

/// The catalogue as an Excel workbook (XLSX): one sheet, a bold header row, a row per package.
pub fn xlsx(case: Option<&str>, rows: &[Row], tx: &Texts) -> Result<Vec<u8>, ReportError> {
    let x = |e: rust_xlsxwriter::XlsxError| ReportError::Xlsx(e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("catalogue").map_err(x)?;
    for (c, k) in HEADER.iter().enumerate() {
        let col = c as u16;
        sheet
            .write_string_with_format(0, col, plain(tx.t(k)), &bold)
            .map_err(x)?;
        sheet
            .set_column_width(col, if c == 0 { 6 } else { 24 })
            .map_err(x)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|e| ReportError::Xlsx(e.to_string()))?;
        for (c, v) in cells(r, case, tx).iter().enumerate() {
            sheet.write_string(row, c as u16, v).map_err(x)?;
        }
    }
    book.save_to_buffer().map_err(x)
}

/// One CSV field (RFC 4180): quoted, its quotes doubled.
pub fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The catalogue as CSV: a byte-order mark, a header row in the first language of `tx`, one
/// row per package.
pub fn csv(case: Option<&str>, rows: &[Row], tx: &Texts) -> String {
    let mut out = String::from('\u{feff}');
    let header = HEADER;
    out.push_str(
        &header
            .iter()
            .map(|k| csv_field(&plain(tx.t(k))))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for r in rows {
        out.push_str(
            &cells(r, case, tx)
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// The catalogue as one printable HTML page.
pub fn html(case: Option<&str>, rows: &[Row], tx: &Texts) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1>",
        tx.lang_tag(),
        tx.t(key!("catalogue-title")),
        tx.t(key!("catalogue-title")),
    );
    if let Some(c) = case {
        let _ = write!(
            h,
            "<p>{}: <strong>{}</strong></p>",
            tx.t(key!("catalogue-col-case")),
            esc(c)
        );
    }
    let _ = write!(
        h,
        "<p class=\"muted\">{}</p><table><thead><tr>",
        tx.t(key!("catalogue-intro"))
    );
    for k in [
        key!("catalogue-col-n"),
        key!("catalogue-col-title"),
        key!("catalogue-col-trusted-time"),
        key!("catalogue-col-chain-head"),
        key!("catalogue-col-log-index"),
        key!("catalogue-col-shows"),
        key!("catalogue-col-verdict"),
    ] {
        let _ = write!(h, "<th>{}</th>", tx.t(k));
    }
    h.push_str("</tr></thead><tbody>");
    for r in rows {
        let time = match &r.trusted_time {
            Some(t) => esc(t),
            None => format!(
                "{} <span class=\"muted\">({})</span>",
                esc(&r.clock_time),
                tx.t(key!("catalogue-clock-only"))
            ),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}<div class=\"mono\">{}</div><div class=\"muted\">{} · SHA-256 <span class=\"mono\">{}</span></div></td><td>{time}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.n,
            esc(&r.title),
            esc(&r.url),
            esc(&r.file),
            esc(&r.file_sha256),
            esc(&r.chain_head),
            r.log_index
                .map(|i| i.to_string())
                .unwrap_or_else(|| "—".into()),
            r.shows.said(tx),
            tx.t(format!("catalogue-verdict-{}", r.verdict)),
        );
    }
    h.push_str("</tbody></table></body></html>");
    h
}

const STYLE: &str = r#"
body{font-family:"Noto Sans","Noto Sans CJK SC","DejaVu Sans",sans-serif;font-size:9.5pt;color:#111;margin:18px}
h1{font-size:16pt;margin:0 0 6px}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #999;padding:3px 5px;vertical-align:top;text-align:left}th{background:#eee}
.mono{font-family:"DejaVu Sans Mono",monospace;font-size:8pt;word-break:break-all}.muted{color:#555}
@page{size:A4 landscape;margin:12mm}
"#;
