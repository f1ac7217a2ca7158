//! `spawn_detached` (on the engine, a group, a builder, and the free function): a task born without a handle
//! behaves as `spawn(..).detach()` does — it runs once, is tracked, its value is dropped once, a panic is
//! reported, a shut-down engine refuses it, and `shutdown_now` cancels it if it has not started.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use wove_executor::TaskError;
use wove_testkit::{DropProbe, WORKER_COUNTS, occupy, watchdog};

mod reporting;
use reporting::collecting_engine;

const TASKS: usize = 1000;

#[test]
fn every_form_runs_once_and_drops_its_value_once() {
    watchdog("every_form_runs_once_and_drops_its_value_once", || {
        for threads in WORKER_COUNTS {
            let (engine, reports) = collecting_engine(threads);
            let (ran, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let body = |ran: &Arc<AtomicUsize>, drops: &Arc<AtomicUsize>| {
                let (ran, drops) = (ran.clone(), drops.clone());
                move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                    DropProbe(drops)
                }
            };
            let group = engine.group();
            for i in 0..TASKS {
                match i % 4 {
                    0 => engine.spawn_detached(body(&ran, &drops)),
                    1 => group.spawn_detached(body(&ran, &drops)),
                    2 => engine.task().name("built").spawn_detached(body(&ran, &drops)),
                    _ => {
                        let inner = body(&ran, &drops);
                        engine.spawn_detached(move || wove_executor::spawn_detached(inner));
                    }
                }
            }
            group.wait().unwrap();
            engine.wait_idle();
            assert_eq!(ran.load(Ordering::SeqCst), TASKS);
            assert_eq!(drops.load(Ordering::SeqCst), TASKS, "every value dropped exactly once");
            assert!(reports.lock().unwrap().is_empty());
            assert!(engine.tasks().is_empty());
        }
    });
}

#[test]
fn a_group_waits_for_detached_members_and_their_follow_ups() {
    watchdog("a_group_waits_for_detached_members_and_their_follow_ups", || {
        for threads in WORKER_COUNTS {
            let (engine, _) = collecting_engine(threads);
            let group = engine.group();
            let (release, gate) = mpsc::channel::<()>();
            let gate = Arc::new(Mutex::new(gate));
            let done = Arc::new(AtomicUsize::new(0));
            let finished = done.clone();
            group.spawn_detached(move || {
                // A follow-up spawned from a member joins the group (ambient tracking), handle or not.
                wove_executor::spawn_detached(move || {
                    let _ = gate.lock().unwrap().recv();
                    finished.fetch_add(1, Ordering::SeqCst);
                });
            });
            let err = group.wait_timeout(std::time::Duration::from_millis(50)).unwrap_err();
            assert!(err.is_timeout(), "the follow-up is still blocked, so the group is not done: {err}");
            drop(release);
            group.wait().unwrap();
            assert_eq!(done.load(Ordering::SeqCst), 1);
        }
    });
}

#[test]
fn a_panic_reaches_the_handler_and_fails_the_group() {
    watchdog("a_panic_reaches_the_handler_and_fails_the_group", || {
        for threads in WORKER_COUNTS {
            let (engine, reports) = collecting_engine(threads);
            let group = engine.group();
            group.task().name("doomed").spawn_detached(|| -> u32 { panic!("nobody joins me") });
            let err = group.wait().unwrap_err();
            assert!(err.is_failed());
            assert!(err.to_string().contains("'doomed'"), "the group error names the task: {err}");
            let reports = reports.lock().unwrap().clone();
            assert_eq!(reports.len(), 1);
            assert!(reports[0].contains("'doomed' panicked: nobody joins me"), "{reports:?}");
        }
    });
}

#[test]
fn done_callbacks_run_with_the_value() {
    watchdog("done_callbacks_run_with_the_value", || {
        for threads in WORKER_COUNTS {
            let (engine, _) = collecting_engine(threads);
            let (tx, rx) = mpsc::channel();
            let (first, second) = (tx.clone(), tx);
            engine
                .task()
                .on_done(move |outcome: &Result<u32, TaskError>| {
                    first.send(("first", *outcome.as_ref().unwrap())).unwrap()
                })
                .on_done(move |outcome| second.send(("second", *outcome.as_ref().unwrap())).unwrap())
                .spawn_detached(|| 7);
            assert_eq!(rx.iter().collect::<Vec<_>>(), [("first", 7), ("second", 7)]);
        }
    });
}

#[test]
fn a_shut_down_engine_refuses_with_a_clear_panic() {
    watchdog("a_shut_down_engine_refuses_with_a_clear_panic", || {
        let (engine, _) = collecting_engine(1);
        engine.shutdown();
        let (ran, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (ran_inside, probe) = (ran.clone(), DropProbe(drops.clone()));
        let refused = catch_unwind(AssertUnwindSafe(|| {
            engine.spawn_detached(move || {
                drop(probe);
                ran_inside.fetch_add(1, Ordering::SeqCst);
            })
        }))
        .unwrap_err();
        assert_eq!(*refused.downcast::<String>().unwrap(), "spawn on an engine that is shut down");
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the closure never runs");
        assert_eq!(drops.load(Ordering::SeqCst), 1, "what it captured is dropped");
    });
}

#[test]
fn shutdown_now_cancels_what_has_not_started() {
    watchdog("shutdown_now_cancels_what_has_not_started", || {
        for threads in WORKER_COUNTS {
            let (engine, reports) = collecting_engine(threads);
            let gate = occupy(threads, |job| engine.spawn_detached(job));
            let (ran, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            for _ in 0..TASKS {
                let (ran, probe) = (ran.clone(), DropProbe(drops.clone()));
                engine.spawn_detached(move || {
                    drop(probe);
                    ran.fetch_add(1, Ordering::SeqCst);
                });
            }
            let opener = std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                gate.open();
            });
            engine.shutdown_now();
            opener.join().unwrap();
            assert_eq!(ran.load(Ordering::SeqCst), 0, "every task was queued behind the occupied workers");
            assert_eq!(drops.load(Ordering::SeqCst), TASKS, "every closure dropped exactly once, unrun");
            assert!(reports.lock().unwrap().is_empty(), "a cancellation is not a panic");
            assert!(engine.tasks().is_empty());
        }
    });
}
