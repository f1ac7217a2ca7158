//! CPU-parallel task graphs on the wove engine, Taskflow-grade: static DAGs with typed data passed along their
//! edges, validated once and reusable, any number of runs in flight at once, condition nodes that make
//! branches and loops, failures that skip only what depends on them, cancellation and DOT export.
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
//! | `executor.run(taskflow)` | [`Graph::run`] → [`GraphRun`] (`join`, `.await`, `cancel`) |
//! | `run_n`, `run_until` | [`Graph::run_n`], [`Graph::run_until`] |
//! | `taskflow.dump()` | [`Graph::to_dot`] |
//! | runs of one taskflow serialized | runs of one [`Graph`] in flight at once, each with its own [`Outputs`] |
//! | an exception cancels the taskflow | a failure skips its dependents only ([`GraphError::skipped`]); [`RunOptions::fail_fast`] for Taskflow's way |
//!
//! # How it runs
//!
//! A run is one tracked unit of the engine — counted once in the engine and in the group of the task that
//! started it — whose nodes are the engine's light jobs ([`wove_executor::LightJobs`]): no task, handle or
//! registry entry per node. Per node a run costs its dependency counters' decrements, a queue push, and a lock
//! for its output if it has one (a `()` output is not stored). The successors a node readies run next on the
//! same worker (the next-task slot); the rest are stealable. The run's protocol is written up in `run.rs`.
//!
//! Not yet: async nodes, graphs nested as module nodes, tasks spawned inside a node holding back its successors
//! (they join the run's group), and profiled runs.
// `unsafe` only in `slots.rs` (a run's outputs, in place) and `state.rs` (the protocol that orders them).
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod body;
mod builder;
mod error;
mod graph;
mod inputs;
mod node;
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
