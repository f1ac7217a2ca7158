//! The next-task slot: where a worker keeps the task that its running task just spawned or woke, so it runs
//! next on the same core — a chain of tasks, each readying the next, stays on one warm core instead of being
//! stolen link by link.
//!
//! # Protocol
//!
//! 1. Only the owner puts a job in its slot. A job already there moves to the owner's deque (stealable), and
//!    other workers are notified.
//! 2. The owner takes from its slot first, at most [`MAX_STREAK`] times in a row, so two tasks that keep
//!    readying each other cannot starve the deque and the injector (the cap tokio uses for its LIFO slot).
//! 3. The owner bumps `progress` each time it starts a job. A worker that runs out of work notes every owner's
//!    `progress` as it starts spinning; if the whole spin (tens of microseconds) finds nothing, it may take a
//!    slot's job whose owner made no progress in all that time: that owner is stuck in a long job, and the job
//!    would otherwise wait for it (the stall of tokio #4941). An owner in the middle of a short job is left
//!    alone, so a chain stays on its core. Only awake workers do this: if every other worker is asleep when
//!    the owner starts a long job, the slot's job waits for it, as in tokio.

use std::cell::Cell;
use std::ptr::{NonNull, null_mut};

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicPtr, AtomicUsize, Ordering};
use crate::task::job::Job;

/// Slot runs in a row before the owner looks at its deque and the injector first.
pub(crate) const MAX_STREAK: u8 = 3;

/// A worker's slot and progress counter, as other workers see them.
pub(crate) struct NextSlot {
    /// The job in the slot (`Job::into_raw`), or null: every access is one swap, which hands the job over.
    job: AtomicPtr<()>,
    progress: AtomicUsize,
}

/// The per-worker part of the engine's shared state.
pub(crate) type Slots = Box<[CachePadded<NextSlot>]>;

pub(crate) fn slots(workers: usize) -> Slots {
    (0..workers)
        .map(|_| CachePadded::new(NextSlot { job: AtomicPtr::new(null_mut()), progress: AtomicUsize::new(0) }))
        .collect()
}

impl NextSlot {
    /// Step 1: puts `job` in the slot; returns the job it displaced, for the deque.
    pub(crate) fn put(&self, job: Job) -> Option<Job> {
        self.swap(job.into_raw().as_ptr())
    }

    /// True if a job waits in the slot (a snapshot, for metrics).
    pub(crate) fn is_occupied(&self) -> bool {
        !self.job.load(Ordering::Relaxed).is_null()
    }

    /// The owner's take (step 2 is the caller's streak count).
    pub(crate) fn take(&self) -> Option<Job> {
        // Cheap when empty, as it mostly is for the thieves and often for the owner: no write.
        if self.job.load(Ordering::Relaxed).is_null() { None } else { self.swap(null_mut()) }
    }

    /// Puts `new` in the slot, taking out what was there: the swap hands both jobs over (`AcqRel`: the job's
    /// contents, written before it was put, are visible to whoever takes it).
    fn swap(&self, new: *mut ()) -> Option<Job> {
        // SAFETY: whatever the slot holds came from `Job::into_raw` (`put`), and the swap took it out, so it is
        // turned back once.
        NonNull::new(self.job.swap(new, Ordering::AcqRel)).map(|raw| unsafe { Job::from_raw(raw) })
    }

    /// Step 3: the owner started a job.
    pub(crate) fn progressed(&self) {
        self.progress.store(self.progress.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
    }

    /// Step 3: a thief notes the owner's progress as it starts spinning...
    pub(crate) fn note_progress(&self, seen: &Cell<usize>) {
        seen.set(self.progress.load(Ordering::Relaxed));
    }

    /// ...and takes the slot's job when its spin is over only if the owner made no progress since.
    pub(crate) fn steal_if_stale(&self, seen: &Cell<usize>) -> Option<Job> {
        if self.progress.load(Ordering::Relaxed) != seen.get() {
            return None;
        }
        self.take()
    }
}

impl Drop for NextSlot {
    fn drop(&mut self) {
        // A job left in the slot (its engine is gone) is dropped with it, as the deques drop theirs.
        drop(self.take());
    }
}
