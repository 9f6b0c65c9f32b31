//! # webproof-ledger
//!
//! The pure core of the evidence log (issue: the judicial alliance): RFC 9162 Merkle trees
//! with inclusion and consistency proofs ([`merkle`]) and the C2SP formats others can check
//! without webproof — signed notes, checkpoints and `cosignature/v1` ([`note`]).
//!
//! No network, no storage, no clock: the log server, witnesses and client build on this.

pub mod api;
pub mod auth;
pub mod bundle;
pub mod deposit;
pub mod merkle;
pub mod note;
pub mod receipt;
pub mod tiles;
pub mod tree;
pub mod witness;
