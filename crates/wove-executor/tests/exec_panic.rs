//! Panics never kill a worker, never abort, and are never lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_executor::Engine;
use wove_testkit::{WORKER_COUNTS, watchdog};

mod reporting;
use reporting::collecting_engine;

#[test]
fn panic_in_task_is_isolated() {
    watchdog("panic_in_task_is_isolated", || {
        for threads in WORKER_COUNTS {
            let (engine, reports) = collecting_engine(threads);
            let finished = Arc::new(AtomicUsize::new(0));
            let tasks: Vec<_> = (0..1000)
                .map(|i| {
                    let finished = finished.clone();
                    engine.spawn(move || {
                        if i == 500 {
                            panic!("task 500 fails");
                        }
                        finished.fetch_add(1, Ordering::SeqCst);
                        i
                    })
                })
                .collect();
            for (i, task) in tasks.into_iter().enumerate() {
                match task.join() {
                    Ok(value) => assert_eq!(value, i),
                    Err(err) => {
                        assert_eq!(i, 500);
                        assert!(err.is_panic());
                        assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "task 500 fails");
                    }
                }
            }
            assert_eq!(finished.load(Ordering::SeqCst), 999);
            assert!(reports.lock().unwrap().is_empty(), "a panic read through its handle is not reported again");
            // Same worker count, and every worker still runs tasks.
            assert_eq!(engine.threads(), threads);
            let gate = wove_latch::Latch::new(threads);
            let all: Vec<_> = (0..threads)
                .map(|_| {
                    let gate = gate.clone();
                    engine.spawn(move || {
                        gate.count_down().unwrap();
                        gate.wait();
                    })
                })
                .collect();
            all.into_iter().for_each(|t| t.join().unwrap());
        }
    });
}

#[test]
fn detached_panic_reaches_handler() {
    watchdog("detached_panic_reaches_handler", || {
        for threads in WORKER_COUNTS {
            let (engine, reports) = collecting_engine(threads);
            let task = engine.task().name("lost").spawn(|| panic!("nobody reads me"));
            let id = task.id();
            drop(task);
            engine.wait_idle();
            let reports = reports.lock().unwrap().clone();
            assert_eq!(reports, vec![format!("task {id} 'lost' panicked: nobody reads me")]);
        }
    });
}

#[test]
fn default_handler_keeps_the_process_alive() {
    watchdog("default_handler_keeps_the_process_alive", || {
        let engine = Engine::builder().threads(1).build().unwrap();
        engine.spawn(|| panic!("printed to stderr, not fatal")).detach();
        engine.wait_idle();
        assert_eq!(engine.spawn(|| 1).join().unwrap(), 1);
    });
}

#[derive(Debug)]
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("output drop panics");
    }
}

#[test]
fn output_drop_panic_is_contained() {
    watchdog("output_drop_panic_is_contained", || {
        for threads in WORKER_COUNTS {
            let (engine, reports) = collecting_engine(threads);
            let finished = engine.spawn(|| PanicsOnDrop);
            while !finished.is_finished() {
                std::thread::yield_now();
            }
            drop(finished); // dropped with its handle, on this thread
            let unfinished = engine.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(5));
                PanicsOnDrop
            });
            drop(unfinished); // dropped on a worker when it completes
            engine.wait_idle();
            assert_eq!(reports.lock().unwrap().len(), 2);
            assert!(reports.lock().unwrap().iter().all(|r| r.ends_with("panicked: output drop panics")));
            assert_eq!(engine.spawn(|| 7).join().unwrap(), 7, "workers are alive");
        }
    });
}

#[test]
fn a_detached_panic_is_printed_once() {
    if std::env::var_os("WOVE_PANIC_CHILD").is_some() {
        let engine = Engine::builder().threads(1).build().unwrap();
        engine.task().name("loud").spawn_detached(|| panic!("say it once"));
        engine.wait_idle();
        let task = engine.spawn(|| 1);
        task.on_done(|_| panic!("the callback says it once"));
        engine.wait_idle();
        return;
    }
    let output = wove_testkit::in_child(
        "a_detached_panic_is_printed_once",
        &[("WOVE_PANIC_CHILD", "1")],
        std::time::Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("say it once").count(), 1, "printed once:\n{stderr}");
    assert_eq!(stderr.matches("the callback says it once").count(), 1, "printed once:\n{stderr}");
}

#[test]
fn a_panic_in_on_thread_start_reaches_the_panic_handler() {
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = reports.clone();
    let engine = Engine::builder()
        .threads(1)
        .panic_handler(move |error| sink.lock().unwrap().push(error))
        .on_thread_start(|_| panic!("the hook fails"))
        .build()
        .unwrap();
    assert_eq!(engine.spawn(|| 3).join().unwrap(), 3, "the worker started anyway");
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].is_panic());
    assert_eq!(reports[0].name(), Some("on_thread_start of worker 0"));
    assert!(reports[0].to_string().ends_with("'on_thread_start of worker 0' panicked: the hook fails"));
}

#[test]
fn scope_on_a_shut_down_engine_fails_like_install() {
    let engine = Engine::builder().threads(1).build().unwrap();
    engine.shutdown();
    let ran = std::sync::atomic::AtomicBool::new(false);
    let scoped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine.scope(|s| s.spawn(|| ran.store(true, std::sync::atomic::Ordering::SeqCst)))
    }));
    assert_eq!(*scoped.unwrap_err().downcast::<&str>().unwrap(), "scope on an engine that is shut down");
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst), "nothing ran inline");
    let installed = std::panic::catch_unwind(|| engine.install(|| ()));
    assert_eq!(*installed.unwrap_err().downcast::<&str>().unwrap(), "install on an engine that is shut down");
}
