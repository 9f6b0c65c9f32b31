//! # webproof-evidence
//!
//! The evidence core: everything that defines what a webproof capture *is*, and nothing that
//! talks to the world. No network, no browser, no FFmpeg, no async runtime, no global state.
//! File IO happens only where the format is on disk (journal, capture directory, package).
//!
//! Architecture invariant: this crate depends on no other webproof crate.

pub mod canonical;
pub mod capture;
pub mod container;
pub mod digest;
pub mod identity;
pub mod journal;
pub mod layout;
pub mod manifest;
pub mod package;
pub mod record;
pub mod renewal;
pub mod review;
pub mod supervision;
pub mod utc;
pub mod wacz;
pub mod warc;

pub use digest::{Digests, Hash32};
pub use record::{Artifact, StepKind, StepRecord};
pub use utc::Utc;
