//! docs/deploy-alliance.md shows each registration-authority request and answer; every example
//! there must be exactly what the types the server and the commands share read and write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde::Serialize;
use serde::de::DeserializeOwned;
use webproof_log::ra::*;

/// The examples of the document: (type name, JSON text), from blocks opened by
/// "```json ra:<Type>".
fn examples() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/deploy-alliance.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some(t) = l.strip_prefix("```json ra:") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push((t.trim().to_owned(), body.join("\n")));
        }
    }
    out
}

/// The example reads as `T`, and `T` writes it back field for field (no field of the example
/// ignored, none of the type left out).
fn same<T: DeserializeOwned + Serialize>(json: &str) {
    let parsed: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), doc, "{json}");
}

#[test]
fn every_request_and_answer_in_the_document_is_what_the_types_read_and_write() {
    let ex = examples();
    let names: Vec<&str> = ex.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "RegistrarRequest",
            "RegistrarAdded",
            "CodeRequest",
            "CodeIssued",
            "EnrollRequest",
            "EnrollAnswer",
            "RevokeRequest",
            "Revoked"
        ]
    );
    for (name, json) in &ex {
        match name.as_str() {
            "RegistrarRequest" => same::<RegistrarRequest>(json),
            "RegistrarAdded" => same::<RegistrarAdded>(json),
            "CodeRequest" => same::<CodeRequest>(json),
            "CodeIssued" => same::<CodeIssued>(json),
            "EnrollRequest" => same::<EnrollRequest>(json),
            "EnrollAnswer" => same::<EnrollAnswer>(json),
            "RevokeRequest" => same::<RevokeRequest>(json),
            "Revoked" => same::<Revoked>(json),
            other => panic!("no type {other}"),
        }
    }
    // A request with a field the server does not know is refused, not half read.
    let (_, enroll) = ex.iter().find(|(n, _)| n == "EnrollRequest").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(enroll).unwrap();
    v["identity"]["tenant"] = "acme".into();
    assert!(serde_json::from_value::<EnrollRequest>(v).is_err());
}
