//! # webproof-log
//!
//! The evidence log at the storage edge. So far: the choice of embedded store, measured by
//! `cargo bench -p webproof-log --bench storage` (see ARCHITECTURE.md).
