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
//!    Follow-ups of running tasks are admitted while closing. The undo is a release like any other: if it
//!    brings `live` to zero, the workers must be woken (step 3), or they could sleep through the end.
//! 2. Closing sets `CLOSED` with a read-modify-write, then wakes every sleeping worker.
//! 3. Workers exit once the word reads closed with `live` at zero. The release that brings `live` to zero while
//!    closed wakes them all.
//!
//! Workers hold **credits**: counts in `live` that no task holds. A task that finishes on a worker leaves its
//! count there as a credit instead of taking it off the word, and a spawn on a worker uses a credit if it has
//! one (else it admits a reserve of several at once, step 1); a worker gives all its credits back (a release
//! of that many) before it sleeps, so before it could exit. So `live` never counts less than the live tasks,
//! it reaches zero only when they are all done and every worker has run dry and stopped spinning, and the word,
//! which every core would otherwise write on every task, is written about once per batch. A spawn with a
//! credit needs no check of `CLOSED`: it comes from a worker that holds counts, so the engine is not idle,
//! and follow-ups are admitted while closing anyway; it reads `CANCEL_ALL` with a load.
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
    /// Refused: the engine is shut down. `idle`: undoing this admission's count made the engine idle, so the
    /// caller must wake the workers (and `wait_idle` waiters) as any release to zero does.
    No { idle: bool },
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
        self.admit_many(1, from_outside)
    }

    /// Step 1 for `count` tasks at once (a worker's reserve of credits, see `worker.rs`): all or none.
    pub(crate) fn admit_many(&self, count: usize, from_outside: bool) -> Admitted {
        let before = self.word.fetch_add(count * ONE, Ordering::AcqRel);
        if before & CLOSED != 0 && (from_outside || before < ONE) {
            return Admitted::No { idle: self.release_many(count) };
        }
        Admitted::Yes { cancelled: before & CANCEL_ALL != 0 }
    }

    /// Whether tasks admitted now are born cancelled (`shutdown_now` is under way): for a worker admitting a
    /// task with a credit it already holds, as step 1's read-modify-write tells the others.
    pub(crate) fn is_cancelling(&self) -> bool {
        self.word.load(Ordering::Acquire) & CANCEL_ALL != 0
    }

    /// `count` counted tasks (or a worker's credits) are done. Returns true if that made the engine idle (then
    /// waiters of `wait_idle` and, if closed, the workers must be woken).
    pub(crate) fn release_many(&self, count: usize) -> bool {
        self.word.fetch_sub(count * ONE, Ordering::AcqRel) < (count + 1) * ONE
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
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::sync::{Arc, Mutex};
    use loom::thread;

    /// Where the model's worker will register its thread, and the engine's wake-up of it.
    fn worker_wake() -> (Arc<Mutex<Option<thread::Thread>>>, impl Fn() + Clone) {
        let worker_thread = Arc::new(Mutex::new(None::<thread::Thread>));
        let registered = worker_thread.clone();
        let wake = move || {
            if let Some(worker) = &*registered.lock().unwrap() {
                worker.unpark();
            }
        };
        (worker_thread, wake)
    }

    /// Test plan 20: spawn ‖ shutdown. The task runs, or the spawner gets it back; never lost, never stuck.
    /// The worker sleeps (parks) whenever it finds nothing and may not exit yet, and is woken only as the
    /// engine wakes workers: when a release, or a refused admission's undo, makes a closed engine idle.
    #[test]
    fn spawn_races_shutdown() {
        loom::model(|| {
            let admission = Arc::new(Admission::new());
            let queue = Arc::new(AtomicUsize::new(0));
            let (worker_thread, wake) = worker_wake();

            // The one worker: runs what is queued, sleeps when there is nothing, exits once closed and idle.
            let worker = {
                let (admission, queue, worker_thread, wake) =
                    (admission.clone(), queue.clone(), worker_thread.clone(), wake.clone());
                thread::spawn(move || {
                    *worker_thread.lock().unwrap() = Some(thread::current());
                    let mut ran = 0;
                    loop {
                        if queue.swap(0, Ordering::Acquire) > 0 {
                            ran += 1;
                            if admission.release_many(1) {
                                wake();
                            }
                        } else if admission.should_exit() {
                            return ran;
                        } else {
                            thread::park();
                        }
                    }
                })
            };

            let spawner = {
                let (admission, queue, wake) = (admission.clone(), queue.clone(), wake.clone());
                thread::spawn(move || match admission.admit(true) {
                    Admitted::Yes { .. } => {
                        queue.fetch_add(1, Ordering::Release);
                        wake();
                        true
                    }
                    Admitted::No { idle } => {
                        if idle {
                            wake();
                        }
                        false
                    }
                })
            };

            // The shutdown: close, then wake the workers (`Shared::close`).
            admission.close(false);
            wake();
            let accepted = spawner.join().unwrap();
            let ran = worker.join().unwrap();
            assert_eq!(ran, usize::from(accepted), "an accepted task ran; a refused one did not");
        });
    }

    /// Credits (the protocol's worker credits) ‖ shutdown: a task running on the worker spawns a follow-up with
    /// the worker's credit (or admits one if it has none), the task's own count becomes a credit, and credits
    /// are given back only when the worker runs dry (before it sleeps). The follow-up always runs, and the
    /// worker exits — with the engine closed concurrently at any point.
    #[test]
    fn credits_race_shutdown() {
        loom::model(|| {
            let admission = Arc::new(Admission::new());
            assert_eq!(admission.admit(true), Admitted::Yes { cancelled: false });
            let queue = Arc::new(AtomicUsize::new(1));
            let (worker_thread, wake) = worker_wake();
            let worker = {
                let (admission, queue, worker_thread, wake) =
                    (admission.clone(), queue.clone(), worker_thread.clone(), wake.clone());
                thread::spawn(move || {
                    *worker_thread.lock().unwrap() = Some(thread::current());
                    let (mut ran, mut credits, mut spawned) = (0, 0, false);
                    loop {
                        if queue.swap(0, Ordering::Acquire) > 0 {
                            ran += 1;
                            if !spawned {
                                // The first task spawns a follow-up, as `WorkerContext::admit` does.
                                spawned = true;
                                if credits > 0 {
                                    credits -= 1;
                                } else {
                                    assert!(matches!(admission.admit_many(1, false), Admitted::Yes { .. }));
                                }
                                queue.fetch_add(1, Ordering::Release);
                            }
                            credits += 1;
                            continue;
                        }
                        // Ran dry: give the credits back (`WorkerContext::give_back`).
                        if credits > 0 && admission.release_many(std::mem::take(&mut credits)) {
                            wake();
                        }
                        if admission.should_exit() {
                            return ran;
                        }
                        thread::park();
                    }
                })
            };
            admission.close(false);
            wake();
            assert_eq!(worker.join().unwrap(), 2, "the task and its follow-up ran");
            assert!(admission.is_idle());
        });
    }
}
