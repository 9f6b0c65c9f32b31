//! End-to-end: the real `webproof` binary, driven as a user (or a script) would, and its
//! packages checked by independent tools: OpenSSL, coreutils' sha256sum and the WACZ
//! validator from PyPI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod alliance;
mod app;
mod architecture;
mod batch;
mod by_hand;
mod capture;
mod cjk;
mod cli;
mod crash;
mod docs;
mod enrollment;
mod env_check;
mod events;
mod i18n;
mod limits;
mod manual;
mod notary;
mod page_browser;
mod postgres;
mod report;
mod signals;
mod site;
mod timestamp;
mod verify_page;
mod watch;
mod windows;
mod witness;
