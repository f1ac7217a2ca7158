//! Time: sleeps suspend without holding a worker, `timeout` elapses and succeeds as it should, `wait_timeout`
//! keeps the handle and helps on a worker, and group waits compose with `timeout`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wove_executor::{Elapsed, Engine, sleep, sleep_until, timeout};
use wove_testkit::each_engine;

#[test]
fn thousands_of_concurrent_sleeps_hold_no_worker() {
    each_engine("thousands_of_concurrent_sleeps_hold_no_worker", |engine, threads| {
        let woke = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let sleepers: Vec<_> = (0..2_000)
            .map(|_| {
                let woke = woke.clone();
                engine.spawn_async(async move {
                    let begun = Instant::now();
                    sleep(Duration::from_millis(50)).await;
                    assert!(begun.elapsed() >= Duration::from_millis(50), "a sleep never ends early");
                    woke.fetch_add(1, Ordering::Relaxed);
                })
            })
            .collect();
        for sleeper in sleepers {
            sleeper.join().unwrap();
        }
        let took = started.elapsed();
        assert_eq!(woke.load(Ordering::Relaxed), 2_000);
        // 2,000 sleeps of 50 ms side by side: far from the 100 s they would take one after another.
        assert!(took < Duration::from_millis(900), "2,000 concurrent 50 ms sleeps on {threads} workers took {took:?}");
    });
}

#[test]
fn sleep_until_a_past_deadline_is_ready_at_once_and_sleeps_work_outside_engines() {
    let past = Instant::now() - Duration::from_millis(5);
    futures_lite::future::block_on(sleep_until(past));
    let started = Instant::now();
    futures_lite::future::block_on(sleep(Duration::from_millis(20)));
    assert!(started.elapsed() >= Duration::from_millis(20));
    assert_eq!(sleep(Duration::MAX).deadline(), None, "a deadline past what an Instant holds is never");
}

#[test]
fn timeout_elapses_and_succeeds() {
    each_engine("timeout_elapses_and_succeeds", |engine, _| {
        let elapsed = engine.block_on(timeout(Duration::from_millis(20), std::future::pending::<u8>()));
        assert_eq!(elapsed, Err::<u8, _>(Elapsed::clone(&elapsed.unwrap_err())));
        assert_eq!(elapsed.unwrap_err().to_string(), "deadline has elapsed");
        let task = engine.spawn_async(async {
            sleep(Duration::from_millis(5)).await;
            7
        });
        let done = engine.block_on(timeout(Duration::from_secs(10), task));
        assert_eq!(done.unwrap().unwrap(), 7);
        // Inside a task too, with the sleep and the future racing.
        let inner = engine.spawn_async(async {
            let slow = timeout(Duration::from_millis(10), sleep(Duration::from_secs(10))).await;
            let fast = timeout(Duration::from_secs(10), sleep(Duration::from_millis(1))).await;
            (slow.is_err(), fast.is_ok())
        });
        assert_eq!(inner.join().unwrap(), (true, true));
    });
}

#[test]
fn a_group_wait_composes_with_timeout() {
    each_engine("a_group_wait_composes_with_timeout", |engine, _| {
        let group = engine.group();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        group.spawn_detached(move || gate.recv().unwrap());
        let waited = engine.block_on(timeout(Duration::from_millis(20), &group));
        assert!(waited.is_err(), "the member is still at its gate");
        open.send(()).unwrap();
        let waited = engine.block_on(timeout(Duration::from_secs(10), &group));
        assert!(waited.unwrap().is_ok());
    });
}

#[test]
fn wait_timeout_keeps_the_handle() {
    each_engine("wait_timeout_keeps_the_handle", |engine, _| {
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let task = engine.spawn(move || {
            gate.recv().unwrap();
            5
        });
        let started = Instant::now();
        assert!(!task.wait_timeout(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
        open.send(()).unwrap();
        assert!(task.wait_timeout(Duration::from_secs(10)));
        assert!(task.is_finished());
        assert_eq!(task.join().unwrap(), 5);
    });
}

#[test]
fn wait_timeout_on_a_worker_helps() {
    each_engine("wait_timeout_on_a_worker_helps", |engine, _| {
        let parent = engine.spawn(|| {
            // On a one-worker engine the child can only run if this wait helps.
            let child = wove_executor::spawn(|| 20);
            assert!(child.wait_timeout(Duration::from_secs(10)));
            child.join().unwrap() + 1
        });
        assert_eq!(parent.join().unwrap(), 21);
    });
}

#[test]
fn sleeping_tasks_can_be_cancelled() {
    let engine = Engine::builder().threads(1).build().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));
    let probe = wove_testkit::DropProbe(dropped.clone());
    let task = engine.spawn_async(async move {
        let _probe = probe;
        sleep(Duration::from_secs(60)).await;
    });
    std::thread::sleep(Duration::from_millis(20));
    assert!(task.cancel());
    assert!(task.join().unwrap_err().is_cancelled());
    assert_eq!(dropped.load(Ordering::SeqCst), 1, "the sleeping future was dropped");
}
