//! Continuations: values flow step to step, each step is its own job on a worker (never inline on the caller),
//! chains are tracked by the group of the task they follow, and a million links neither recurse nor leak.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_chain::TaskExt;
use wove_executor::Engine;
use wove_testkit::{WORKER_COUNTS, watchdog, watchdog_with_limit};

#[test]
fn values_flow_through_the_steps() {
    watchdog("values_flow_through_the_steps", || {
        for threads in WORKER_COUNTS {
            let engine = Engine::builder().threads(threads).build().unwrap();
            let seen = Arc::new(AtomicUsize::new(0));
            let peek = seen.clone();
            let text = engine
                .spawn(|| 20)
                .then(|n| n + 1)
                .inspect(move |n| peek.store(*n, Ordering::SeqCst))
                .then(|n| n * 2)
                .map(|outcome| outcome.map(|n| format!("Main: {n}")))
                .join()
                .unwrap();
            assert_eq!(text, "Main: 42");
            assert_eq!(seen.load(Ordering::SeqCst), 21);
        }
    });
}

#[test]
fn a_step_added_to_a_finished_task_runs_on_a_worker_not_inline() {
    watchdog("a_step_added_to_a_finished_task_runs_on_a_worker_not_inline", || {
        for threads in WORKER_COUNTS {
            let engine = Engine::builder().threads(threads).build().unwrap();
            let head = engine.spawn(|| 1);
            while !head.is_finished() {
                std::thread::yield_now();
            }
            let caller = std::thread::current().id();
            let step = head.then(move |n| (n, std::thread::current().id() != caller, Engine::current().is_some()));
            assert_eq!(step.join().unwrap(), (1, true, true));
        }
    });
}

#[test]
fn steps_join_the_group_of_the_task_they_follow() {
    watchdog("steps_join_the_group_of_the_task_they_follow", || {
        for threads in WORKER_COUNTS {
            let engine = Engine::builder().threads(threads).build().unwrap();
            let group = engine.group();
            let done = Arc::new(AtomicUsize::new(0));
            for _ in 0..100 {
                let done = done.clone();
                let mut step = group.spawn(|| 0usize);
                for _ in 0..10 {
                    step = step.then(|n| {
                        std::thread::yield_now();
                        n + 1
                    });
                }
                step.then(move |n| done.fetch_add(n, Ordering::SeqCst)).detach();
            }
            group.wait().unwrap();
            assert_eq!(done.load(Ordering::SeqCst), 1000, "group.wait() covered every step of every chain");
        }
    });
}

/// The resident set size of this process, from `/proc/self/status`.
#[cfg(target_os = "linux")]
fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_million_links_complete_without_recursion_and_are_freed() {
    watchdog_with_limit(
        "a_million_links_complete_without_recursion_and_are_freed",
        std::time::Duration::from_secs(300),
        || {
            let engine = Engine::builder().threads(2).build().unwrap();
            // Extended while it runs, as a program that keeps adding steps would: finished links are freed as the
            // chain advances, so memory stays at a few MB however long it gets.
            #[cfg(target_os = "linux")]
            let before = rss_kib();
            let mut tail = engine.spawn(|| 0u64);
            for i in 0..1_000_000 {
                tail = tail.then(|n| n + 1);
                if i % 1000 == 0 {
                    while engine.tasks().len() > 10_000 {
                        std::thread::yield_now();
                    }
                }
            }
            assert_eq!(tail.join().unwrap(), 1_000_000);
            #[cfg(target_os = "linux")]
            {
                let grown = rss_kib().saturating_sub(before);
                assert!(grown < 16 * 1024, "resident memory grew by {grown} KiB over a million links");
            }
            // Built all at once before it runs: a million pending links, no recursion when they run or are freed.
            let mut tail = engine.spawn(|| 0u64);
            for _ in 0..1_000_000 {
                tail = tail.then(|n| n + 1);
            }
            assert_eq!(tail.join().unwrap(), 1_000_000);
            engine.wait_idle();
            assert!(engine.tasks().is_empty(), "every finished link was released");
        },
    );
}

#[test]
fn and_then_and_then_async_flatten_and_carry_inner_failures() {
    watchdog("and_then_and_then_async_flatten_and_carry_inner_failures", || {
        for threads in WORKER_COUNTS {
            let engine = Engine::builder().threads(threads).panic_handler(|_| {}).build().unwrap();
            let inner = engine.clone();
            let value = engine
                .spawn(|| 1)
                .and_then(move |n| inner.spawn(move || n + 1))
                .then_async(|n| async move { n * 10 })
                .join()
                .unwrap();
            assert_eq!(value, 20);

            let inner = engine.clone();
            let failing = engine
                .spawn(|| 1)
                .and_then(move |_| inner.task().name("inner").spawn(|| -> u32 { panic!("inner fails") }));
            let err = failing.then(|n| n + 1).join().unwrap_err();
            assert_eq!(err.name(), Some("inner"), "the inner task's failure is carried, naming it");
        }
    });
}
