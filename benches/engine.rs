//! The engine against rayon, tokio and async-executor, all at every core, in the same criterion groups:
//! `spawn` (tiny tasks spawned from outside, then waited for), `fanout` (a task spawns children and waits for
//! all), `chain` (each task spawns the next), `fib` (recursive fork-join, one join per node). Throughput is per
//! unit (task, link or fib node), so criterion's "time per element" is the ns-per-unit the design talks about.
//!
//! Run with `cargo bench --bench engine`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime};

const SPAWN_TASKS: u64 = 100_000;
const FANOUT_CHILDREN: u64 = 10_000;
const CHAIN_LINKS: u64 = 100_000;
const FIB_N: u64 = 22;

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The peers, each with one pool of `threads()` workers, built once per process.
struct Peers {
    wove: wove::Engine,
    rayon: rayon::ThreadPool,
    tokio: tokio::runtime::Runtime,
    executor: AsyncExecutor,
}

impl Peers {
    fn new() -> Self {
        let n = threads();
        Self {
            wove: wove::Engine::builder().threads(n).build().unwrap(),
            rayon: rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap(),
            tokio: tokio::runtime::Builder::new_multi_thread().worker_threads(n).build().unwrap(),
            executor: AsyncExecutor::new(n),
        }
    }
}

/// async-executor has no thread pool of its own: `n` threads run the executor until it is dropped.
struct AsyncExecutor {
    executor: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl AsyncExecutor {
    fn new(n: usize) -> Self {
        let executor = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..n)
            .map(|_| {
                let (executor, stopped) = (executor.clone(), stopped.clone());
                std::thread::spawn(move || {
                    futures_lite::future::block_on(executor.run(stopped.recv())).ok().unwrap_or(())
                })
            })
            .collect();
        Self { executor, stop: Some(stop), threads }
    }
}

impl Drop for AsyncExecutor {
    fn drop(&mut self) {
        drop(self.stop.take());
        self.threads.drain(..).for_each(|t| t.join().unwrap());
    }
}

fn group<'a>(c: &'a mut Criterion, name: &str, units: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(units)).sample_size(10).measurement_time(Duration::from_secs(3));
    group
}

fn spawn(c: &mut Criterion, peers: &Peers) {
    let mut group = group(c, "spawn", SPAWN_TASKS);
    group.bench_function("wove", |b| {
        b.iter(|| {
            let tasks = peers.wove.group();
            for i in 0..SPAWN_TASKS {
                tasks.spawn(move || black_box(i)).detach();
            }
            tasks.wait().unwrap();
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            let (done, all_done) = mpsc::channel::<()>();
            for i in 0..SPAWN_TASKS {
                let done = done.clone();
                peers.rayon.spawn(move || drop((black_box(i), done)));
            }
            drop(done);
            let _ = all_done.recv(); // every sender dropped: every task ran
        })
    });
    group.bench_function("tokio", |b| {
        b.iter(|| {
            let handles: Vec<_> = (0..SPAWN_TASKS).map(|i| peers.tokio.spawn(async move { black_box(i) })).collect();
            peers.tokio.block_on(async {
                for handle in handles {
                    handle.await.unwrap();
                }
            });
        })
    });
    group.bench_function("async_executor", |b| {
        b.iter(|| {
            let tasks: Vec<_> =
                (0..SPAWN_TASKS).map(|i| peers.executor.executor.spawn(async move { black_box(i) })).collect();
            futures_lite::future::block_on(async {
                for task in tasks {
                    task.await;
                }
            });
        })
    });
    group.finish();
}

fn fanout(c: &mut Criterion, peers: &Peers) {
    let mut group = group(c, "fanout", FANOUT_CHILDREN);
    group.bench_function("wove", |b| {
        b.iter(|| {
            let engine = peers.wove.clone();
            peers.wove.install(move || {
                let children = engine.group();
                for i in 0..FANOUT_CHILDREN {
                    children.spawn(move || black_box(i)).detach();
                }
                children.wait().unwrap();
            })
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            peers.rayon.install(|| {
                rayon::scope(|s| {
                    for i in 0..FANOUT_CHILDREN {
                        s.spawn(move |_| {
                            black_box(i);
                        });
                    }
                })
            })
        })
    });
    group.bench_function("tokio", |b| {
        b.iter(|| {
            let parent = peers.tokio.spawn(async {
                let children: Vec<_> =
                    (0..FANOUT_CHILDREN).map(|i| tokio::spawn(async move { black_box(i) })).collect();
                for child in children {
                    child.await.unwrap();
                }
            });
            peers.tokio.block_on(parent).unwrap();
        })
    });
    group.bench_function("async_executor", |b| {
        b.iter(|| {
            let executor = peers.executor.executor.clone();
            let parent = peers.executor.executor.spawn(async move {
                let children: Vec<_> =
                    (0..FANOUT_CHILDREN).map(|i| executor.spawn(async move { black_box(i) })).collect();
                for child in children {
                    child.await;
                }
            });
            futures_lite::future::block_on(parent);
        })
    });
    group.finish();
}

fn wove_link(left: u64, done: mpsc::Sender<()>) {
    if left == 0 {
        done.send(()).unwrap();
    } else {
        wove::spawn(move || wove_link(left - 1, done)).detach();
    }
}

fn rayon_link(left: u64, done: mpsc::Sender<()>) {
    if left == 0 {
        done.send(()).unwrap();
    } else {
        rayon::spawn(move || rayon_link(left - 1, done));
    }
}

fn tokio_link(left: u64, done: mpsc::Sender<()>) {
    if left == 0 {
        done.send(()).unwrap();
    } else {
        drop(tokio::spawn(async move { tokio_link(left - 1, done) }));
    }
}

fn executor_link(executor: Arc<async_executor::Executor<'static>>, left: u64, done: mpsc::Sender<()>) {
    if left == 0 {
        done.send(()).unwrap();
    } else {
        let next = executor.clone();
        executor.spawn(async move { executor_link(next, left - 1, done) }).detach();
    }
}

fn chain(c: &mut Criterion, peers: &Peers) {
    let mut group = group(c, "chain", CHAIN_LINKS);
    group.bench_function("wove", |b| {
        b.iter(|| {
            let (done, finished) = mpsc::channel();
            peers.wove.spawn(move || wove_link(CHAIN_LINKS, done)).detach();
            finished.recv().unwrap();
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            let (done, finished) = mpsc::channel();
            peers.rayon.spawn(move || rayon_link(CHAIN_LINKS, done));
            finished.recv().unwrap();
        })
    });
    group.bench_function("tokio", |b| {
        b.iter(|| {
            let (done, finished) = mpsc::channel();
            drop(peers.tokio.spawn(async move { tokio_link(CHAIN_LINKS, done) }));
            finished.recv().unwrap();
        })
    });
    group.bench_function("async_executor", |b| {
        b.iter(|| {
            let (done, finished) = mpsc::channel();
            let executor = peers.executor.executor.clone();
            peers.executor.executor.spawn(async move { executor_link(executor, CHAIN_LINKS, done) }).detach();
            finished.recv().unwrap();
        })
    });
    group.finish();
}

fn wove_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = wove::join(|| wove_fib(n - 1), || wove_fib(n - 2));
    a + b
}

fn rayon_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = rayon::join(|| rayon_fib(n - 1), || rayon_fib(n - 2));
    a + b
}

fn tokio_fib(n: u64) -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n < 2 {
            return n;
        }
        let a = tokio::spawn(tokio_fib(n - 1));
        let b = tokio_fib(n - 2).await;
        a.await.unwrap() + b
    })
}

fn executor_fib(
    executor: Arc<async_executor::Executor<'static>>,
    n: u64,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n < 2 {
            return n;
        }
        let a = executor.spawn(executor_fib(executor.clone(), n - 1));
        let b = executor_fib(executor.clone(), n - 2).await;
        a.await + b
    })
}

/// The number of calls (nodes) of the recursive fib(n).
fn fib_nodes(n: u64) -> u64 {
    let (mut a, mut b) = (1u64, 1u64); // calls of fib(0), fib(1)
    for _ in 1..n {
        (a, b) = (b, a + b + 1);
    }
    if n == 0 { a } else { b }
}

fn fib(c: &mut Criterion, peers: &Peers) {
    let expected = 17_711; // fib(22)
    let mut group = group(c, "fib", fib_nodes(FIB_N));
    group.bench_function("wove", |b| b.iter(|| assert_eq!(peers.wove.install(|| wove_fib(FIB_N)), expected)));
    group.bench_function("rayon", |b| b.iter(|| assert_eq!(peers.rayon.install(|| rayon_fib(FIB_N)), expected)));
    group.bench_function("tokio", |b| b.iter(|| assert_eq!(peers.tokio.block_on(tokio_fib(FIB_N)), expected)));
    group.bench_function("async_executor", |b| {
        b.iter(|| {
            let executor = peers.executor.executor.clone();
            let root = peers.executor.executor.spawn(executor_fib(executor, FIB_N));
            assert_eq!(futures_lite::future::block_on(root), expected)
        })
    });
    group.finish();
}

fn engines(c: &mut Criterion) {
    let peers = Peers::new();
    spawn(c, &peers);
    fanout(c, &peers);
    chain(c, &peers);
    fib(c, &peers);
}

criterion_group!(benches, engines);
criterion_main!(benches);
