//! The engine against rayon, tokio and async-executor, at every core, in the same criterion groups: the
//! standard workloads of `wove bench` (the same definitions, from `wove_cli`), at their `--quick` sizes.
//! Throughput is per unit (task, child, node, step, cell), so criterion's "time per element" is the
//! ns-per-unit of the design.
//!
//! Run with `cargo bench --bench engine` (`-- chain` for one workload).

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wove_cli::{Peer, Pool, Sizes, Workload};

fn engines(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let sizes = Sizes::quick();
    let pools: Vec<Pool> = Peer::ALL.iter().map(|&peer| Pool::new(peer, threads).expect("engine starts")).collect();
    for workload in Workload::ALL {
        let units = workload.run(&pools[0], &sizes).expect("wove computes the right result");
        let mut group = c.benchmark_group(workload.name());
        group.throughput(Throughput::Elements(units)).sample_size(10).measurement_time(Duration::from_secs(3));
        for pool in &pools {
            group.bench_function(pool.peer().name(), |b| {
                b.iter(|| workload.run(pool, &sizes).expect("the engine computes the right result"))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, engines);
criterion_main!(benches);
