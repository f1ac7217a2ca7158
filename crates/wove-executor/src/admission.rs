//! Admission against shutdown: which spawns an engine accepts, and when its workers may exit.
//!
//! # Protocol
//!
//! One atomic word holds the lifecycle flags in its low bits — [`CLOSED`] (no admissions from outside) and
//! [`CANCEL_ALL`] (`shutdown_now`) — and above them `live`: the number of tasks (and `install` jobs from
//! outside) admitted and not yet released.
//!
//! 1. An admission adds one to `live` with a single read-modify-write, which also returns the flags. It is
//!    refused — and undone — if the engine is closed and the spawn comes from outside the engine, or if the
//!    engine is closed and was idle (the workers are exiting, so nothing admitted now would ever run).
//!    Follow-ups of running tasks are admitted while closing.
//! 2. Closing sets `CLOSED` with a read-modify-write, then wakes every sleeping worker.
//! 3. Workers exit once the word reads closed with `live` at zero. The release that brings `live` to zero while
//!    closed wakes them all.
//!
//! Race "spawn during shutdown": an admission and the close are read-modify-writes of the same word, so one of
//! them comes first in its modification order. If the admission does, every later read of the word sees its
//! count, and the workers run the task before exiting; if the close does, the admission sees `CLOSED` and is
//! refused, its closure handed back. Nothing is lost and nothing waits forever — no reasoning about
//! `SeqCst` across two variables is needed. The loom model at the end of this file checks it.

use crate::sync::Ordering;
use crate::sync::model::AtomicUsize;

/// Set once the engine is shut down (or shutting down): no admissions from outside.
const CLOSED: usize = 1;
/// Set by `shutdown_now`: tasks admitted from now on are born cancelled.
const CANCEL_ALL: usize = 2;
/// One admitted task, in the word.
const ONE: usize = 4;

/// The outcome of an admission.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admitted {
    /// Counted; born cancelled if `shutdown_now` is under way.
    Yes { cancelled: bool },
    /// Refused: the engine is shut down.
    No,
}

pub(crate) struct Admission {
    word: AtomicUsize,
}

impl Admission {
    pub(crate) fn new() -> Self {
        Self { word: AtomicUsize::new(0) }
    }

    /// Step 1. `from_outside`: the spawn does not come from a task of this engine.
    pub(crate) fn admit(&self, from_outside: bool) -> Admitted {
        let before = self.word.fetch_add(ONE, Ordering::AcqRel);
        if before & CLOSED != 0 && (from_outside || before < ONE) {
            self.release();
            return Admitted::No;
        }
        Admitted::Yes { cancelled: before & CANCEL_ALL != 0 }
    }

    /// A counted task is done. Returns true if that made the engine idle (then waiters of `wait_idle` and,
    /// if closed, the workers must be woken).
    pub(crate) fn release(&self) -> bool {
        self.word.fetch_sub(ONE, Ordering::AcqRel) < 2 * ONE
    }

    /// Step 2 (the caller wakes the workers afterwards).
    pub(crate) fn close(&self, cancel_all: bool) {
        let flags = if cancel_all { CLOSED | CANCEL_ALL } else { CLOSED };
        self.word.fetch_or(flags, Ordering::AcqRel);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.word.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Step 3: workers exit once closed and idle.
    pub(crate) fn should_exit(&self) -> bool {
        let word = self.word.load(Ordering::Acquire);
        word & CLOSED != 0 && word < ONE
    }

    pub(crate) fn is_idle(&self) -> bool {
        self.word.load(Ordering::Acquire) < ONE
    }

    /// The number of counted tasks (a snapshot, for `Debug`).
    pub(crate) fn live(&self) -> usize {
        self.word.load(Ordering::Relaxed) / ONE
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::{Admission, Admitted};
    use loom::sync::{Arc, Mutex};
    use loom::thread;

    /// Test plan 20: spawn ‖ shutdown. The task runs, or the spawner gets it back; never lost, never stuck.
    #[test]
    fn spawn_races_shutdown() {
        loom::model(|| {
            let admission = Arc::new(Admission::new());
            let queue = Arc::new(Mutex::new(Vec::new()));
            let ran = Arc::new(Mutex::new(0));

            let spawner = {
                let (admission, queue) = (admission.clone(), queue.clone());
                thread::spawn(move || match admission.admit(true) {
                    Admitted::Yes { .. } => {
                        queue.lock().unwrap().push(());
                        true
                    }
                    Admitted::No => false,
                })
            };

            // The shutdown side: close, then act as the worker until it may exit.
            admission.close(false);
            loop {
                let job = queue.lock().unwrap().pop();
                match job {
                    Some(()) => {
                        *ran.lock().unwrap() += 1;
                        admission.release();
                    }
                    None if admission.should_exit() => break,
                    None => thread::yield_now(),
                }
            }
            let accepted = spawner.join().unwrap();
            assert_eq!(*ran.lock().unwrap(), usize::from(accepted), "an accepted task ran; a refused one did not");
            assert!(queue.lock().unwrap().is_empty(), "nothing was left behind");
        });
    }
}
