//! DAG shapes from Taskflow's benchmarks — a linear chain, a binary tree, and a graph of levels with random
//! edges between neighbouring levels — run two ways: hand-coded with atomic dependency counters (each node
//! spawns the successors it readies, on any engine: the `dag_*` workloads) and as a `wove_graph::TaskGraph`
//! built, run and dropped (the `graph_*` workloads, where the peers run the hand-coded DAG). Both are timed the
//! way Taskflow times its own: construction + run + destruction.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use wove_graph::TaskGraph;

use crate::Pool;
use crate::pool::Engine;
use crate::workload::spawner::{self, Spawner};

/// A DAG shape.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    /// `n` nodes, each after the one before (Taskflow's `linear_chain`; each node a `counter++`).
    Chain(usize),
    /// A full binary tree of `layers` layers, parent before children (Taskflow's `binary_tree`; each node an
    /// atomic add).
    Tree(u32),
    /// `levels` levels of `levels` nodes, each with 1 to 4 random edges into the next level, fixed seed (Taskflow's
    /// `graph_traversal`; each node 32 sin/cos).
    Levels(usize),
}

impl Shape {
    pub(crate) fn nodes(self) -> usize {
        match self {
            Shape::Chain(n) => n,
            Shape::Tree(layers) => (1usize << layers) - 1,
            Shape::Levels(levels) => levels * levels,
        }
    }

    /// Calls `edge(from, to)` for every edge, in a fixed order.
    fn for_each_edge(self, mut edge: impl FnMut(usize, usize)) {
        match self {
            Shape::Chain(n) => (1..n).for_each(|to| edge(to - 1, to)),
            // Node k's children are 2k + 1 and 2k + 2.
            Shape::Tree(_) => (1..self.nodes()).for_each(|to| edge((to - 1) / 2, to)),
            Shape::Levels(width) => {
                let mut random = XorShift(0x5eed_0f1e_7e15);
                for level in 0..width.saturating_sub(1) {
                    for k in 0..width {
                        let from = level * width + k;
                        let degree = 1 + random.next() % 4;
                        let first = random.next() as usize % width;
                        // Distinct successors: consecutive (wrapping) from a random start.
                        for d in 0..degree as usize {
                            edge(from, (level + 1) * width + (first + d * 7) % width);
                        }
                    }
                }
            }
        }
    }

    /// True if the shape's nodes do real work (32 sin/cos) rather than only count themselves.
    fn heavy(self) -> bool {
        matches!(self, Shape::Levels(_))
    }
}

/// The work of node `node`, which counts itself in `counter`: with `heavy`, 32 sin/cos first.
fn work(node: usize, heavy: bool, counter: &AtomicU64) {
    if heavy {
        let mut x = node as f64;
        for _ in 0..16 {
            x = x.sin() + x.cos();
        }
        std::hint::black_box(x);
    }
    counter.fetch_add(1, Ordering::Relaxed);
}

/// A small fixed-seed generator, so every engine gets the same graph.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The hand-coded DAG: successor lists, a counter of unfinished predecessors per node, and who to tell at the end.
struct Dag {
    shape: Shape,
    starts: Vec<u32>,
    successors: Vec<u32>,
    pending: Vec<AtomicU32>,
    counter: AtomicU64,
    left: AtomicU64,
    done: Mutex<Option<mpsc::Sender<u64>>>,
}

impl Dag {
    fn new(shape: Shape, done: mpsc::Sender<u64>) -> Self {
        let nodes = shape.nodes();
        let mut edges = Vec::new();
        shape.for_each_edge(|from, to| edges.push((from as u32, to as u32)));
        let mut starts = vec![0u32; nodes + 1];
        let mut predecessors = vec![0u32; nodes];
        for &(from, to) in &edges {
            starts[from as usize + 1] += 1;
            predecessors[to as usize] += 1;
        }
        for node in 0..nodes {
            starts[node + 1] += starts[node];
        }
        let mut next = starts.clone();
        let mut successors = vec![0u32; edges.len()];
        for &(from, to) in &edges {
            successors[next[from as usize] as usize] = to;
            next[from as usize] += 1;
        }
        Self {
            shape,
            starts,
            successors,
            pending: predecessors.into_iter().map(AtomicU32::new).collect(),
            counter: AtomicU64::new(0),
            left: AtomicU64::new(nodes as u64),
            done: Mutex::new(Some(done)),
        }
    }
}

fn node<S: Spawner>(dag: Arc<Dag>, spawner: S, index: usize) {
    work(index, dag.shape.heavy(), &dag.counter);
    let successors = &dag.successors[dag.starts[index] as usize..dag.starts[index + 1] as usize];
    for &successor in successors {
        if dag.pending[successor as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
            let (dag, next) = (dag.clone(), spawner.clone());
            spawner.spawn(move || node(dag, next, successor as usize));
        }
    }
    if dag.left.fetch_sub(1, Ordering::AcqRel) == 1 {
        if let Some(done) = dag.done.lock().expect("never poisoned").take() {
            let _ = done.send(dag.counter.load(Ordering::Acquire));
        }
    }
}

fn check(shape: Shape, counted: u64) -> Result<usize, String> {
    match counted == shape.nodes() as u64 {
        true => Ok(shape.nodes()),
        false => Err(format!("{shape:?}: {counted} nodes ran, expected {}", shape.nodes())),
    }
}

/// The hand-coded DAG on any engine.
pub(crate) fn run_hand_coded(pool: &Pool, shape: Shape) -> Result<usize, String> {
    let (done, finished) = mpsc::channel();
    let dag = Arc::new(Dag::new(shape, done));
    let sources: Vec<usize> =
        (0..shape.nodes()).filter(|&index| dag.pending[index].load(Ordering::Relaxed) == 0).collect();
    for source in sources {
        let dag = dag.clone();
        match &pool.engine {
            Engine::Wove(engine) => engine.spawn_detached(move || node(dag, spawner::Wove, source)),
            Engine::Rayon(rayon) => rayon.spawn(move || node(dag, spawner::Rayon, source)),
            Engine::Tokio(runtime) => drop(runtime.spawn(async move { node(dag, spawner::Tokio, source) })),
            Engine::AsyncExecutor(pool) => {
                let spawner = spawner::Executor(pool.executor.clone());
                pool.executor.spawn(async move { node(dag, spawner, source) }).detach();
            }
        }
    }
    let counted = finished.recv().map_err(|_| format!("{shape:?}: the DAG ended without its last node"))?;
    check(shape, counted)
}

/// The DAG as a task graph on wove (the peers: hand-coded).
pub(crate) fn run_graph(pool: &Pool, shape: Shape) -> Result<usize, String> {
    let Engine::Wove(engine) = &pool.engine else { return run_hand_coded(pool, shape) };
    let counter = Arc::new(AtomicU64::new(0));
    let mut g = TaskGraph::new();
    let heavy = shape.heavy();
    let nodes: Vec<_> = (0..shape.nodes())
        .map(|index| {
            let counter = counter.clone();
            g.add("node", move || work(index, heavy, &counter))
        })
        .collect();
    shape.for_each_edge(|from, to| g.precede(nodes[from], nodes[to]));
    let graph = g.build().map_err(|error| error.to_string())?;
    graph.run(engine).join().map_err(|error| error.to_string())?;
    check(shape, counter.load(Ordering::Relaxed))
}
