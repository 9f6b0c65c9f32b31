//! Countersigning after review (docs/evidence-package.md §6e): the notary of this home, having
//! reviewed a verified package on the Verify screen, adds their signature with a review
//! statement — the engine's `webproof countersign` — into a new package beside the original.

use std::path::{Path, PathBuf};

use tauri::State;

use crate::error::{AppError, AppResult};
use crate::{AppState, engine};

/// `NAME.countersigned.wacz` beside `pkg` (numbered when one exists already).
fn countersigned_path(pkg: &Path) -> PathBuf {
    let stem = pkg
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package".into());
    let dir = pkg.parent().unwrap_or(Path::new("."));
    let mut out = dir.join(format!("{stem}.countersigned.wacz"));
    let mut n = 2;
    while out.exists() {
        out = dir.join(format!("{stem}.countersigned-{n}.wacz"));
        n += 1;
    }
    out
}

/// Countersigns the package at `path` with this home's notary key and `statement`; the new package's path.
#[tauri::command]
#[specta::specta]
pub async fn countersign_package(
    state: State<'_, AppState>,
    path: String,
    statement: String,
    passphrase: String,
) -> AppResult<String> {
    let pkg = PathBuf::from(path.trim());
    if !pkg.is_file() {
        return Err(AppError::said(
            crate::error::ErrorKind::NotFound,
            "app-err-not-file",
            format!("{} is not a file", pkg.display()),
            &[("path", &pkg.display())],
        ));
    }
    let statement = statement.trim().to_owned();
    if statement.is_empty() {
        return Err(AppError::input(
            "app-err-review-statement",
            "say what you state after the review",
        ));
    }
    if passphrase.is_empty() {
        return Err(AppError::input(
            "app-err-notary-passphrase-empty",
            "the notary key's passphrase is empty",
        ));
    }
    let out = countersigned_path(&pkg);
    let (p, o) = (pkg.display().to_string(), out.display().to_string());
    let mut c = state.engine(&["countersign", &p, "--out", &o, "--statement", &statement]);
    c.env("WEBPROOF_PASSPHRASE", &passphrase);
    engine::in_background(move || engine::run_ok("webproof countersign", c)).await?;
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countersigned_package_goes_beside_the_original_without_overwriting() {
        let d = tempfile::tempdir().unwrap();
        let pkg = d.path().join("capture-1.wacz");
        assert_eq!(
            countersigned_path(&pkg),
            d.path().join("capture-1.countersigned.wacz")
        );
        std::fs::write(d.path().join("capture-1.countersigned.wacz"), b"x").unwrap();
        assert_eq!(
            countersigned_path(&pkg),
            d.path().join("capture-1.countersigned-2.wacz")
        );
    }
}
