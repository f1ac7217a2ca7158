//! Task graphs against hand-coded DAGs, at 1 and 2 threads: Taskflow's benchmark shapes (a chain, a binary
//! tree, a wavefront, levels with random edges), each built, run and dropped as a `wove_graph::TaskGraph` on
//! wove (`graph_*`) and hand-coded with atomic dependency counters on every engine (`dag_*`, `wavefront`), and
//! the rerun of a built graph — the same definitions as `wove bench --workload taskflow,graph_rerun`, at its
//! `--quick` sizes. Throughput is per node.
//!
//! Run with `cargo bench --bench graph` (`-- graph_tree` for one workload).

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wove_cli::{Peer, Pool, Sizes, Workload};

fn graphs(c: &mut Criterion) {
    let sizes = Sizes::quick();
    let mut pools = Vec::new();
    for threads in [1, 2] {
        for peer in Peer::ALL {
            pools.push((threads, Pool::new(peer, threads).expect("engine starts")));
        }
    }
    let workloads = Workload::TASKFLOW.into_iter().chain([Workload::GraphRerun]);
    for workload in workloads {
        let units = workload.run(&pools[0].1, &sizes).expect("wove computes the right result");
        let mut group = c.benchmark_group(workload.name());
        group.throughput(Throughput::Elements(units)).sample_size(10).measurement_time(Duration::from_secs(2));
        for (threads, pool) in &pools {
            group.bench_function(format!("{}/{threads}", pool.peer().name()), |b| {
                b.iter(|| workload.run(pool, &sizes).expect("the engine computes the right result"))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, graphs);
criterion_main!(benches);
