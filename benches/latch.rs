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
fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("latch::uncontended");
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

/// Every core counts one shared latch down as fast as it can; the caller waits for the release. Reported per
/// count-down.
fn contended(c: &mut Criterion) {
    let workers = threads();
    let mut group = c.benchmark_group("latch::contended");
    group.bench_function("wove", |b| {
        b.iter_custom(|iters| {
            let per_thread = (iters as usize).div_ceil(workers);
            let latch = Latch::new(per_thread * workers);
            timed(
                workers,
                &latch,
                |l| l.wait(),
                move |l| {
                    for _ in 0..per_thread {
                        l.count_down().unwrap();
                    }
                },
            )
        })
    });
    group.bench_function("crossbeam_waitgroup", |b| {
        b.iter_custom(|iters| {
            let per_thread = (iters as usize).div_ceil(workers);
            let wait_group = WaitGroup::new();
            let mut shares: Vec<Vec<WaitGroup>> =
                (0..workers).map(|_| (0..per_thread).map(|_| wait_group.clone()).collect()).collect();
            let start = Instant::now();
            std::thread::scope(|s| {
                for share in shares.drain(..) {
                    s.spawn(move || share.into_iter().for_each(drop));
                }
                wait_group.wait();
            });
            start.elapsed()
        })
    });
    group.bench_function("mutex_condvar", |b| {
        b.iter_custom(|iters| {
            let per_thread = (iters as usize).div_ceil(workers);
            let latch = MutexLatch::new(per_thread * workers);
            timed(
                workers,
                &latch,
                |l| l.wait(),
                move |l| {
                    for _ in 0..per_thread {
                        l.count_down();
                    }
                },
            )
        })
    });
    group.finish();
}

fn timed<L: Sync>(workers: usize, latch: &L, wait: fn(&L), work: impl Fn(&L) + Sync) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| work(latch));
        }
        wait(latch);
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

criterion_group!(benches, uncontended, contended, wait_released);
criterion_main!(benches);
