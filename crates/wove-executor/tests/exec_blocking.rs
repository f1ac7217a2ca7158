//! Blocking waits inside workers help instead of deadlocking.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_executor::Engine;
use wove_latch::{Event, Latch};
use wove_testkit::{each_engine, watchdog};

mod common;
use common::join_fib;

fn blocking_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let a = wove_executor::spawn(move || blocking_fib(n - 1));
    let b = wove_executor::spawn(move || blocking_fib(n - 2));
    a.join().unwrap() + b.join().unwrap()
}

#[test]
fn blocking_join_inside_worker_no_deadlock() {
    each_engine("blocking_join_inside_worker_no_deadlock", |engine, _| {
        let parent = engine.spawn(|| {
            let child = wove_executor::spawn(|| 5);
            child.join().unwrap() * 2
        });
        assert_eq!(parent.join().unwrap(), 10);
        assert_eq!(engine.spawn(|| blocking_fib(20)).join().unwrap(), 6765);
        assert_eq!(engine.install(|| join_fib(25)), 75025);
        assert_eq!(engine.join(|| join_fib(15), || join_fib(16)), (610, 987));
    });
}

#[test]
fn blocking_wait_in_worker_helps() {
    watchdog("blocking_wait_in_worker_helps", || {
        let engine = Engine::builder().threads(1).build().unwrap();
        // A latch whose count-down task is queued behind the waiting task, on the only worker.
        let latch = Latch::new(1);
        let remote = latch.clone();
        let inner = engine.clone();
        let waiter = engine.spawn(move || {
            inner.spawn(move || remote.count_down().unwrap()).detach();
            latch.wait();
            "latch released"
        });
        assert_eq!(waiter.join().unwrap(), "latch released");

        // The same with an event.
        let event = Event::new();
        let remote = event.clone();
        let inner = engine.clone();
        let waiter = engine.spawn(move || {
            inner.spawn(move || remote.set()).detach();
            event.wait();
        });
        waiter.join().unwrap();

        // group.wait() inside a task of the same engine that is not a member.
        let group = engine.group();
        let ran = Arc::new(AtomicUsize::new(0));
        let (members, inner_group) = (ran.clone(), group.clone());
        let outsider = engine.spawn(move || {
            for _ in 0..10 {
                let members = members.clone();
                inner_group.spawn(move || members.fetch_add(1, Ordering::SeqCst)).detach();
            }
            inner_group.wait()
        });
        outsider.join().unwrap().unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn member_waiting_on_its_own_group_errs_at_once() {
    each_engine("member_waiting_on_its_own_group_errs_at_once", |engine, _| {
        let group = engine.group();
        let inner = group.clone();
        let member = group.task().name("impatient").spawn(move || inner.wait().unwrap_err());
        let id = member.id();
        let err = member.join().unwrap();
        assert!(err.is_self_wait());
        assert_eq!(
            err.to_string(),
            format!("task {id} 'impatient' waited on its own group, which would wait for it forever")
        );
        // Also from a callback of a member, and from a member's child.
        let inner = group.clone();
        let child_err = group.spawn(move || wove_executor::spawn(move || inner.wait().is_err()).join().unwrap());
        assert!(child_err.join().unwrap());
        group.wait().unwrap();
    });
}

#[test]
fn block_on_runs_a_future_with_the_engine_current() {
    watchdog("block_on_runs_a_future_with_the_engine_current", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        let total = engine.block_on(async {
            let tasks: Vec<_> = (1..=10).map(|i| wove_executor::spawn(move || i)).collect();
            let mut total = 0;
            for task in tasks {
                total += task.await.unwrap();
            }
            total
        });
        assert_eq!(total, 55);
    });
}

#[test]
fn scope_borrows_and_reraises_panics_after_all_finished() {
    each_engine("scope_borrows_and_reraises_panics_after_all_finished", |engine, _| {
        let counter = AtomicUsize::new(0);
        engine.scope(|s| {
            for _ in 0..100 {
                s.spawn(|| {
                    counter.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(counter.load(Ordering::SeqCst), 100);
        let finished = AtomicUsize::new(0);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine.scope(|s| {
                s.spawn(|| panic!("scoped failure"));
                for _ in 0..10 {
                    s.spawn(|| {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        finished.fetch_add(1, Ordering::SeqCst);
                    });
                }
            })
        }));
        assert_eq!(*outcome.unwrap_err().downcast::<&str>().unwrap(), "scoped failure");
        assert_eq!(finished.load(Ordering::SeqCst), 10, "the scope waited for every task before re-raising");
    });
}

/// A worker whose wait outlasts its spinning sleeps, and a plain thread that releases the latch (or sets the
/// event) later wakes it: the wait registers its waker before it sleeps.
#[test]
fn a_sleeping_wait_on_a_worker_is_woken_from_outside() {
    each_engine("a_sleeping_wait_on_a_worker_is_woken_from_outside", |engine, _| {
        for _ in 0..5 {
            let (latch, event) = (Latch::new(1), Event::new());
            let (remote_latch, remote_event) = (latch.clone(), event.clone());
            let waiter = engine.spawn(move || {
                latch.wait();
                event.wait();
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            remote_latch.count_down().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
            remote_event.set();
            waiter.join().unwrap();
        }
    });
}
