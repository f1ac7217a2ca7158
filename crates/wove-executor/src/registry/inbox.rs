//! Sending finished tasks home to be freed: a worker that finishes a task spawned on another worker (it stole
//! it) or outside the engine hands the task's last count back to the spawning side, which drops it — so frees
//! the cell — as it spawns.
//!
//! Why: the global allocator serves a cell from the spawning thread's heap, and a free from another thread
//! goes back to that heap. With glibc's malloc, that takes the heap's arena lock, which the spawning worker
//! takes too as it allocates the next cells: in a fan-out, the stealing worker's frees and the spawner's
//! allocations fought for it, and a waiter on a taken lock costs a system call on each side. Freed at home,
//! the cell goes to the spawner's own per-thread cache, from which its next spawn takes it again. The
//! measurements are in `docs/decisions.md`.
//!
//! Tasks spawned from outside the engine go home to the outside shard's inbox. A spawn from outside takes them
//! out a batch at a time (under the outside shard's lock, which it takes anyway) and frees **one** per spawn,
//! right after its own allocation: the freed cell lands in the thread's per-thread cache and the next spawn's
//! cell is served from there, so neither side takes the arena lock — the worker no longer frees, the spawner
//! no longer goes to the arena for a cell. (Freeing a whole batch at once, the first try, cost a lone spawner more than
//! the lock had: most of the batch overflowed the small per-thread cache into the arena.)
//!
//! An inbox holds at most [`CAPACITY`] counts; a worker that finds it full drops the rest itself. What waits in
//! an inbox is a finished task's empty cell — its body, outcome and callbacks are gone — so nothing anybody
//! can observe is delayed. A worker empties its own on every spawn where the inbox's flag says it holds
//! anything, and before it sleeps whatever the flag says. The outside shard's is emptied by a worker that has
//! slept a while (`OUTSIDE_GRACE`, 10 ms) with nothing to do — not as it goes to sleep: a worker sleeps between
//! the links of a `then` chain built from outside, and its frees fought the building thread for its heap's
//! lock — so an idle engine keeps no finished cells; the registry drops what is left with the engine.
//!
//! The counts move under the inbox's lock; the flag beside it is only a hint, set and cleared under the lock,
//! so that a spawn checks it with one load and no lock.

use crate::sync::model::{AtomicBool, Mutex};
use crate::sync::{Arc, Ordering};
use crate::task::header::TaskControl;

/// At most this many counts wait in one inbox.
pub(crate) const CAPACITY: usize = 1024;

/// One shard's inbox of counts sent home: a worker's, or the outside shard's.
pub(crate) struct Inbox {
    /// Set when counts were sent: what the owner checks on every spawn, a line written once per batch.
    pending: AtomicBool,
    counts: Mutex<Vec<Arc<dyn TaskControl>>>,
}

impl Inbox {
    pub(crate) fn new() -> Self {
        Self { pending: AtomicBool::new(false), counts: Mutex::new(Vec::new()) }
    }

    /// Moves the counts `counts[from..]` in, as many as there is room for; the rest stay in `counts`.
    pub(crate) fn send(&self, counts: &mut Vec<Arc<dyn TaskControl>>, from: usize) {
        let mut inbox = self.counts.lock();
        let sent = (counts.len() - from).min(CAPACITY.saturating_sub(inbox.len()));
        if sent > 0 {
            inbox.extend(counts.drain(counts.len() - sent..));
            self.pending.store(true, Ordering::Relaxed);
        }
    }

    /// Whether counts were sent since the owner last collected them: a hint (it may be late), for the owner to
    /// check cheaply on every spawn — one load of a line written once per batch.
    #[inline]
    pub(crate) fn any(&self) -> bool {
        self.pending.load(Ordering::Relaxed)
    }

    /// The owner: swaps the counts sent home into `into` (which is empty, and whose buffer stays here for the
    /// next sends).
    pub(crate) fn collect(&self, into: &mut Vec<Arc<dyn TaskControl>>) {
        let mut inbox = self.counts.lock();
        std::mem::swap(&mut *inbox, into);
        self.pending.store(false, Ordering::Relaxed);
    }
}

/// `n` counts of fresh tasks, to send home in tests.
#[cfg(test)]
fn counts(n: usize) -> Vec<Arc<dyn TaskControl>> {
    use crate::task::core::Core;
    use crate::task::header::Header;
    (0..n).map(|_| Arc::new(Core::<u32>::new(Header::for_tests(), Vec::new())) as Arc<dyn TaskControl>).collect()
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::{Inbox, counts};
    use crate::sync::Arc;

    /// A worker sends two batches home while the owner collects: every count arrives exactly once, in the
    /// owner's collection during the sends or in its collection after them.
    #[test]
    fn counts_sent_during_a_collection_are_never_lost() {
        loom::model(|| {
            let inbox = Arc::new(Inbox::new());
            let (mut first, mut second) = (counts(2), counts(1));
            let sender = {
                let inbox = inbox.clone();
                loom::thread::spawn(move || {
                    inbox.send(&mut first, 0);
                    inbox.send(&mut second, 0);
                })
            };
            let mut into = Vec::new();
            let mut arrived = 0;
            if inbox.any() {
                inbox.collect(&mut into);
                arrived += into.len();
                into.clear();
            }
            sender.join().unwrap();
            assert_eq!(inbox.any(), arrived < 3, "once the sends are done, the hint is up to date");
            inbox.collect(&mut into);
            arrived += into.len();
            assert_eq!(arrived, 3);
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{CAPACITY, Inbox, counts};
    use crate::sync::Arc;

    /// Counts sent home (the tail of a batch) arrive once; what does not fit stays with the sender.
    #[test]
    fn counts_sent_home_arrive_once_and_an_inbox_never_overflows() {
        let inbox = Inbox::new();
        let mut into = Vec::new();
        assert!(!inbox.any(), "nothing was sent");
        let mut batch = counts(5);
        let sent: Vec<*const ()> = batch[2..].iter().map(|count| Arc::as_ptr(count).cast::<()>()).collect();
        inbox.send(&mut batch, 2);
        assert_eq!(batch.len(), 2, "the counts before `from` stay");
        assert!(inbox.any());
        inbox.collect(&mut into);
        let arrived: Vec<*const ()> = into.iter().map(|count| Arc::as_ptr(count).cast::<()>()).collect();
        assert_eq!(arrived, sent);
        into.clear();
        assert!(!inbox.any());
        inbox.collect(&mut into);
        assert!(into.is_empty(), "collected once");

        let mut full = counts(CAPACITY + 3);
        inbox.send(&mut full, 0);
        assert_eq!(full.len(), 3, "the sender keeps what does not fit");
        let mut more = counts(1);
        inbox.send(&mut more, 0);
        assert_eq!(more.len(), 1, "a full inbox takes nothing");
        inbox.collect(&mut into);
        assert_eq!(into.len(), CAPACITY);
    }
}
