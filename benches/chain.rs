//! A 100,000-link dependent chain — each step's result feeding the next — with wove's `then` against rayon,
//! tokio and async-executor spawning the next step from the previous one (the `chain` workload of `wove bench`),
//! in one criterion group, at every core. Reported per link.
//!
//! Run with `cargo bench --bench chain`.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wove::prelude::*;
use wove_cli::{Peer, Pool, Sizes, Workload};

const LINKS: usize = 100_000;

fn chains(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let sizes = Sizes { chain_links: LINKS, ..Sizes::quick() };
    let mut group = c.benchmark_group("then_chain");
    group.throughput(Throughput::Elements(LINKS as u64)).sample_size(10).measurement_time(Duration::from_secs(5));
    let engine = Engine::builder().threads(threads).build().expect("engine starts");
    group.bench_function("wove_then", |b| {
        b.iter(|| {
            let mut tail = engine.spawn(|| 0u64);
            for _ in 0..LINKS {
                tail = tail.then(|n| n + 1);
            }
            assert_eq!(tail.join().expect("no link fails"), LINKS as u64);
        })
    });
    for peer in [Peer::Rayon, Peer::Tokio, Peer::AsyncExecutor] {
        let pool = Pool::new(peer, threads).expect("engine starts");
        group.bench_function(peer.name(), |b| b.iter(|| Workload::Chain.run(&pool, &sizes).expect("right result")));
    }
    group.finish();
}

criterion_group!(benches, chains);
criterion_main!(benches);
