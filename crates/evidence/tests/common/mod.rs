//! Helpers shared by the evidence core's integration tests.

use webproof_evidence::journal::NewStep;
use webproof_evidence::record::StepKind;

/// A note step saying `text`, now.
pub fn note(text: &str) -> NewStep {
    let mut params = serde_json::Map::new();
    params.insert("text".into(), text.into());
    NewStep::instant(StepKind::Note, params)
}
