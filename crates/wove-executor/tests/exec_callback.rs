//! Done-callback rules: exactly once, after the outcome is stored, on a worker, in registration order, before
//! the group is released; late registration is scheduled, never inline; a panicking callback disturbs nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wove_executor::Engine;
use wove_testkit::{WORKER_COUNTS, each_engine, watchdog};

#[test]
fn callback_added_after_completion_runs_once() {
    each_engine("callback_added_after_completion_runs_once", |engine, _| {
        let task = engine.spawn(|| 41);
        while !task.is_finished() {
            std::thread::yield_now();
        }
        let runs = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let counter = runs.clone();
        let registering_thread = std::thread::current().id();
        task.on_done(move |outcome| {
            counter.fetch_add(1, Ordering::SeqCst);
            let on_worker = Engine::current().is_some() && std::thread::current().id() != registering_thread;
            tx.send((*outcome.as_ref().unwrap(), on_worker)).unwrap();
        });
        assert_eq!(rx.recv().unwrap(), (41, true));
        assert_eq!(task.join().unwrap(), 41, "the outcome is still the handle's after a late callback");
        engine.wait_idle();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn callbacks_run_in_order_once_after_outcome_on_a_worker() {
    each_engine("callbacks_run_in_order_once_after_outcome_on_a_worker", |engine, _| {
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut builder = engine.task();
        for i in 0..5 {
            let order = order.clone();
            builder = builder.on_done(move |outcome: &Result<u32, _>| {
                assert_eq!(*outcome.as_ref().unwrap(), 9, "the outcome is stored before callbacks run");
                assert!(Engine::current().is_some(), "callbacks run on a worker");
                order.lock().unwrap().push(i);
            });
        }
        let task = builder.spawn(|| 9);
        for i in 5..8 {
            let order = order.clone();
            task.on_done(move |_| order.lock().unwrap().push(i));
        }
        assert_eq!(task.join().unwrap(), 9);
        engine.wait_idle();
        assert_eq!(*order.lock().unwrap(), (0..8).collect::<Vec<_>>());
    });
}

#[test]
fn panic_in_callback_does_not_skip_siblings() {
    watchdog("panic_in_callback_does_not_skip_siblings", || {
        for threads in WORKER_COUNTS {
            let reports = Arc::new(Mutex::new(Vec::new()));
            let sink = reports.clone();
            let engine = Engine::builder()
                .threads(threads)
                .panic_handler(move |err| sink.lock().unwrap().push(err.to_string()))
                .build()
                .unwrap();
            let group = engine.group();
            let (first, third) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let (a, c) = (first.clone(), third.clone());
            let task = group
                .task()
                .name("cb")
                .on_done(move |_: &Result<u8, _>| {
                    a.fetch_add(1, Ordering::SeqCst);
                })
                .on_done(|_| panic!("second callback fails"))
                .on_done(move |_| {
                    c.fetch_add(1, Ordering::SeqCst);
                })
                .spawn(|| 3);
            let id = task.id();
            assert_eq!(task.join().unwrap(), 3, "the task's result is untouched");
            assert_eq!((first.load(Ordering::SeqCst), third.load(Ordering::SeqCst)), (1, 1));
            let expected = format!("task {id} 'cb' done-callback panicked: second callback fails");
            assert_eq!(*reports.lock().unwrap(), vec![expected.clone()]);
            let err = group.wait().unwrap_err();
            assert_eq!(err.to_string(), format!("1 task of the group failed: {expected}"));
        }
    });
}

#[test]
fn callbacks_finish_before_the_group_is_released() {
    each_engine("callbacks_finish_before_the_group_is_released", |engine, _| {
        for _ in 0..200 {
            let group = engine.group();
            let done = Arc::new(AtomicUsize::new(0));
            let seen = done.clone();
            group
                .task()
                .on_done(move |_: &Result<(), _>| {
                    std::thread::yield_now();
                    seen.fetch_add(1, Ordering::SeqCst);
                })
                .spawn(|| ())
                .detach();
            group.wait().unwrap();
            assert_eq!(done.load(Ordering::SeqCst), 1);
        }
    });
}

#[test]
fn late_callback_is_tracked_by_the_group() {
    each_engine("late_callback_is_tracked_by_the_group", |engine, _| {
        let group = engine.group();
        let task = group.spawn(|| 1);
        group.wait().unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let seen = done.clone();
        task.on_done(move |_| {
            std::thread::sleep(std::time::Duration::from_millis(5));
            let seen = seen.clone();
            // A follow-up from the late callback: tracked too.
            wove_executor::spawn(move || seen.fetch_add(1, Ordering::SeqCst)).detach();
        });
        group.wait().unwrap();
        assert_eq!(done.load(Ordering::SeqCst), 1);
    });
}
