//! CPU-parallel task graphs on the wove engine, Taskflow-grade: static DAGs with typed data passed along their
//! edges, validated once and reusable, any number of runs in flight at once, condition nodes that make
//! branches and loops, nodes that spawn tasks (their successors wait for them), async nodes, graphs nested as
//! nodes, failures that skip only what depends on them, cancellation, profiled runs and DOT export.
//!
//! # Examples
//!
//! ```
//! use wove_graph::TaskGraph;
//!
//! let mut g = TaskGraph::new();
//! let load = g.add("load", || "3 1 2".to_string());
//! let parse = g.add_after("parse", load, |text: &String| {
//!     text.split(' ').map(|n| n.parse::<u32>().unwrap()).collect::<Vec<_>>()
//! });
//! let max = g.add_after("max", parse, |numbers: &Vec<u32>| *numbers.iter().max().unwrap());
//! let sum = g.add_after("sum", parse, |numbers: &Vec<u32>| numbers.iter().sum::<u32>());
//! let report = g.add_after("report", (max, sum), |(max, sum)| format!("max {max}, sum {sum}"));
//! let graph = g.build()?; // validated once
//!
//! let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
//! let outputs = graph.run(&engine).join()?; // max and sum run in parallel
//! assert_eq!(outputs.get(report).unwrap(), "max 3, sum 6");
//! # Ok::<(), wove_graph::GraphError>(())
//! ```
//!
//! # From Taskflow
//!
//! | Taskflow | wove-graph |
//! |---|---|
//! | `taskflow.emplace(f)` | [`TaskGraph::add`], or [`TaskGraph::add_after`] with typed inputs |
//! | `a.precede(b)` | [`TaskGraph::precede`] (or the inputs of `add_after`) |
//! | condition task (returns an index, weak edges) | [`TaskGraph::condition`] |
//! | subflow (`emplace([](tf::Subflow& sf) { … })`) | spawning inside a node: `wove_executor::spawn`, groups, `then` chains, another graph's run — its successors wait for all of it |
//! | module task (`composed_of`) | [`TaskGraph::add_graph`], whose output is the inner run's [`Outputs`] |
//! | async task (`executor.async`, `co_await`) | [`TaskGraph::add_async`]: a future as a node |
//! | `executor.run(taskflow)` | [`Graph::run`] → [`GraphRun`] (`join`, `.await`, `cancel`) |
//! | `run_n`, `run_until` | [`Graph::run_n`], [`Graph::run_until`] |
//! | `taskflow.dump()` | [`Graph::to_dot`]; a profiled run's [`RunReport::to_dot`] colours nodes by time |
//! | profiler (`TF_ENABLE_PROFILER`) | [`RunOptions::profile`] → [`RunReport`]: makespan, work, critical path, parallelism, efficiency |
//! | runs of one taskflow serialized | runs of one [`Graph`] in flight at once, each with its own [`Outputs`] |
//! | an exception cancels the taskflow | a failure skips its dependents only ([`GraphError::skipped`]); [`RunOptions::fail_fast`] for Taskflow's way |
//! | data between tasks: your own shared variables | typed outputs, passed by reference along the edges |
//!
//! # How it runs
//!
//! A run is one tracked unit of the engine — counted once in the engine and in the group of the task that
//! started it — whose nodes are the engine's light jobs ([`wove_executor::LightJobs`]): no task, handle or
//! registry entry per node. Per node a run costs its dependency counters' decrements and a queue push; its
//! output is kept in place in the run's slot for it (three words inline, a larger value boxed), with no lock —
//! except for nodes a condition node can reach, which may run again while a reader of their last output still
//! runs, and whose outputs are therefore shared values. A node's closure is kept in place too. The successors a
//! node readies run next on the same worker (the next-task slot); the rest are stealable. What a node spawns
//! is captured in a group of its own (`wove_executor::Group::capture`, nothing if it spawns nothing), which a
//! task waits for before the node's successors are readied. The run's protocol is written up in `state.rs`,
//! the slots' in `slots.rs`.
//!
//! Nodes in a loop: a node readied again before its last readying made it start runs once for both, and a node
//! inside a loop that also waits on a node outside it runs once per run (its count is reset when it starts), as
//! in Taskflow.
// `unsafe` only in `slots.rs` (a run's outputs, in place) and `state.rs` (the protocol that orders them).
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod body;
mod builder;
mod dot;
mod error;
mod graph;
mod inputs;
mod node;
mod outcome;
mod outputs;
mod report;
mod room;
mod run;
mod slots;
mod spec;
mod state;

pub use builder::TaskGraph;
pub use error::GraphError;
pub use graph::Graph;
pub use inputs::Inputs;
pub use node::Node;
pub use outputs::Outputs;
pub use report::RunReport;
pub use run::{GraphRun, RunOptions};
