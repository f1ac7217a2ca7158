//! Stress: 64 threads × 10,000 rounds of grow / count-down / wait on fresh latches. In each round a thread
//! makes a fresh latch holding its own share, grows it with a guard for each of two peers, sends them the
//! guards with a slot to write, counts its share down and waits. When its wait returns, both peers' writes
//! (made `Relaxed`, before they dropped their guards) must be visible: a waiter is never released early.
//!
//! A thread that waits keeps serving its own inbox through a [`WaitHook`] — exactly how an executor uses the
//! hook — otherwise two threads waiting on each other's inboxes would deadlock.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

use wove_latch::{Blocker, Latch, LatchGuard, WaitHook, install_wait_hook};
use wove_testkit::watchdog_with_limit;

const THREADS: usize = 64;
const PEERS: usize = 2;

struct Job {
    slot: Arc<AtomicU64>,
    value: u64,
    guard: LatchGuard,
}

impl Job {
    fn run(self) {
        self.slot.store(self.value, Ordering::Relaxed);
        drop(self.guard);
    }
}

/// Runs the inbox's jobs while the wait's condition does not hold yet.
struct ServeInbox {
    inbox: Rc<Receiver<Job>>,
}

impl WaitHook for ServeInbox {
    fn block(&self, blocker: &Blocker<'_>) {
        while !blocker.is_done() && blocker.deadline().is_none_or(|deadline| Instant::now() < deadline) {
            match self.inbox.try_recv() {
                Ok(job) => job.run(),
                Err(TryRecvError::Empty) => {
                    blocker.park_until(Some(Instant::now() + Duration::from_micros(200)));
                }
                Err(TryRecvError::Disconnected) => {
                    blocker.park_until(blocker.deadline());
                }
            }
        }
    }
}

fn stress(rounds: u64) {
    let (outboxes, inboxes): (Vec<Sender<Job>>, Vec<Receiver<Job>>) = (0..THREADS).map(|_| channel()).unzip();
    let all_done = Latch::new(THREADS);
    let waits = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = inboxes
        .into_iter()
        .enumerate()
        .map(|(me, inbox)| {
            let peers: Vec<Sender<Job>> = (1..=PEERS).map(|k| outboxes[(me + k) % THREADS].clone()).collect();
            let all_done = all_done.clone();
            let waits = waits.clone();
            std::thread::spawn(move || {
                let inbox = Rc::new(inbox);
                let _hook = install_wait_hook(Rc::new(ServeInbox { inbox: inbox.clone() }));
                for round in 0..rounds {
                    let latch = Latch::new(1);
                    let slots: Vec<Arc<AtomicU64>> = (0..PEERS).map(|_| Arc::new(AtomicU64::new(0))).collect();
                    for (peer, slot) in peers.iter().zip(&slots) {
                        let job = Job { slot: slot.clone(), value: round + 1, guard: latch.guard().unwrap() };
                        peer.send(job).unwrap();
                    }
                    latch.count_down().unwrap();
                    latch.wait();
                    assert!(latch.is_released());
                    for slot in &slots {
                        assert_eq!(slot.load(Ordering::Relaxed), round + 1, "released before a peer's write");
                    }
                    waits.fetch_add(1, Ordering::Relaxed);
                }
                // Keep serving peers until everyone has finished their rounds.
                all_done.count_down().unwrap();
                all_done.wait();
            })
        })
        .collect();
    drop(outboxes);
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(waits.load(Ordering::Relaxed), THREADS * rounds as usize);
}

#[test]
fn grow_count_down_wait_64_threads_10k_rounds() {
    watchdog_with_limit("grow_count_down_wait_64_threads_10k_rounds", Duration::from_secs(300), || stress(10_000));
}
