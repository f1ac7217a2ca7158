//! Failures in chains: a panic mid-chain skips the rest and reaches the tail with the failing task's name; `recover`
//! turns it back into a value; `finally` sees every outcome.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_chain::TaskExt;
use wove_executor::Engine;
use wove_testkit::{DropProbe, each_engine_with, watchdog};

#[test]
fn panic_mid_chain_short_circuits() {
    each_engine_with(
        "panic_mid_chain_short_circuits",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let group = engine.group();
            let (c_ran, c_drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let (ran, probe) = (c_ran.clone(), DropProbe(c_drops.clone()));
            let a = group.task().name("a").spawn(|| 1);
            let b = a.map(|outcome| -> Result<u32, _> {
                let _ = outcome?;
                panic!("b fails")
            });
            let b_id = b.id();
            let c = b.then(move |n| {
                let _probe = probe;
                ran.fetch_add(1, Ordering::SeqCst);
                n + 1
            });
            let err = c.join().unwrap_err();
            assert!(err.is_panic());
            assert_eq!(err.task_id(), b_id, "the tail carries the failing step's own error");
            assert_eq!(c_ran.load(Ordering::SeqCst), 0, "c's body never runs");
            assert_eq!(c_drops.load(Ordering::SeqCst), 1, "c's closure is dropped exactly once");
            let group_err = group.wait().unwrap_err();
            assert_eq!(group_err.tasks().len(), 1, "the panic is one group failure, not one per later step");
            assert_eq!(group_err.tasks()[0].id(), b_id);
        },
    );
}

#[test]
fn the_tail_names_the_failing_task_and_recover_turns_it_back() {
    watchdog("the_tail_names_the_failing_task_and_recover_turns_it_back", || {
        let engine = Engine::builder().threads(2).panic_handler(|_| {}).build().unwrap();
        let failing = engine.task().name("fetch").spawn(|| -> u32 { panic!("offline") });
        let id = failing.id();
        let err = failing.then(|n| n + 1).then(|n| n * 2).join().unwrap_err();
        assert_eq!(err.to_string(), format!("task {id} 'fetch' panicked: offline"));

        let fallback = engine
            .task()
            .name("fetch")
            .spawn(|| -> u32 { panic!("offline") })
            .then(|n| n + 1)
            .recover(|_| 0)
            .then(|n| n + 5);
        assert_eq!(fallback.join().unwrap(), 5);
        assert_eq!(engine.spawn(|| 1).recover(|_| 0).join().unwrap(), 1, "a value passes recover untouched");
    });
}

#[test]
fn finally_sees_success_and_failure() {
    watchdog("finally_sees_success_and_failure", || {
        let engine = Engine::builder().threads(2).panic_handler(|_| {}).build().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let ok_tx = tx.clone();
        let ok = engine.spawn(|| 1).finally(move |outcome| ok_tx.send(outcome.is_ok()).unwrap());
        assert_eq!(ok.join().unwrap(), 1);
        let failed = engine.spawn(|| -> u32 { panic!("no") }).finally(move |outcome| tx.send(outcome.is_ok()).unwrap());
        assert!(failed.join().unwrap_err().is_panic());
        assert_eq!((rx.recv().unwrap(), rx.recv().unwrap()), (true, false));
    });
}

#[test]
fn a_panicking_step_is_the_chain_s_own_failure() {
    watchdog("a_panicking_step_is_the_chain_s_own_failure", || {
        let engine = Engine::builder().threads(1).panic_handler(|_| {}).build().unwrap();
        let step = engine.spawn(|| 1).then(|_| -> u32 { panic!("step fails") });
        let id = step.id();
        let err = step.join().unwrap_err();
        assert_eq!((err.task_id(), err.is_panic()), (id, true));
    });
}
