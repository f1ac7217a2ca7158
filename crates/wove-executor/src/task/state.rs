//! The task state word: one atomic that orders cancellation against completion and the handle's drop against
//! publication of the outcome.
//!
//! # Protocol
//!
//! 1. `cancel()` sets [`CANCEL_REQUESTED`] only while [`DECIDED`] is clear (a compare-and-swap loop), and then
//!    wakes the task if it is suspended. It returns whether it set the bit: `true` means the task will end as
//!    cancelled, whatever its body does.
//! 2. The worker running the task sets [`RUNNING`] before the body's first step and checks
//!    [`CANCEL_REQUESTED`] before every step (a closure has one step, a future one per poll).
//! 3. When the body ends (value, panic or cancellation), the worker sets [`DECIDED`] with a `fetch_or`. If
//!    that `fetch_or` returns [`CANCEL_REQUESTED`], a value is dropped and the outcome is `Cancelled`. Because
//!    both sides use read-modify-writes on the same word, exactly one of "cancel won" and "completion won"
//!    holds, and `cancel()`'s answer always matches the outcome.
//! 4. The done-callbacks run; then, under the slot lock, the outcome is stored and [`COMPLETE`] set.
//! 5. The handle's drop sets [`DETACHED`]; the worker's `fetch_or(COMPLETE)` and the drop's
//!    `fetch_or(DETACHED)` each see whether the other came first, so exactly one of them disposes of an
//!    outcome nobody will read (dropping the value, reporting a panic to the panic handler). A task spawned
//!    with `spawn_detached` has no handle: it is born with [`DETACHED`] set, before anyone else can see it.

/// Set once the task's body has started: the first poll of its future, or the call of its closure.
pub(crate) const RUNNING: u32 = 1 << 0;
/// Set by `cancel()` while the outcome is not decided; never set once [`DECIDED`] is.
pub(crate) const CANCEL_REQUESTED: u32 = 1 << 1;
/// Set by the worker when the body has ended and the outcome is fixed; later `cancel()` calls return false.
pub(crate) const DECIDED: u32 = 1 << 2;
/// Set when the outcome is stored in the slot and every at-completion callback has run.
pub(crate) const COMPLETE: u32 = 1 << 3;
/// Set when the handle was dropped or detached: nobody will read the outcome.
pub(crate) const DETACHED: u32 = 1 << 4;
/// Set with [`COMPLETE`]: the task is no longer live (it leaves the engine's listings), though the engine's
/// registry may still hold it until the finishing worker's next batch of removals.
pub(crate) const RELEASED: u32 = 1 << 5;
