//! Cases screen: list, search, open, create and edit local cases, and bring in a package file.

use tauri::State;
use webproof_cases::{Case, CaseFields, PackageKind, PackageStatus};

use crate::AppState;
use crate::error::{AppError, AppResult};

#[tauri::command]
#[specta::specta]
pub fn list_cases(state: State<'_, AppState>, query: String) -> AppResult<Vec<Case>> {
    Ok(state.cases.list(&query)?)
}

#[tauri::command]
#[specta::specta]
pub fn get_case(state: State<'_, AppState>, id: String) -> AppResult<Case> {
    Ok(state.cases.get(&id)?)
}

#[tauri::command]
#[specta::specta]
pub fn create_case(state: State<'_, AppState>, fields: CaseFields) -> AppResult<Case> {
    Ok(state.cases.create(fields)?)
}

#[tauri::command]
#[specta::specta]
pub fn edit_case(state: State<'_, AppState>, id: String, fields: CaseFields) -> AppResult<Case> {
    Ok(state.cases.edit(&id, fields)?)
}

/// Adds an existing package file (made elsewhere, or by `webproof seal`) to a case.
#[tauri::command]
#[specta::specta]
pub fn add_package_file(
    state: State<'_, AppState>,
    case_id: String,
    path: String,
) -> AppResult<Case> {
    let p = std::path::Path::new(path.trim());
    if !p.is_file() {
        return Err(AppError::said(
            crate::error::ErrorKind::NotFound,
            "app-err-not-file",
            format!("{} is not a file", p.display()),
            &[("path", &p.display())],
        ));
    }
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (c, _) = state.cases.add_package(
        &case_id,
        PackageKind::Seal,
        &p.display().to_string(),
        &name,
        PackageStatus::Sealed,
    )?;
    Ok(c)
}
