//! Cancellation: before start, while running (future and closure), after completion.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use wove_executor::Engine;
use wove_latch::Event;
use wove_testkit::{DropProbe, Gate, each_engine, watchdog};

/// Occupies every worker of `engine` until the returned gate is opened.
fn occupy_all(engine: &Engine) -> Gate {
    wove_testkit::occupy(engine.threads(), |job| engine.spawn(job).detach())
}

#[test]
fn cancel_before_start_never_runs() {
    each_engine("cancel_before_start_never_runs", |engine, _| {
        let gate = occupy_all(engine);
        let (runs, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let probe = DropProbe(drops.clone());
        let counter = runs.clone();
        let task = engine.spawn(move || {
            let _probe = probe;
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert!(task.cancel());
        assert!(task.cancel(), "cancelling twice still says it will end cancelled");
        gate.open();
        let err = task.join().unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn cancel_while_running_is_cooperative() {
    each_engine("cancel_while_running_is_cooperative", |engine, _| {
        // A running future is dropped at its next await; nothing after that await runs.
        let drops = Arc::new(AtomicUsize::new(0));
        let after_await = Arc::new(AtomicBool::new(false));
        let (started, never) = (Event::new(), Event::new());
        let (probe, flag, signal, blocked) =
            (DropProbe(drops.clone()), after_await.clone(), started.clone(), never.clone());
        let task = engine.spawn_async(async move {
            let _probe = probe;
            signal.set();
            blocked.wait_async().await;
            flag.store(true, Ordering::SeqCst);
            wove_executor::spawn(|| unreachable!("no follow-up runs")).detach();
        });
        started.wait();
        assert!(task.cancel());
        assert!(task.join().unwrap_err().is_cancelled());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(!after_await.load(Ordering::SeqCst));

        // A running closure sees is_cancelled() and stops early; its value is dropped.
        let drops = Arc::new(AtomicUsize::new(0));
        let started = Event::new();
        let (signal, value_drops) = (started.clone(), drops.clone());
        let task = engine.spawn(move || {
            signal.set();
            while !wove_executor::is_cancelled() {
                std::thread::yield_now();
            }
            DropProbe(value_drops)
        });
        started.wait();
        assert!(task.cancel());
        assert!(task.join().unwrap_err().is_cancelled());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the value of a cancelled closure is dropped once");
        engine.wait_idle();
    });
}

#[test]
fn cancel_after_completion_is_noop() {
    each_engine("cancel_after_completion_is_noop", |engine, _| {
        let task = engine.spawn(|| String::from("kept"));
        while !task.is_finished() {
            std::thread::yield_now();
        }
        assert!(!task.cancel());
        assert_eq!(task.join().unwrap(), "kept");
    });
}

#[test]
fn callbacks_of_cancelled_task_see_cancelled() {
    watchdog("callbacks_of_cancelled_task_see_cancelled", || {
        let engine = Engine::builder().threads(1).build().unwrap();
        let gate = occupy_all(&engine);
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let task = engine
            .task()
            .on_done(move |outcome: &Result<(), _>| {
                assert!(outcome.as_ref().unwrap_err().is_cancelled());
                counter.fetch_add(1, Ordering::SeqCst);
            })
            .spawn(|| ());
        task.cancel();
        gate.open();
        assert!(task.join().unwrap_err().is_cancelled());
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    });
}
