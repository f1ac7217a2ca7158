//! A node that fans out tasks (Taskflow's subflow, without a second API): `split` spawns a task per chunk, and
//! `total` starts only once `split` *and every task it spawned* have finished — so it may read what they wrote.
//! A profiled run shows where the time went.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wove::graph::{RunOptions, TaskGraph};

fn main() {
    let engine = wove::Engine::new();
    let sum = Arc::new(AtomicU64::new(0));
    let mut g = TaskGraph::new();
    let shared = sum.clone();
    let split = g.add("split", move || {
        shared.store(0, Ordering::SeqCst);
        for chunk in 0..16u64 {
            let shared = shared.clone();
            // Joins the node's tracking: `total` waits for it.
            wove::spawn_detached(move || {
                let part: u64 = (chunk * 62_500 + 1..=(chunk + 1) * 62_500).sum();
                shared.fetch_add(part, Ordering::SeqCst);
            });
        }
    });
    let read = sum.clone();
    let total = g.add_after("total", split, move |_: &()| read.load(Ordering::SeqCst));
    let graph = g.build().expect("no cycle");
    let outputs = graph.run_with(&engine, RunOptions::new().profile()).join().expect("no node fails");
    println!("sum of 1..=1000000: {}", outputs.get(total).unwrap());
    let report = outputs.report().expect("profiled");
    println!("critical path: {}", report.critical_path_nodes().join(" -> "));
}
