//! Random DAGs: every node runs exactly once, after all its predecessors, and every value equals a sequential
//! evaluation — seeds 0..100, 10,000 nodes, out-degree at most 4, at 1, 2 and 4 workers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_graph::{Node, TaskGraph};
use wove_testkit::each_engine;

const NODES: usize = 10_000;

/// xorshift64*: a reproducible stream per seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// Each node's predecessors (earlier nodes, at most 4, each predecessor used by at most 4 nodes).
fn random_dag(seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out_degree = vec![0usize; NODES];
    (0..NODES)
        .map(|node| {
            let mut preds: Vec<usize> = Vec::new();
            if node > 0 {
                for _ in 0..rng.below(5) {
                    let pred = rng.below(node);
                    if out_degree[pred] < 4 && !preds.contains(&pred) {
                        out_degree[pred] += 1;
                        preds.push(pred);
                    }
                }
            }
            preds
        })
        .collect()
}

/// A node's value from its index and its inputs' values.
fn value(node: usize, inputs: &[u64]) -> u64 {
    inputs.iter().fold((node as u64).wrapping_mul(0x100_0000_01B3), |acc, v| acc.rotate_left(5) ^ v)
}

#[test]
fn random_dag_matches_sequential() {
    each_engine("random_dag_matches_sequential", |engine, threads| {
        for seed in 0..100 {
            let preds = random_dag(seed);
            let mut expected = vec![0u64; NODES];
            for node in 0..NODES {
                let inputs: Vec<u64> = preds[node].iter().map(|&p| expected[p]).collect();
                expected[node] = value(node, &inputs);
            }
            let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..NODES).map(|_| AtomicUsize::new(0)).collect());
            let order: Arc<Vec<AtomicUsize>> = Arc::new((0..NODES).map(|_| AtomicUsize::new(0)).collect());
            let clock = Arc::new(AtomicUsize::new(1));
            let mut g = TaskGraph::new();
            let mut nodes: Vec<Node<u64>> = Vec::with_capacity(NODES);
            for node in 0..NODES {
                let (runs, order, clock) = (runs.clone(), order.clone(), clock.clone());
                let record = move || {
                    runs[node].fetch_add(1, Ordering::SeqCst);
                    order[node].store(clock.fetch_add(1, Ordering::SeqCst), Ordering::SeqCst);
                };
                let p = &preds[node];
                let added = match p.len() {
                    0 => g.add("n", move || {
                        record();
                        value(node, &[])
                    }),
                    1 => g.add_after("n", nodes[p[0]], move |a| {
                        record();
                        value(node, &[*a])
                    }),
                    2 => g.add_after("n", (nodes[p[0]], nodes[p[1]]), move |(a, b)| {
                        record();
                        value(node, &[*a, *b])
                    }),
                    3 => g.add_after("n", (nodes[p[0]], nodes[p[1]], nodes[p[2]]), move |(a, b, c)| {
                        record();
                        value(node, &[*a, *b, *c])
                    }),
                    _ => g.add_after("n", (nodes[p[0]], nodes[p[1]], nodes[p[2]], nodes[p[3]]), move |(a, b, c, d)| {
                        record();
                        value(node, &[*a, *b, *c, *d])
                    }),
                };
                nodes.push(added);
            }
            let outputs = g.build().unwrap().run(engine).join().unwrap();
            for node in 0..NODES {
                assert_eq!(runs[node].load(Ordering::SeqCst), 1, "seed {seed}, node {node}, {threads} workers");
                assert_eq!(outputs.get(nodes[node]), Some(&expected[node]), "seed {seed}, node {node}");
                for &pred in &preds[node] {
                    assert!(
                        order[pred].load(Ordering::SeqCst) < order[node].load(Ordering::SeqCst),
                        "seed {seed}: node {node} ran before its predecessor {pred}"
                    );
                }
            }
        }
    });
}
