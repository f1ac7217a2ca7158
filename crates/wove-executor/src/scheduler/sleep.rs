//! Sleeping and waking workers.
//!
//! # Protocol
//!
//! One atomic word counts the workers that are *searching* (low 16 bits) and those *asleep* (the bits above).
//! A worker searches when a notifier woke it, or when it ran dry and spins before it sleeps — at most half the
//! workers at once spin that way; one that finds the limit reached goes to sleep at once (`begin_search`). The
//! list of sleeping workers sits under a mutex; each worker parks with `std::thread::park`, so the same parker
//! also serves its blocking waits (see `context::wait_for`).
//!
//! 1. **Notify** (after pushing work): a `SeqCst` fence, then one load of the word. If a worker is already
//!    searching, or nobody sleeps, that is all — one load on the hot path. Otherwise pop one sleeper, mark it
//!    searching, unpark it.
//! 2. **A searcher that finds work** stops searching; if it was the last searcher, workers still sleep and more
//!    work is in sight (in its own deque after a batch steal, the injector or another deque), it wakes the next
//!    one. A burst thus ramps up every core one wake at a time, without a thundering herd (many woken for one
//!    job) and without each spawn paying for a wake; a stream of single jobs from outside — each taken by the
//!    spinning worker as it comes — wakes nobody. A job the searcher did not see is not lost: the searcher
//!    is awake and looks again after its job, and a worker going to sleep looks everywhere (step 3).
//!
//!    Why spinners count (and at most half): a worker spinning uncounted let every notifier wake a sleeper for
//!    work the spinner was about to take, and two spinners on two cores took the CPU from the thread that fed
//!    them — a `then` chain built by the caller ran at about half speed; the measurements are in
//!    `docs/decisions.md`, with the outside inbox (`registry/inbox.rs`) that came with this rule.
//! 3. **Going to sleep**: push itself on the list and count itself asleep (no longer searching) in one step
//!    under the lock, then a `SeqCst` fence, then look at every queue (and at its stop condition) once more. If
//!    anything is there, it takes itself off the list again (or, if a notifier already took it off, carries on
//!    as a searcher). Otherwise it parks until a notifier takes it off the list.
//!
//! Work whose pusher runs it anyway if nobody steals it (a `join`'s second half, a job spilled from the
//! next-task slot) only *hints* — step 1 without the fence: a missed wake there delays parallelism, never
//! progress.
//!
//! Why no wakeup is lost: the notifier's push + fence + load and the sleeper's count + fence + re-check form a
//! Dekker pair. Either the notifier sees the sleeper counted (and wakes someone), or the sleeper's re-check sees
//! the pushed work. A notifier that skips because a worker is searching is covered the same way: that searcher
//! either finds the work or goes to sleep through step 3, whose re-check sees it.

use std::sync::OnceLock;
use std::time::Instant;

use crate::sync::Ordering;
use crate::sync::model::{AtomicBool, AtomicUsize, Mutex, Thread, current_thread, fence, park_until};

const SEARCHING_ONE: usize = 1;
const SEARCHING_MASK: usize = (1 << 16) - 1;
const ASLEEP_ONE: usize = 1 << 16;

pub(crate) struct Sleep {
    counts: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    asleep: Box<[AtomicBool]>,
    threads: Box<[OnceLock<Thread>]>,
}

impl Sleep {
    pub(crate) fn new(workers: usize) -> Self {
        Self {
            counts: AtomicUsize::new(0),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            asleep: (0..workers).map(|_| AtomicBool::new(false)).collect(),
            threads: (0..workers).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Records the calling thread as worker `index`'s, so it can be unparked.
    pub(crate) fn register_thread(&self, index: usize) {
        let _ = self.threads[index].set(current_thread());
    }

    /// Step 1: work was pushed; wake a worker if nobody is searching and somebody sleeps.
    #[inline]
    pub(crate) fn notify(&self) {
        fence(Ordering::SeqCst);
        let counts = self.counts.load(Ordering::Relaxed);
        if counts & SEARCHING_MASK == 0 && counts >= ASLEEP_ONE {
            self.wake_one();
        }
    }

    /// Step 1 without the fence, for work that its pusher will run itself if nobody takes it (`join`'s second
    /// half, a job spilled from the next-task slot): a missed wake costs parallelism for a moment, never
    /// progress, and the fence (a full barrier) is the most expensive part of a fork.
    #[inline]
    pub(crate) fn hint(&self) {
        let counts = self.counts.load(Ordering::Relaxed);
        if counts & SEARCHING_MASK == 0 && counts >= ASLEEP_ONE {
            self.wake_one();
        }
    }

    /// A worker that ran dry counts itself searching while it spins, unless `limit` workers already search:
    /// then it returns false and should sleep at once. Needs no ordering: what keeps wakes from being lost is
    /// step 3's fence and re-check, which every searcher passes through before it sleeps.
    pub(crate) fn begin_search(&self, limit: usize) -> bool {
        let mut counts = self.counts.load(Ordering::Relaxed);
        loop {
            if counts & SEARCHING_MASK >= limit {
                return false;
            }
            let searching = counts + SEARCHING_ONE;
            match self.counts.compare_exchange_weak(counts, searching, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(actual) => counts = actual,
            }
        }
    }

    /// Step 2: a searcher found work; `more` tells whether more work is in sight.
    pub(crate) fn end_search(&self, more: impl FnOnce() -> bool) {
        let before = self.counts.fetch_sub(SEARCHING_ONE, Ordering::SeqCst);
        if before & SEARCHING_MASK == 1 && before >= ASLEEP_ONE && more() {
            self.wake_one();
        }
    }

    fn wake_one(&self) -> bool {
        let index = {
            let mut sleepers = self.sleepers.lock();
            let Some(index) = sleepers.pop() else { return false };
            self.asleep[index].store(false, Ordering::Release);
            self.counts.fetch_sub(ASLEEP_ONE - SEARCHING_ONE, Ordering::SeqCst);
            index
        };
        self.unpark(index);
        true
    }

    /// True if every worker is asleep (a snapshot, for a shutdown looking for stuck work).
    pub(crate) fn all_asleep(&self) -> bool {
        self.counts.load(Ordering::SeqCst) / ASLEEP_ONE == self.asleep.len()
    }

    /// Wakes every sleeper (shutdown, or the engine went idle while closing).
    pub(crate) fn wake_all(&self) {
        while self.wake_one() {}
    }

    /// Step 3, first half: count worker `index` asleep (ending its search if it was searching).
    pub(crate) fn prepare(&self, index: usize, searching: bool) {
        let mut sleepers = self.sleepers.lock();
        sleepers.push(index);
        self.asleep[index].store(true, Ordering::Relaxed);
        let delta = if searching { ASLEEP_ONE - SEARCHING_ONE } else { ASLEEP_ONE };
        self.counts.fetch_add(delta, Ordering::SeqCst);
        drop(sleepers);
        fence(Ordering::SeqCst);
    }

    /// Takes worker `index` off the list. False if a notifier took it off first: it is searching now.
    pub(crate) fn cancel(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        if !self.asleep[index].load(Ordering::Relaxed) {
            return false;
        }
        if let Some(at) = sleepers.iter().position(|&i| i == index) {
            sleepers.swap_remove(at);
        }
        self.asleep[index].store(false, Ordering::Relaxed);
        self.counts.fetch_sub(ASLEEP_ONE, Ordering::SeqCst);
        true
    }

    /// True while worker `index` is on the list (no notifier has woken it).
    pub(crate) fn is_asleep(&self, index: usize) -> bool {
        self.asleep[index].load(Ordering::Acquire)
    }

    /// Parks the calling worker until unparked or `deadline`.
    pub(crate) fn park(deadline: Option<Instant>) {
        park_until(deadline);
    }

    fn unpark(&self, index: usize) {
        if let Some(thread) = self.threads[index].get() {
            thread.unpark();
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::Sleep;
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;

    /// A worker going to sleep races a notifier that pushes work: the worker always ends up with the work
    /// (a lost wakeup would leave it parked forever, which loom reports as a deadlock). The queue is an atomic
    /// with release pushes and acquire checks, like the lock-free deques, so only the protocol's own fences
    /// order the push against the sleeper's count.
    #[test]
    fn notify_vs_going_to_sleep() {
        loom::model(|| {
            let sleep = Arc::new(Sleep::new(1));
            let queue = Arc::new(AtomicUsize::new(0));
            let worker = {
                let (sleep, queue) = (sleep.clone(), queue.clone());
                thread::spawn(move || {
                    sleep.register_thread(0);
                    loop {
                        if queue.swap(0, Ordering::Acquire) > 0 {
                            return;
                        }
                        // Step 3 of the protocol: count in, re-check, park until taken off the list.
                        sleep.prepare(0, false);
                        if queue.load(Ordering::Acquire) > 0 {
                            if !sleep.cancel(0) {
                                sleep.end_search(|| true); // a notifier woke it first: it was searching
                            }
                            continue;
                        }
                        while sleep.is_asleep(0) {
                            loom::thread::park();
                        }
                        sleep.end_search(|| true);
                    }
                })
            };
            queue.fetch_add(1, Ordering::Release);
            sleep.notify();
            worker.join().unwrap();
        });
    }

    /// A worker that ran dry spins as a searcher, finds nothing and goes to sleep, racing a notifier that pushes
    /// work and — seeing the spinner — wakes nobody: the spinner's own re-check before parking must find the
    /// work (a lost wakeup would leave it parked forever, which loom reports as a deadlock).
    #[test]
    fn notify_skipped_for_a_spinner_vs_its_going_to_sleep() {
        loom::model(|| {
            let sleep = Arc::new(Sleep::new(2));
            let queue = Arc::new(AtomicUsize::new(0));
            let worker = {
                let (sleep, queue) = (sleep.clone(), queue.clone());
                thread::spawn(move || {
                    sleep.register_thread(0);
                    assert!(sleep.begin_search(1), "nobody else searches");
                    if queue.swap(0, Ordering::Acquire) > 0 {
                        sleep.end_search(|| false);
                        return;
                    }
                    sleep.prepare(0, true);
                    if queue.swap(0, Ordering::Acquire) > 0 {
                        if !sleep.cancel(0) {
                            sleep.end_search(|| false);
                        }
                        return;
                    }
                    while sleep.is_asleep(0) {
                        loom::thread::park();
                    }
                    sleep.end_search(|| false);
                    assert_eq!(queue.swap(0, Ordering::Acquire), 1, "woken for the work");
                })
            };
            queue.fetch_add(1, Ordering::Release);
            sleep.notify();
            worker.join().unwrap();
        });
    }
}
