//! The binding to the page's worker (WebAssembly only).

use std::io;

use wasm_bindgen::prelude::*;
use webproof_evidence::container::ReadAt;

#[wasm_bindgen]
extern "C" {
    /// The worker's reader of the dropped file: fills `buf` from `offset` (a `Blob.slice`
    /// read with `FileReaderSync`) and returns how many bytes it put there (0 at the end).
    #[wasm_bindgen(catch, js_name = webproofReadAt)]
    fn read_at(offset: f64, buf: &mut [u8]) -> Result<u32, JsValue>;
}

/// The dropped file, read through the worker. It holds nothing of JavaScript's, so it is
/// `Send` and `Sync` as the package reader asks (the page has one thread).
struct PageFile;

impl ReadAt for PageFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        // Offsets of files up to 2^53 bytes are exact as JavaScript numbers.
        match read_at(offset as f64, buf) {
            Ok(n) => Ok((n as usize).min(buf.len())),
            Err(e) => Err(io::Error::other(
                e.as_string()
                    .unwrap_or_else(|| "the file could not be read".into()),
            )),
        }
    }
}

/// Verifies the dropped file (`name`, `len` bytes) with `trust` (JSON, see [`crate::Trust`]);
/// the result as `webproof verify --json` prints it, in language `lang`.
#[wasm_bindgen(js_name = verifyPackage)]
pub fn verify_package(name: &str, len: f64, trust: &str, lang: &str) -> Result<String, JsError> {
    crate::verify(name, Box::new(PageFile), len as u64, trust, lang)
        .map_err(|e| JsError::new(&crate::explain(&e, lang)))
}

/// The SHA-256 (hex) of the whole dropped file (`len` bytes).
#[wasm_bindgen(js_name = packageSha256)]
pub fn package_sha256(len: f64) -> Result<String, JsError> {
    crate::package_sha256(&PageFile, len as u64).map_err(|e| JsError::new(&e.to_string()))
}

/// The SHA-256 and SM3 (hex) of the whole dropped file (`len` bytes), as JSON
/// `{"sha256": …, "sm3": …}`.
#[wasm_bindgen(js_name = fileDigests)]
pub fn file_digests(len: f64) -> Result<String, JsError> {
    let d = crate::file_digests(&PageFile, len as u64).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(format!(
        r#"{{"sha256":"{}","sm3":"{}"}}"#,
        d.sha256.to_hex(),
        d.sm3.to_hex()
    ))
}

/// The page's "check one file": the file of digests `sha256`, `sm3` in the dropped package
/// (`name`, `len` bytes), verified with `trust` ([`crate::FileInPackage`] as JSON).
#[wasm_bindgen(js_name = findFile)]
pub fn find_file(
    name: &str,
    len: f64,
    trust: &str,
    lang: &str,
    sha256: &str,
    sm3: &str,
) -> Result<String, JsError> {
    let open = || Box::new(PageFile) as Box<dyn ReadAt + Send + Sync>;
    crate::find_file(name, &open, len as u64, trust, lang, sha256, sm3)
        .map_err(|e| JsError::new(&crate::explain(&e, lang)))
}

/// The page's words in language `lang` (JSON object by catalogue key).
#[wasm_bindgen(js_name = pageTexts)]
pub fn page_texts(lang: &str) -> Result<String, JsError> {
    crate::page_texts(lang).map_err(|e| JsError::new(&crate::explain(&e, lang)))
}
