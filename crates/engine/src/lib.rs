//! webproof's engine: the sessions the command line and the desktop app run, behind a typed
//! API. This first part is the contract between them — [`Event`], the one event stream a
//! capture produces (`webproof capture --events`, docs/app-events.md) — which the CLI writes
//! and the app reads with the same type, so neither side picks JSON apart by hand.

pub mod events;

pub use events::{Event, Phase};
