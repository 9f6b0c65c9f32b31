//! Sealing local files (contracts, e-mails, pictures) into a package of a case: the engine's
//! `webproof seal`, recorded in the case store, then verified under the user's trust settings.

use serde::Deserialize;
use tauri::State;
use webproof_cases::{Case, PackageKind, PackageStatus};

use crate::error::{AppError, AppResult, ErrorKind};
use crate::{AppState, engine};

#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct SealRequest {
    pub case: String,
    /// The files, by path.
    pub files: Vec<String>,
    pub passphrase: String,
    pub note: String,
    /// Report language: `en`, `zh-CN` or `both`.
    pub report_lang: String,
}

#[tauri::command]
#[specta::specta]
pub async fn seal_files(state: State<'_, AppState>, req: SealRequest) -> AppResult<Case> {
    let files: Vec<String> = req
        .files
        .iter()
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    if files.is_empty() {
        return Err(AppError::input(
            "app-err-no-files",
            "choose at least one file to seal",
        ));
    }
    if let Some(f) = files.iter().find(|f| !std::path::Path::new(f).is_file()) {
        return Err(AppError::said(
            ErrorKind::NotFound,
            "app-err-not-file",
            format!("{f} is not a file"),
            &[("path", f)],
        ));
    }
    crate::error::need_passphrase(&req.passphrase)?;
    let lang = crate::report_lang(&req.report_lang)?;
    let case = state.cases.get(&req.case)?;
    let out = state.new_package_path(&case.id, "seal")?;
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            std::path::Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let (_, pid) = state.cases.add_package(
        &case.id,
        PackageKind::Seal,
        &out.display().to_string(),
        &names.join(", "),
        PackageStatus::Running,
    )?;
    let out_s = out.display().to_string();
    let mut args: Vec<&str> = vec!["seal"];
    args.extend(files.iter().map(String::as_str));
    args.extend([
        "--out",
        &out_s,
        "--case",
        &case.matter,
        "--lang",
        &lang,
        "--report-pdf",
        "--json",
    ]);
    if !req.note.trim().is_empty() {
        args.extend(["--note", req.note.trim()]);
    }
    let mut c = state.engine(&args);
    c.env("WEBPROOF_PASSPHRASE", &req.passphrase);
    let st = state.inner().clone_for_worker();
    let (case_id, pid2, out2) = (case.id.clone(), pid.clone(), out.clone());
    engine::in_background(move || {
        let result = engine::run_ok("seal", c);
        let head = result
            .as_ref()
            .ok()
            .and_then(|o| serde_json::from_str::<webproof_engine::events::Sealed>(&o.stdout).ok())
            .map(|s| s.chain_head.sha256.to_hex());
        let detail = result.as_ref().err().map(|e| e.message.clone());
        crate::verify::settle(&st, &case_id, &pid2, &out2, result.is_ok(), head, detail)?;
        result.map(|_| ())
    })
    .await?;
    Ok(state.cases.get(&case.id)?)
}
