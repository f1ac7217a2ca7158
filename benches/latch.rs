//! Latch costs against the latches users reach for: `crossbeam_utils::sync::WaitGroup` and a
//! `Mutex<usize>` + `Condvar` latch, in the same criterion groups.
//!
//! Run with `cargo bench --bench latch`.

use std::hint::black_box;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossbeam_utils::sync::WaitGroup;
use wove::Latch;

/// The hand-rolled latch people write first: a counter under a mutex, a condvar to wait on.
struct MutexLatch {
    count: Mutex<usize>,
    released: Condvar,
}

impl MutexLatch {
    fn new(count: usize) -> Self {
        Self { count: Mutex::new(count), released: Condvar::new() }
    }

    fn add(&self, k: usize) {
        *self.count.lock().unwrap() += k;
    }

    fn count_down(&self) {
        let mut count = self.count.lock().unwrap();
        *count -= 1;
        if *count == 0 {
            self.released.notify_all();
        }
    }

    fn wait(&self) {
        let mut count = self.count.lock().unwrap();
        while *count != 0 {
            count = self.released.wait(count).unwrap();
        }
    }
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// One registration and one completion on one thread: `guard()` + drop, `clone()` + drop, `add` + `count_down`.
fn register_and_complete(c: &mut Criterion) {
    let mut group = c.benchmark_group("latch::register_and_complete");
    let latch = Latch::new(1);
    group.bench_function("wove", |b| b.iter(|| drop(black_box(latch.guard().unwrap()))));
    let wait_group = WaitGroup::new();
    group.bench_function("crossbeam_waitgroup", |b| b.iter(|| drop(black_box(wait_group.clone()))));
    let mutex = MutexLatch::new(1);
    group.bench_function("mutex_condvar", |b| {
        b.iter(|| {
            mutex.add(1);
            mutex.count_down();
        })
    });
    group.finish();
}

/// Count-downs of one latch, from one thread (`uncontended`) and from every core at once (`contended`; the
/// caller waits for the release). Reported per count-down. A `WaitGroup` counts down by dropping a clone, so
/// its clones are made before the clock starts.
fn count_down(c: &mut Criterion) {
    for (name, workers) in [("latch::count_down_uncontended", 1), ("latch::count_down_contended", threads())] {
        let mut group = c.benchmark_group(name);
        group.bench_function("wove", |b| {
            b.iter_custom(|iters| count_downs(workers, iters, Latch::new, |l| l.count_down().unwrap(), Latch::wait))
        });
        group.bench_function("crossbeam_waitgroup", |b| {
            b.iter_custom(|iters| {
                let per_thread = (iters as usize).div_ceil(workers);
                let wait_group = WaitGroup::new();
                let shares: Vec<Vec<WaitGroup>> =
                    (0..workers).map(|_| (0..per_thread).map(|_| wait_group.clone()).collect()).collect();
                let start = Instant::now();
                std::thread::scope(|s| {
                    for share in shares {
                        s.spawn(move || share.into_iter().for_each(drop));
                    }
                    wait_group.wait();
                });
                start.elapsed()
            })
        });
        group.bench_function("mutex_condvar", |b| {
            b.iter_custom(|iters| {
                count_downs(workers, iters, MutexLatch::new, MutexLatch::count_down, MutexLatch::wait)
            })
        });
        group.finish();
    }
}

/// Times `workers` threads counting down a fresh latch of `iters` (rounded up) counts and the caller's wait.
fn count_downs<L: Sync>(workers: usize, iters: u64, new: fn(usize) -> L, count_down: fn(&L), wait: fn(&L)) -> Duration {
    let per_thread = (iters as usize).div_ceil(workers);
    let latch = new(per_thread * workers);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| (0..per_thread).for_each(|_| count_down(&latch)));
        }
        wait(&latch);
    });
    start.elapsed()
}

/// Waiting on a latch that is already released: the fast path every tree-of-tasks wait ends on.
fn wait_released(c: &mut Criterion) {
    let mut group = c.benchmark_group("latch::wait_released");
    let latch = Latch::new(0);
    group.bench_function("wove", |b| b.iter(|| black_box(&latch).wait()));
    let mutex = MutexLatch::new(0);
    group.bench_function("mutex_condvar", |b| b.iter(|| black_box(&mutex).wait()));
    // A WaitGroup cannot be waited on twice, so its closest equivalent is a fresh one waited on at once.
    group.bench_function("crossbeam_waitgroup_fresh", |b| b.iter(|| WaitGroup::new().wait()));
    group.bench_function("wove_fresh", |b| b.iter(|| Latch::new(0).wait()));
    group.finish();
}

criterion_group!(benches, register_and_complete, count_down, wait_released);
criterion_main!(benches);
