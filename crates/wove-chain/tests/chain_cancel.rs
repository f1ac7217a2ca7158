//! Cancelling a chain from its tail: no step that has not started runs, every closure is dropped
//! exactly once, every callback runs exactly once with `Cancelled`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_chain::TaskExt;
use wove_executor::{Engine, Task};
use wove_testkit::{DropProbe, each_engine, watchdog};

#[test]
fn cancel_tail_cancels_unstarted_steps() {
    each_engine("cancel_tail_cancels_unstarted_steps", |engine, threads| {
        // Hold every worker, so the head cannot start.
        let gate = wove_testkit::occupy(threads, |job| engine.spawn(job).detach());
        let [bodies, drops, callbacks, cancelled] = std::array::from_fn(|_| Arc::new(AtomicUsize::new(0)));
        let counting = |task: &Task<usize>| {
            let (callbacks, cancelled) = (callbacks.clone(), cancelled.clone());
            task.on_done(move |outcome| {
                callbacks.fetch_add(1, Ordering::SeqCst);
                if outcome.as_ref().is_err_and(|e| e.is_cancelled()) {
                    cancelled.fetch_add(1, Ordering::SeqCst);
                }
            });
        };
        let (ran, probe) = (bodies.clone(), DropProbe(drops.clone()));
        let mut tail = engine.spawn(move || {
            let _probe = probe;
            ran.fetch_add(1, Ordering::SeqCst)
        });
        counting(&tail);
        for _ in 1..100 {
            let (ran, probe) = (bodies.clone(), DropProbe(drops.clone()));
            tail = tail.then(move |n| {
                let _probe = probe;
                ran.fetch_add(1, Ordering::SeqCst);
                n + 1
            });
            counting(&tail);
        }
        assert!(tail.cancel());
        gate.open();
        assert!(tail.join().unwrap_err().is_cancelled());
        engine.wait_idle();
        assert_eq!(bodies.load(Ordering::SeqCst), 0, "no step ran");
        assert_eq!(drops.load(Ordering::SeqCst), 100, "every step's closure was dropped exactly once");
        assert_eq!(callbacks.load(Ordering::SeqCst), 100, "every callback ran exactly once");
        assert_eq!(cancelled.load(Ordering::SeqCst), 100, "…with Cancelled");
    });
}

#[test]
fn cancelling_a_million_link_tail_does_not_recurse() {
    watchdog("cancelling_a_million_link_tail_does_not_recurse", || {
        let engine = Engine::builder().threads(1).build().unwrap();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        engine
            .spawn(move || {
                let _ = gate.recv();
            })
            .detach();
        let mut tail = engine.spawn(|| 0u64);
        for _ in 0..1_000_000 {
            tail = tail.then(|n| n + 1);
        }
        assert!(tail.cancel());
        open.send(()).unwrap();
        assert!(tail.join().unwrap_err().is_cancelled());
        engine.wait_idle();
        assert!(engine.tasks().is_empty());
    });
}
