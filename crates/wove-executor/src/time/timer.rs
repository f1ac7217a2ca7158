//! The timer: one thread per process that wakes sleeping futures at their deadlines, started on the first
//! sleep (as async-io's driver is). It knows nothing of engines: a sleep registers its deadline and its waker,
//! and the waker, when woken, queues the future on whatever engine it belongs to. So thousands of concurrent
//! sleeps cost no worker, and an engine whose only work is a pending sleep burns no CPU: its workers sleep, and
//! the timer thread waits on a condition variable until the nearest deadline.
//!
//! # Protocol
//!
//! 1. A sleep that is not due registers an [`Entry`] — its deadline and a [`TimerSlot`] holding its waker —
//!    under the timer's lock; if its deadline is now the nearest, it notifies the timer thread.
//! 2. The timer thread, under the lock, takes every entry that is due, then waits until the nearest deadline
//!    left (or until notified). Outside the lock it fires what it took: each slot is marked fired and its
//!    waker woken.
//! 3. A sleep polled again updates the waker in its slot; one dropped before it fired cancels its slot (takes
//!    the waker out), so firing it later does nothing. The slot's lock orders the two: a sleep sees `fired`
//!    set, or its waker is woken after it was stored.
//!
//! A cancelled entry stays in the heap until its deadline (a `timeout` whose future finished first leaves
//! one): harmless, and the heap is purged of them whenever they outnumber the live ones.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;
use std::task::Waker;
use std::time::Instant;

use parking_lot::Condvar;

use crate::sync::{Arc, AtomicUsize, Mutex, Ordering};

/// One sleep's side of the timer: whether it fired, and the waker to wake when it does.
#[derive(Debug, Default)]
pub(crate) struct TimerSlot {
    state: Mutex<SlotState>,
}

#[derive(Debug, Default)]
struct SlotState {
    fired: bool,
    cancelled: bool,
    waker: Option<Waker>,
}

impl TimerSlot {
    /// True once the deadline passed and the timer fired this slot.
    pub(crate) fn fired(&self) -> bool {
        self.state.lock().fired
    }

    /// Stores `waker` to be woken when the slot fires (step 3); false if it already fired.
    pub(crate) fn set_waker(&self, waker: &Waker) -> bool {
        let mut state = self.state.lock();
        if state.fired {
            return false;
        }
        match &state.waker {
            Some(existing) if existing.will_wake(waker) => {}
            _ => state.waker = Some(waker.clone()),
        }
        true
    }

    /// The sleep is gone: firing this slot does nothing (step 3). True if it had not fired.
    fn cancel(&self) -> bool {
        let (waker, pending) = {
            let mut state = self.state.lock();
            state.cancelled = true;
            (state.waker.take(), !state.fired)
        };
        drop(waker);
        pending
    }

    fn is_cancelled(&self) -> bool {
        self.state.lock().cancelled
    }

    /// Step 2: marks the slot fired and wakes its sleep.
    fn fire(&self) {
        let waker = {
            let mut state = self.state.lock();
            state.fired = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// A registered deadline.
struct Entry {
    deadline: Instant,
    /// Registration order, so that entries with equal deadlines compare.
    order: u64,
    slot: Arc<TimerSlot>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.order) == (other.deadline, other.order)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline, self.order).cmp(&(other.deadline, other.order))
    }
}

/// The heap of deadlines, under the timer's lock.
#[derive(Default)]
struct Deadlines {
    heap: BinaryHeap<Reverse<Entry>>,
    next_order: u64,
}

/// The process's timer.
pub(crate) struct Timer {
    deadlines: Mutex<Deadlines>,
    changed: Condvar,
    /// Entries cancelled before they fired and still in the heap (about: a purge resets it).
    cancelled: AtomicUsize,
}

static TIMER: OnceLock<Arc<Timer>> = OnceLock::new();

impl Timer {
    /// The process's timer, started on first use.
    pub(crate) fn get() -> &'static Arc<Timer> {
        TIMER.get_or_init(|| {
            let timer = Arc::new(Timer {
                deadlines: Mutex::new(Deadlines::default()),
                changed: Condvar::new(),
                cancelled: AtomicUsize::new(0),
            });
            let driver = timer.clone();
            std::thread::Builder::new()
                .name("wove-timer".to_string())
                .spawn(move || driver.run())
                .expect("the timer thread starts");
            timer
        })
    }

    /// Step 1: wakes `waker` at `deadline`; the returned slot tells whether it fired and takes new wakers.
    pub(crate) fn register(&self, deadline: Instant, waker: &Waker) -> Arc<TimerSlot> {
        let slot = Arc::new(TimerSlot::default());
        let _ = slot.set_waker(waker);
        let mut deadlines = self.deadlines.lock();
        let nearest = deadlines.heap.peek().is_none_or(|Reverse(first)| deadline < first.deadline);
        let order = deadlines.next_order;
        deadlines.next_order += 1;
        deadlines.heap.push(Reverse(Entry { deadline, order, slot: slot.clone() }));
        drop(deadlines);
        if nearest {
            self.changed.notify_one();
        }
        slot
    }

    /// The sleep of `slot` is gone before it fired (step 3).
    pub(crate) fn cancel(&self, slot: &TimerSlot) {
        if slot.cancel() {
            self.cancelled.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The timer thread (step 2).
    fn run(&self) {
        let mut due = Vec::new();
        let mut deadlines = self.deadlines.lock();
        loop {
            let now = Instant::now();
            while let Some(Reverse(first)) = deadlines.heap.peek() {
                if first.deadline > now {
                    break;
                }
                let Some(Reverse(entry)) = deadlines.heap.pop() else { break };
                due.push(entry.slot);
            }
            if !due.is_empty() {
                drop(deadlines);
                due.drain(..).for_each(|slot| slot.fire());
                deadlines = self.deadlines.lock();
                continue;
            }
            self.purge(&mut deadlines);
            match deadlines.heap.peek().map(|Reverse(first)| first.deadline) {
                Some(deadline) => {
                    let _ = self.changed.wait_until(&mut deadlines, deadline);
                }
                None => self.changed.wait(&mut deadlines),
            }
        }
    }

    /// Drops the cancelled entries once they are more than half of the heap.
    fn purge(&self, deadlines: &mut Deadlines) {
        let cancelled = self.cancelled.load(Ordering::Relaxed);
        if cancelled > 64 && cancelled * 2 > deadlines.heap.len() {
            self.cancelled.store(0, Ordering::Relaxed);
            deadlines.heap.retain(|Reverse(entry)| !entry.slot.is_cancelled());
        }
    }
}
