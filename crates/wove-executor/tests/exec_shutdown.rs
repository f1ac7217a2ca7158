//! Shutdown: nothing lost, every drop and callback exactly once, spawns refused with the closure handed back, the
//! last handle dropped on a worker, and a shutdown that always ends (pending futures cancelled, the timeout).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wove_executor::Engine;
use wove_testkit::{DropProbe, WORKER_COUNTS, each_engine, watchdog};

#[test]
fn shutdown_accounts_for_every_pending_task() {
    each_engine("shutdown_accounts_for_every_pending_task", |engine, threads| {
        let [ran, succeeded, cancelled, drops, callbacks] = std::array::from_fn(|_| Arc::new(AtomicUsize::new(0)));
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        for i in 0..10_000 {
            let (ran, probe, gate) = (ran.clone(), DropProbe(drops.clone()), gate.clone());
            let (succeeded, cancelled, callbacks) = (succeeded.clone(), cancelled.clone(), callbacks.clone());
            engine
                .task()
                .on_done(move |outcome: &Result<(), _>| {
                    callbacks.fetch_add(1, Ordering::SeqCst);
                    match outcome {
                        Ok(()) => succeeded.fetch_add(1, Ordering::SeqCst),
                        Err(err) if err.is_cancelled() => cancelled.fetch_add(1, Ordering::SeqCst),
                        Err(err) => panic!("unexpected failure: {err}"),
                    };
                })
                .spawn(move || {
                    let _probe = probe;
                    if i < threads {
                        let _ = gate.lock().unwrap().recv(); // the first few hold the workers
                    }
                    ran.fetch_add(1, Ordering::SeqCst);
                })
                .detach();
        }
        let opener = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(open);
        });
        engine.shutdown_now();
        opener.join().unwrap();
        let [ran, succeeded, cancelled] = [&ran, &succeeded, &cancelled].map(|n| n.load(Ordering::SeqCst));
        assert_eq!(succeeded + cancelled, 10_000, "every task ended exactly once: ran to success or cancelled");
        assert!(cancelled >= 10_000 - ran, "a task whose body never ran ended cancelled");
        assert!(ran - succeeded <= threads, "only tasks running at shutdown_now ran and still ended cancelled");
        assert_eq!(drops.load(Ordering::SeqCst), 10_000, "every closure dropped exactly once");
        assert_eq!(callbacks.load(Ordering::SeqCst), 10_000, "every callback ran exactly once");
        assert!(engine.tasks().is_empty());
    });
}

#[test]
fn graceful_shutdown_runs_everything_including_follow_ups() {
    each_engine("graceful_shutdown_runs_everything_including_follow_ups", |engine, _| {
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..1000 {
            let ran = ran.clone();
            engine
                .spawn(move || {
                    let inner = ran.clone();
                    wove_executor::spawn(move || inner.fetch_add(1, Ordering::SeqCst)).detach();
                    ran.fetch_add(1, Ordering::SeqCst);
                })
                .detach();
        }
        engine.shutdown();
        assert_eq!(ran.load(Ordering::SeqCst), 2000);
    });
}

#[test]
fn spawn_after_shutdown_returns_closure() {
    watchdog("spawn_after_shutdown_returns_closure", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        engine.shutdown();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let err = engine.try_spawn(move || counter.fetch_add(1, Ordering::SeqCst)).unwrap_err();
        assert!(err.is_shutdown());
        assert_eq!(err.to_string(), "spawn on an engine that is shut down");
        assert_eq!(calls.load(Ordering::SeqCst), 0, "handed back uncalled");
        let closure = err.into_inner();
        assert_eq!(closure(), 0);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let panicked = std::panic::catch_unwind(|| engine.spawn(|| ())).unwrap_err();
        assert_eq!(*panicked.downcast::<String>().unwrap(), "spawn on an engine that is shut down");
    });
}

#[test]
fn last_handle_dropped_on_a_worker_does_not_deadlock() {
    watchdog("last_handle_dropped_on_a_worker_does_not_deadlock", || {
        for threads in WORKER_COUNTS {
            let engine = Engine::builder().threads(threads).build().unwrap();
            let (open, gate) = std::sync::mpsc::channel::<()>();
            let (tx, rx) = std::sync::mpsc::channel();
            let last = engine.clone();
            engine
                .spawn(move || {
                    gate.recv().unwrap();
                    drop(last); // the last handle, dropped on a worker: the shutdown must not join this thread
                    tx.send(Engine::current().is_some()).unwrap();
                })
                .detach();
            drop(engine);
            open.send(()).unwrap();
            assert!(rx.recv().unwrap(), "the task finished on its worker after the last handle was dropped");
        }
    });
}

#[test]
fn spawn_racing_shutdown_is_never_lost() {
    watchdog("spawn_racing_shutdown_is_never_lost", || {
        for threads in WORKER_COUNTS {
            for _ in 0..50 {
                let engine = Engine::builder().threads(threads).build().unwrap();
                let ran = Arc::new(AtomicUsize::new(0));
                let spawner = {
                    let (engine, ran) = (engine.clone(), ran.clone());
                    std::thread::spawn(move || {
                        let mut accepted = 0;
                        for _ in 0..200 {
                            let ran = ran.clone();
                            match engine.try_spawn(move || ran.fetch_add(1, Ordering::SeqCst)) {
                                Ok(task) => {
                                    accepted += 1;
                                    task.detach();
                                }
                                Err(err) => drop(err.into_inner()),
                            }
                        }
                        accepted
                    })
                };
                engine.shutdown();
                let accepted = spawner.join().unwrap();
                assert_eq!(ran.load(Ordering::SeqCst), accepted, "every accepted task ran before shutdown ended");
            }
        }
    });
}

/// The scenario of `dropping_an_engine_never_hangs`, run in a child process of this test binary.
fn drop_with_stubborn_tasks() {
    use std::sync::atomic::AtomicBool;
    let engine = Engine::builder().threads(3).shutdown_timeout(Duration::from_millis(300)).build().unwrap();
    let future_dropped = Arc::new(AtomicUsize::new(0));
    let probe = DropProbe(future_dropped.clone());
    let pending = engine.task().name("pending").spawn_async(async move {
        let _probe = probe;
        std::future::pending::<()>().await;
    });
    pending.detach();
    let (started, starts) = std::sync::mpsc::channel();
    let poller_stopped = Arc::new(AtomicBool::new(false));
    let (stopped, ready) = (poller_stopped.clone(), started.clone());
    engine.task().name("poller").spawn_detached(move || {
        ready.send(()).unwrap();
        while !wove_executor::is_cancelled() {
            std::thread::sleep(Duration::from_millis(1));
        }
        stopped.store(true, Ordering::SeqCst);
    });
    engine.task().name("stubborn").spawn_detached(move || {
        started.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(30)); // never looks at is_cancelled()
    });
    starts.iter().take(2).for_each(drop);
    let dropping = Instant::now();
    drop(engine);
    let took = dropping.elapsed();
    println!(
        "took_ms={} future_dropped={} poller_stopped={}",
        took.as_millis(),
        future_dropped.load(Ordering::SeqCst),
        poller_stopped.load(Ordering::SeqCst)
    );
}

#[test]
fn dropping_an_engine_never_hangs() {
    if std::env::var_os("WOVE_SHUTDOWN_CHILD").is_some() {
        drop_with_stubborn_tasks();
        return;
    }
    let output = wove_testkit::in_child(
        "dropping_an_engine_never_hangs",
        &[("WOVE_SHUTDOWN_CHILD", "1")],
        Duration::from_secs(20),
    );
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find_map(|line| line.find("took_ms=").map(|at| &line[at..]))
        .unwrap_or_else(|| panic!("no report:\n{stdout}\n{stderr}"));
    let fields: Vec<&str> = line.split(' ').map(|field| field.split('=').nth(1).unwrap()).collect();
    let took: u64 = fields[0].parse().unwrap();
    assert!((300..1_300).contains(&took), "the drop took {took} ms with a 300 ms shutdown timeout");
    assert_eq!(fields[1], "1", "the pending future was dropped, once");
    assert_eq!(fields[2], "true", "the closure polling is_cancelled() stopped");
    let named = stderr.lines().find(|line| line.contains("shutdown timed out")).expect("stderr names what is left");
    assert!(named.contains("'stubborn'") && !named.contains("'poller'"), "{named}");
}

#[test]
fn a_graceful_shutdown_cancels_futures_nothing_will_wake_but_lets_closures_finish() {
    each_engine("a graceful shutdown cancels pending futures", |engine, _| {
        let dropped = Arc::new(AtomicUsize::new(0));
        let probe = DropProbe(dropped.clone());
        let pending = engine.spawn_async(async move {
            let _probe = probe;
            std::future::pending::<()>().await;
        });
        let finished = Arc::new(AtomicUsize::new(0));
        let done = finished.clone();
        engine.spawn_detached(move || {
            std::thread::sleep(Duration::from_millis(50));
            done.fetch_add(1, Ordering::SeqCst);
        });
        let started = Instant::now();
        engine.shutdown();
        assert!(started.elapsed() < Duration::from_secs(3), "the default timeout was not needed");
        assert_eq!(finished.load(Ordering::SeqCst), 1, "the closure ran to its end");
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        assert!(pending.join().unwrap_err().is_cancelled());
    });
}
