//! The standard workloads of the design (§3), the task-graph workloads, and the shapes of Taskflow's benchmarks,
//! each implemented for every engine, each verifying its result.

mod buffer;
mod chain;
mod cpu;
mod dag;
mod fanout;
mod fib;
mod graph_wavefront;
mod spawn;
mod spawner;
mod wavefront;

use std::fmt;

use serde::Serialize;

use crate::Pool;
use crate::workload::dag::Shape;

/// How a DAG workload runs on wove.
fn graph_or_hand_coded(workload: Workload) -> &'static str {
    match workload.name().starts_with("graph_") {
        true => "built + run + dropped as a task graph (peers: hand-coded counters)",
        false => "hand-coded with dependency counters on every engine",
    }
}

/// A standard workload.
///
/// # Examples
///
/// ```
/// use wove_cli::{Peer, Pool, Sizes, Workload};
/// let pool = Pool::new(Peer::Wove, 2)?;
/// let units = Workload::Chain.run(&pool, &Sizes::quick())?;
/// assert_eq!(units, Sizes::quick().chain_links as u64);
/// assert_eq!(Workload::parse("wavefront"), Some(Workload::Wavefront));
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Tiny tasks spawned from outside the engine, then waited for.
    Spawn,
    /// A task spawns many children and waits for all of them, repeated.
    Fanout,
    /// Recursive fork-join fib(n): a `join` (or a spawned task) per node.
    Fib,
    /// Dependent steps, each spawned by the previous one with its result.
    Chain,
    /// A grid DAG: cell (i, j) runs after (i-1, j) and (i, j-1).
    Wavefront,
    /// The same grid as a `wove_graph::TaskGraph`, built, run and dropped (the peers hand-code the DAG with
    /// dependency counters, as in `wavefront`).
    #[serde(rename = "graph_wavefront")]
    GraphWavefront,
    /// Taskflow's `graph_traversal` shape as a task graph: levels of nodes with 1 to 4 random edges into the
    /// next, a little real work per node (the peers: hand-coded counters).
    #[serde(rename = "graph_levels")]
    GraphLevels,
    /// The `graph_wavefront` graph built once and run again: what a rerun of a built graph costs (the peers:
    /// the hand-coded wavefront).
    #[serde(rename = "graph_rerun")]
    GraphRerun,
    /// Independent tasks of real work (about 50 µs each): speed-up and efficiency.
    Cpu,
    /// Taskflow's `linear_chain` as a task graph (the peers: hand-coded).
    #[serde(rename = "graph_chain")]
    GraphChain,
    /// Taskflow's `linear_chain`, hand-coded with dependency counters on every engine.
    #[serde(rename = "dag_chain")]
    DagChain,
    /// Taskflow's `binary_tree` as a task graph (the peers: hand-coded).
    #[serde(rename = "graph_tree")]
    GraphTree,
    /// Taskflow's `binary_tree`, hand-coded on every engine.
    #[serde(rename = "dag_tree")]
    DagTree,
    /// Taskflow's `graph_traversal`, hand-coded on every engine.
    #[serde(rename = "dag_levels")]
    DagLevels,
}

impl Workload {
    /// The default set: the design's workloads and the task-graph ones.
    pub const ALL: [Workload; 9] = [
        Workload::Spawn,
        Workload::Fanout,
        Workload::Fib,
        Workload::Chain,
        Workload::Wavefront,
        Workload::GraphWavefront,
        Workload::GraphLevels,
        Workload::GraphRerun,
        Workload::Cpu,
    ];

    /// `--workload taskflow`: the shapes of Taskflow's benchmarks, each as a task graph and hand-coded (on wove
    /// too, which is what the graph's generality is measured against). With `--taskflow-sizes`, at Taskflow's
    /// sizes.
    pub const TASKFLOW: [Workload; 8] = [
        Workload::GraphChain,
        Workload::DagChain,
        Workload::GraphTree,
        Workload::DagTree,
        Workload::GraphWavefront,
        Workload::Wavefront,
        Workload::GraphLevels,
        Workload::DagLevels,
    ];

    /// The workload's name on the command line and in reports.
    ///
    /// # Examples
    ///
    /// See [`Workload`].
    pub fn name(self) -> &'static str {
        match self {
            Workload::Spawn => "spawn",
            Workload::Fanout => "fanout",
            Workload::Fib => "fib",
            Workload::Chain => "chain",
            Workload::Wavefront => "wavefront",
            Workload::GraphWavefront => "graph_wavefront",
            Workload::GraphLevels => "graph_levels",
            Workload::GraphRerun => "graph_rerun",
            Workload::Cpu => "cpu",
            Workload::GraphChain => "graph_chain",
            Workload::DagChain => "dag_chain",
            Workload::GraphTree => "graph_tree",
            Workload::DagTree => "dag_tree",
            Workload::DagLevels => "dag_levels",
        }
    }

    /// The workload with this name.
    ///
    /// # Examples
    ///
    /// See [`Workload`].
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().chain(Workload::TASKFLOW).find(|workload| workload.name() == name)
    }

    /// What one run does, with these sizes, and what its unit is.
    ///
    /// # Examples
    ///
    /// ```
    /// let line = wove_cli::Workload::Fib.describe(&wove_cli::Sizes::quick());
    /// assert!(line.starts_with("fork-join fib(20)"));
    /// ```
    pub fn describe(self, sizes: &Sizes) -> String {
        match self {
            Workload::Spawn => {
                format!("{} tiny tasks spawned from outside, then waited for; unit: task", sizes.spawn_tasks)
            }
            Workload::Fanout => format!(
                "a task spawns {} children and waits for all, {} times; unit: child",
                sizes.fanout_children, sizes.fanout_rounds
            ),
            Workload::Fib => format!("fork-join fib({}), a join or task per node; unit: node", sizes.fib_n),
            Workload::Chain => format!("{} dependent steps, each spawning the next; unit: step", sizes.chain_links),
            Workload::Wavefront => {
                format!("{0}x{0} grid DAG, cell (i,j) after (i-1,j) and (i,j-1); unit: cell", sizes.grid)
            }
            Workload::GraphWavefront => format!(
                "the {0}x{0} grid as a task graph, built + run + dropped (peers: hand-coded counters); unit: cell",
                sizes.grid
            ),
            Workload::GraphLevels | Workload::DagLevels => format!(
                "{0} levels of {0} nodes, 1-4 random edges to the next level, 32 sin/cos per node, {1}; unit: node",
                sizes.levels,
                graph_or_hand_coded(self)
            ),
            Workload::GraphRerun => format!(
                "the {0}x{0} grid's task graph built once, run again (peers: hand-coded counters); unit: cell",
                sizes.grid
            ),
            Workload::Cpu => format!(
                "{} independent tasks of ~{} µs of real work; unit: task",
                sizes.cpu_tasks, sizes.cpu_task_micros
            ),
            Workload::GraphChain | Workload::DagChain => {
                format!("a chain of {} nodes, {}; unit: node", sizes.chain_nodes, graph_or_hand_coded(self))
            }
            Workload::GraphTree | Workload::DagTree => format!(
                "a binary tree of {} layers ({} nodes), {}; unit: node",
                sizes.tree_layers,
                (1u64 << sizes.tree_layers) - 1,
                graph_or_hand_coded(self)
            ),
        }
    }

    /// Runs the workload once on `pool`, checks its result, and returns how many units it did.
    ///
    /// # Errors
    ///
    /// A description of the wrong result, if the engine computed one.
    ///
    /// # Examples
    ///
    /// See [`Workload`].
    pub fn run(self, pool: &Pool, sizes: &Sizes) -> Result<u64, String> {
        let units = match self {
            Workload::Spawn => spawn::run(pool, sizes.spawn_tasks)?,
            Workload::Fanout => fanout::run(pool, sizes.fanout_children, sizes.fanout_rounds)?,
            Workload::Fib => fib::run(pool, sizes.fib_n)?,
            Workload::Chain => chain::run(pool, sizes.chain_links)?,
            Workload::Wavefront => wavefront::run(pool, sizes.grid)?,
            Workload::GraphWavefront => graph_wavefront::run(pool, sizes.grid)?,
            Workload::GraphLevels => dag::run_graph(pool, Shape::Levels(sizes.levels))?,
            Workload::GraphRerun => graph_wavefront::rerun(pool, sizes.grid)?,
            Workload::Cpu => cpu::run(pool, sizes.cpu_tasks, sizes.cpu_task_micros)?,
            Workload::GraphChain => dag::run_graph(pool, Shape::Chain(sizes.chain_nodes))?,
            Workload::DagChain => dag::run_hand_coded(pool, Shape::Chain(sizes.chain_nodes))?,
            Workload::GraphTree => dag::run_graph(pool, Shape::Tree(sizes.tree_layers))?,
            Workload::DagTree => dag::run_hand_coded(pool, Shape::Tree(sizes.tree_layers))?,
            Workload::DagLevels => dag::run_hand_coded(pool, Shape::Levels(sizes.levels))?,
        };
        Ok(units as u64)
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How big each workload is.
///
/// # Examples
///
/// ```
/// let (full, quick) = (wove_cli::Sizes::full(), wove_cli::Sizes::quick());
/// assert_eq!(full.spawn_tasks, 1_000_000);
/// assert!(quick.spawn_tasks < full.spawn_tasks);
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct Sizes {
    /// `spawn`: tasks per run.
    pub spawn_tasks: usize,
    /// `fanout`: children per round.
    pub fanout_children: usize,
    /// `fanout`: rounds per run.
    pub fanout_rounds: usize,
    /// `fib`: n.
    pub fib_n: u64,
    /// `chain`: steps per run.
    pub chain_links: usize,
    /// `wavefront`: the grid's side.
    pub grid: usize,
    /// `cpu`: tasks per run.
    pub cpu_tasks: usize,
    /// `cpu`: the work of one task, in microseconds (calibrated on this machine).
    pub cpu_task_micros: u64,
    /// `graph_chain`, `dag_chain`: nodes.
    pub chain_nodes: usize,
    /// `graph_tree`, `dag_tree`: layers (2^layers - 1 nodes).
    pub tree_layers: u32,
    /// `graph_levels`, `dag_levels`: levels, and nodes per level.
    pub levels: usize,
}

impl Sizes {
    /// The design's sizes (§3).
    ///
    /// # Examples
    ///
    /// See [`Sizes`].
    pub fn full() -> Self {
        Self {
            spawn_tasks: 1_000_000,
            fanout_children: 10_000,
            fanout_rounds: 10,
            fib_n: 25,
            chain_links: 100_000,
            grid: 256,
            cpu_tasks: 2_000,
            cpu_task_micros: 50,
            chain_nodes: 1 << 16,
            tree_layers: 16,
            levels: 256,
        }
    }

    /// The sizes of Taskflow's own benchmark runs (`--taskflow-sizes`): a chain of 2^22 nodes, a binary tree of
    /// 2^22 - 1, a 1024 x 1024 grid, 1024 levels of 1024 nodes; the other workloads as [`full`](Self::full).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wove_cli::Sizes::taskflow().chain_nodes, 1 << 22);
    /// ```
    pub fn taskflow() -> Self {
        Self { chain_nodes: 1 << 22, tree_layers: 22, grid: 1024, levels: 1024, ..Self::full() }
    }

    /// Smaller runs, for `--quick`: the whole sweep at 1 and 2 threads stays well under 30 s.
    ///
    /// # Examples
    ///
    /// See [`Sizes`].
    pub fn quick() -> Self {
        Self {
            spawn_tasks: 100_000,
            fanout_children: 10_000,
            fanout_rounds: 2,
            fib_n: 20,
            chain_links: 20_000,
            grid: 128,
            cpu_tasks: 400,
            cpu_task_micros: 50,
            chain_nodes: 1 << 14,
            tree_layers: 14,
            levels: 128,
        }
    }
}

/// The number of calls the recursive fib(n) makes.
pub(crate) fn fib_nodes(n: u64) -> usize {
    let (mut calls_prev, mut calls) = (1usize, 1usize); // calls of fib(0), fib(1)
    for _ in 1..n {
        (calls_prev, calls) = (calls, calls_prev + calls + 1);
    }
    if n == 0 { calls_prev } else { calls }
}

/// fib(n), computed directly, to check the engines' results.
pub(crate) fn fib_value(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}
