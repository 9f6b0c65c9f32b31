//! Generates the list of every message key of the English catalogue the Rust side loads
//! (crates/i18n/locales/en/{webproof,cli,help}.ftl; app.ftl is the window's), against which
//! `key!` checks each key at compile time.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR")?).join("../i18n/locales/en");
    println!("cargo::rerun-if-changed={}", dir.display());
    let files = ["webproof.ftl", "cli.ftl", "help.ftl"].map(|f| dir.join(f));
    let mut keys = Vec::new();
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        for line in std::fs::read_to_string(f)?.lines() {
            // A message starts a line with its identifier and `=` (Fluent's syntax); comments
            // start with `#`, continuations and attributes with a space.
            if line.starts_with(|c: char| c.is_ascii_lowercase())
                && let Some((id, _)) = line.split_once('=')
            {
                keys.push(id.trim().to_owned());
            }
        }
    }
    keys.sort();
    keys.dedup();
    let mut out = String::from(
        "/// Every message key of the English catalogue, sorted.\npub const KEYS: &[&str] = &[\n",
    );
    for k in &keys {
        writeln!(out, "    {k:?},")?;
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&std::env::var("OUT_DIR")?).join("keys.rs"), out)?;
    Ok(())
}
