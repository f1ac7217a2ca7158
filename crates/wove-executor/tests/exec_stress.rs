//! A million tasks, flat and recursive: each runs exactly once. The ten-million variant is
//! `#[ignore]`d and run by `just stress`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use wove_executor::Engine;
use wove_testkit::{WORKER_COUNTS, each_engine};

fn flat(engine: &Engine, n: usize) {
    let counters: Arc<Vec<AtomicU8>> = Arc::new((0..n).map(|_| AtomicU8::new(0)).collect());
    let group = engine.group();
    for i in 0..n {
        let counters = counters.clone();
        group.spawn(move || counters[i].fetch_add(1, Ordering::Relaxed)).detach();
    }
    group.wait().unwrap();
    assert!(counters.iter().all(|c| c.load(Ordering::Relaxed) == 1), "every flat task ran exactly once");
}

/// Spawns the index range [lo, hi) as a binary tree of tasks, from inside the engine.
fn tree(counters: Arc<Vec<AtomicU8>>, lo: usize, hi: usize) {
    if hi - lo == 1 {
        counters[lo].fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mid = lo + (hi - lo) / 2;
    let left = counters.clone();
    wove_executor::spawn(move || tree(left, lo, mid)).detach();
    wove_executor::spawn(move || tree(counters, mid, hi)).detach();
}

fn recursive(engine: &Engine, n: usize) {
    let counters: Arc<Vec<AtomicU8>> = Arc::new((0..n).map(|_| AtomicU8::new(0)).collect());
    let group = engine.group();
    let root = counters.clone();
    group.spawn(move || tree(root, 0, n)).detach();
    group.wait().unwrap();
    assert!(counters.iter().all(|c| c.load(Ordering::Relaxed) == 1), "every recursive task ran exactly once");
}

#[test]
fn million_tasks_each_run_exactly_once() {
    each_engine("million_tasks_each_run_exactly_once", |engine, _| {
        flat(engine, 1_000_000);
        recursive(engine, 1_000_000);
    });
}

#[test]
#[ignore = "long: run by `just stress`"]
fn ten_million_tasks_each_run_exactly_once() {
    wove_testkit::watchdog_with_limit(
        "ten_million_tasks_each_run_exactly_once",
        std::time::Duration::from_secs(600),
        || {
            for threads in WORKER_COUNTS {
                let engine = Engine::builder().threads(threads).build().unwrap();
                flat(&engine, 10_000_000);
                recursive(&engine, 10_000_000);
            }
        },
    );
}
