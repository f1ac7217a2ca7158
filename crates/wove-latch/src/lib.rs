//! Completion latch and event for wove — the replacement for asyncio's "the last task sets a global `Event`"
//! pattern, usable with or without the wove engine.
//!
//! - [`Latch`]: a counting latch that can grow while open ([`Latch::add`], [`Latch::guard`]) and is released
//!   exactly once, when its count reaches zero. Any number of blocking and async waiters.
//! - [`Event`]: the `asyncio.Event` analogue — [`set`](Event::set), [`clear`](Event::clear),
//!   [`wait`](Event::wait), [`wait_async`](Event::wait_async).
//! - [`WaitHook`]: how an executor makes blocking waits on its own threads run queued work instead of
//!   parking, without this crate knowing anything of the executor.
//!
//! # Examples
//!
//! ```
//! use wove_latch::Latch;
//!
//! let done = Latch::new(3);
//! for _ in 0..3 {
//!     let done = done.clone();
//!     std::thread::spawn(move || done.count_down().unwrap());
//! }
//! done.wait();
//! # futures_lite::future::block_on(async {
//! done.wait_async().await; // async waiters work the same way
//! # });
//! ```
//!
//! # Decisions
//!
//! - Misuse is an error value, never a panic and never a silently wrapped count: [`Latch::count_down`] on
//!   zero, [`Latch::add`] on a released latch or past `usize::MAX` return a [`LatchError`] and change
//!   nothing. [`Latch::guard`] returns a `Result` for the same reason: a guard on a released latch
//!   cannot hold a count, so it must fail visibly.
//! - A waiter woken by [`Event::set`] returns even if the event is cleared again before it runs — what
//!   asyncio users expect of `set()`: "all waiters are awakened".
//! - Async waits hold their own handle, so the futures are `'static` and can be moved into spawned tasks.
//!
//! # Memory ordering
//!
//! Every write a thread makes before it calls [`Latch::count_down`] (or drops a [`LatchGuard`]) is visible to
//! every waiter once that waiter's wait (blocking, timed and successful, or async) returns: count-downs are
//! `Release` read-modify-writes on one atomic, which form one release sequence, and waiters check with
//! `Acquire`. Likewise every write made before [`Event::set`] is visible to a waiter that saw the event set.
//! The lost-wakeup argument (check, listen, check again) is in the protocol notes of the `latch` and `event`
//! modules' source.
//!
//! # Loom
//!
//! Built with `RUSTFLAGS="--cfg loom"`, the atomics and `Arc` (and event-listener's internals) are loom's,
//! and the `latch_loom` tests model-check the count-down/wait protocol.
#![forbid(unsafe_code)]

mod error;
mod event;
mod guard;
mod latch;
mod sync;
mod wait_future;
mod wait_hook;

pub use error::LatchError;
pub use event::{Event, EventWait};
pub use guard::LatchGuard;
pub use latch::{Latch, LatchWait};
pub use wait_hook::{Blocker, WaitHook, WaitHookGuard, install_wait_hook};
