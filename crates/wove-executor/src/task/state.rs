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
//!
//! The bits are private: the word changes only through [`State`]'s transitions, each named after its step,
//! and each returns what the step must know (`#[must_use]`).

use crate::sync::Ordering;
use crate::sync::model::AtomicU32;

/// Set once the task's body has started: the first poll of its future, or the call of its closure.
const RUNNING: u32 = 1 << 0;
/// Set by `cancel()` while the outcome is not decided; never set once [`DECIDED`] is.
const CANCEL_REQUESTED: u32 = 1 << 1;
/// Set by the worker when the body has ended and the outcome is fixed; later `cancel()` calls return false.
const DECIDED: u32 = 1 << 2;
/// Set when the outcome is stored in the slot and every at-completion callback has run.
const COMPLETE: u32 = 1 << 3;
/// Set when the handle was dropped or detached: nobody will read the outcome.
const DETACHED: u32 = 1 << 4;
/// Set with [`COMPLETE`]: the task is no longer live (it leaves the engine's listings), though the engine's
/// registry may still hold it until the finishing worker's next batch of removals.
const RELEASED: u32 = 1 << 5;

/// A task's state word (see the module docs).
pub(crate) struct State(AtomicU32);

/// The state word as one transition or load saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub(crate) struct Snapshot(u32);

impl Snapshot {
    #[inline]
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }

    #[inline]
    pub(crate) fn is_cancel_requested(self) -> bool {
        self.0 & CANCEL_REQUESTED != 0
    }

    #[inline]
    pub(crate) fn is_decided(self) -> bool {
        self.0 & DECIDED != 0
    }

    #[inline]
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }

    #[inline]
    pub(crate) fn is_detached(self) -> bool {
        self.0 & DETACHED != 0
    }

    #[inline]
    pub(crate) fn is_released(self) -> bool {
        self.0 & RELEASED != 0
    }
}

/// What a cancellation request found (step 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum CancelRequest {
    /// This call set [`CANCEL_REQUESTED`]: the task will end as cancelled.
    Now,
    /// Somebody else did already: the task will end as cancelled.
    Already,
    /// The outcome was decided first: nothing changes.
    TooLate,
}

impl State {
    /// A fresh task's word; `detached`: born without a handle (step 5).
    #[inline]
    pub(crate) fn new(detached: bool) -> Self {
        Self(AtomicU32::new(if detached { DETACHED } else { 0 }))
    }

    /// The word now (`Acquire`).
    #[inline]
    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Ordering::Acquire))
    }

    /// Step 1: asks for cancellation while the outcome is not decided.
    #[inline]
    pub(crate) fn request_cancel(&self) -> CancelRequest {
        let mut state = self.0.load(Ordering::Acquire);
        loop {
            if state & DECIDED != 0 {
                return CancelRequest::TooLate;
            }
            if state & CANCEL_REQUESTED != 0 {
                return CancelRequest::Already;
            }
            match self.0.compare_exchange_weak(state, state | CANCEL_REQUESTED, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return CancelRequest::Now,
                Err(actual) => state = actual,
            }
        }
    }

    /// Step 2, before a step of the body: false if the task must end as cancelled instead.
    #[must_use]
    #[inline]
    pub(crate) fn begin_step(&self) -> bool {
        self.0.fetch_or(RUNNING, Ordering::AcqRel) & CANCEL_REQUESTED == 0
    }

    /// Step 2, before the one step of a body that runs once (a closure): `None` if it was started before —
    /// whoever gets `Some` is the only one ever to run (or drop unrun) the body — else whether to run it
    /// (`Some(false)`: end as cancelled instead).
    #[must_use]
    #[inline]
    pub(crate) fn claim(&self) -> Option<bool> {
        let before = self.0.fetch_or(RUNNING, Ordering::AcqRel);
        (before & RUNNING == 0).then_some(before & CANCEL_REQUESTED == 0)
    }

    /// Step 3: the outcome is decided; returns the word before (did a cancellation win? is the handle gone?).
    #[inline]
    pub(crate) fn decide(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(DECIDED, Ordering::AcqRel))
    }

    /// Step 4 (under the slot lock): the outcome is stored and the task released; returns the word before (is
    /// the handle gone, so the outcome is an orphan to dispose of?).
    #[inline]
    pub(crate) fn complete(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(COMPLETE | RELEASED, Ordering::AcqRel))
    }

    /// Step 4 for a task whose handle was gone before its outcome was decided, with no cancellation under way
    /// (`decided`, what [`decide`](Self::decide) returned, says so): nobody else writes the word any more, so a
    /// store does.
    #[inline]
    pub(crate) fn complete_alone(&self, decided: Snapshot) {
        debug_assert!(decided.is_detached() && !decided.is_cancel_requested());
        self.0.store(decided.0 | DECIDED | COMPLETE | RELEASED, Ordering::Release);
    }

    /// Step 5: the handle is gone; returns the word before (was the outcome already stored?).
    #[inline]
    pub(crate) fn detach(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(DETACHED, Ordering::AcqRel))
    }
}
