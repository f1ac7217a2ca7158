//! The six standard workloads of the design (§3), each implemented for every engine, each verifying its result.

mod buffer;
mod chain;
mod cpu;
mod fanout;
mod fib;
mod graph_wavefront;
mod spawn;
mod spawner;
mod wavefront;

use std::fmt;

use serde::Serialize;

use crate::Pool;

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
    /// Independent tasks of real work (about 50 µs each): speed-up and efficiency.
    Cpu,
}

impl Workload {
    /// Every workload, in the design's order.
    pub const ALL: [Workload; 7] = [
        Workload::Spawn,
        Workload::Fanout,
        Workload::Fib,
        Workload::Chain,
        Workload::Wavefront,
        Workload::GraphWavefront,
        Workload::Cpu,
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
            Workload::Cpu => "cpu",
        }
    }

    /// The workload with this name.
    ///
    /// # Examples
    ///
    /// See [`Workload`].
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|workload| workload.name() == name)
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
            Workload::Cpu => format!(
                "{} independent tasks of ~{} µs of real work; unit: task",
                sizes.cpu_tasks, sizes.cpu_task_micros
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
            Workload::Cpu => cpu::run(pool, sizes.cpu_tasks, sizes.cpu_task_micros)?,
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
        }
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
