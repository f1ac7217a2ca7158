//! wove: a multi-threaded, work-stealing job engine for Rust.
//!
//! This facade re-exports the wove crates; see each for the details.
//!
//! # Examples
//!
//! ```
//! let latch = wove::Latch::new(1);
//! latch.count_down()?;
//! assert!(latch.is_released());
//! # Ok::<(), wove::LatchError>(())
//! ```
#![forbid(unsafe_code)]

/// The README's code blocks, compiled and run as doc tests so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use wove_latch::{
    Blocker, Event, EventWait, Latch, LatchError, LatchGuard, LatchWait, WaitHook, WaitHookGuard, install_wait_hook,
};
