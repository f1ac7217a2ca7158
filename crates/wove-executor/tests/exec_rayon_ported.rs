//! Two of rayon-core's own tests, ported to wove's API as a new user would port them: both used to hang at the
//! end, because dropping the last `Engine` waited forever for a worker that could not finish. A shutdown now
//! always ends, within the shutdown timeout.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Barrier};

use wove_executor::Engine;

/// rayon-core `termination_while_things_are_executing`: a task waits on a channel that is fed only after the last
/// handle to its engine was dropped, then spawns one more task.
#[test]
fn termination_while_things_are_executing() {
    let (tx0, rx0) = channel();
    let (tx1, rx1) = channel();
    // Create an engine and spawn some code in it, but then drop our handle to it.
    {
        let engine = Engine::new();
        engine.spawn_detached(move || {
            let data = rx0.recv().unwrap();
            // The last handle is gone, but the thread is still active: spawn one more.
            wove_executor::spawn_detached(move || {
                tx1.send(data).unwrap();
            });
        });
    }
    tx0.send(22).unwrap();
    let v = rx1.recv().unwrap();
    assert_eq!(v, 22);
}

/// rayon-core `start_callback_called`: every worker's start hook runs, and waits on a barrier that the test thread
/// reaches only after the engine was dropped.
#[test]
fn start_callback_called() {
    let n_threads = 16;
    let n_called = Arc::new(AtomicUsize::new(0));
    // Wait for all the threads of the engine plus the one running the test.
    let barrier = Arc::new(Barrier::new(n_threads + 1));
    let b = Arc::clone(&barrier);
    let nc = Arc::clone(&n_called);
    let start_handler = move |_| {
        nc.fetch_add(1, Ordering::SeqCst);
        b.wait();
    };
    let conf = Engine::builder().threads(n_threads).on_thread_start(start_handler);
    let _ = conf.build().unwrap();
    // Wait for all the threads to have been scheduled to run.
    barrier.wait();
    // The handler must have been called on every started thread.
    assert_eq!(n_called.load(Ordering::SeqCst), n_threads);
}

/// rayon-core's `lifo_order`, on every look: with one worker and nothing stolen, jobs spawned by a running job
/// run newest first — 10 spawns of 10 spawns each run as 99, 98, …, 0 — in each of 200 rounds (the injector's
/// turn every 61st look must not reorder them).
#[test]
fn spawned_jobs_run_in_lifo_order_every_round() {
    use std::sync::{Arc, Mutex};
    let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    let expected: Vec<usize> = (0..100).rev().collect();
    for round in 0..200 {
        let order = Arc::new(Mutex::new(Vec::new()));
        let group = engine.group();
        let recorder = order.clone();
        group.spawn_detached(move || {
            for i in 0..10 {
                let recorder = recorder.clone();
                wove_executor::spawn_detached(move || {
                    for j in 0..10 {
                        let recorder = recorder.clone();
                        wove_executor::spawn_detached(move || recorder.lock().unwrap().push(i * 10 + j));
                    }
                });
            }
        });
        group.wait().unwrap();
        assert_eq!(*order.lock().unwrap(), expected, "round {round}");
    }
}
