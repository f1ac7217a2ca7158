//! Work left behind on the deque of a worker stuck in a long job is taken by the others, a batch at a time: a
//! thief steals half of what it finds, so the rest needs further steals, which a thief whose last batch was
//! small makes only after its quiet spin (`scheduler/worker.rs`, *Patience*). The stuck task spins without
//! helping, so if no other worker took the children it would spin forever and the watchdog would fail the test.
//! Batches of every size from 1 to past a full steal batch (32) leave the thieves patient or not in turn.
//!
//! The last child spawned sits in the stuck worker's next-task slot, which sleeping workers do not watch
//! (`scheduler/slot.rs`, step 3): the stuck task waits only for the others, and that one runs after it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_executor::Engine;
use wove_testkit::{WORKER_COUNTS, watchdog};

#[test]
fn tasks_left_behind_by_a_stuck_worker_are_stolen() {
    watchdog("tasks_left_behind_by_a_stuck_worker_are_stolen", || {
        for threads in WORKER_COUNTS.into_iter().filter(|&threads| threads > 1) {
            let engine = Engine::builder().threads(threads).build().unwrap();
            for children in (2..=40).chain((2..=40).rev()) {
                let group = engine.group();
                let ran = Arc::new(AtomicUsize::new(0));
                let seen = ran.clone();
                group.spawn_detached(move || {
                    for _ in 0..children {
                        let ran = ran.clone();
                        wove_executor::spawn_detached(move || ran.fetch_add(1, Ordering::Relaxed));
                    }
                    while ran.load(Ordering::Relaxed) < children - 1 {
                        std::hint::spin_loop();
                    }
                });
                group.wait().unwrap();
                assert_eq!(seen.load(Ordering::Relaxed), children, "every child ran once (threads = {threads})");
            }
        }
    });
}
