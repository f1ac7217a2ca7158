//! The library behind the `wove` command: the standard workloads on wove, rayon, tokio and async-executor, the
//! sweep that measures them across thread counts, and the report (table, JSON, SVG); and `wove graph`'s graph
//! files (DOT, JSON, STG) run as busy work against their lower bound. `benches/engine.rs` uses
//! the same workload definitions, so the criterion numbers and `wove bench` measure the same thing.
//!
//! # Examples
//!
//! ```
//! use wove_cli::{Peer, Plan, Report, Sizes, Workload};
//! let plan = Plan {
//!     workloads: vec![Workload::Spawn],
//!     peers: vec![Peer::Wove, Peer::Tokio],
//!     threads: vec![1, 2],
//!     reps: 1,
//!     sizes: Sizes { spawn_tasks: 1_000, ..Sizes::quick() },
//! };
//! let report = Report::new(plan.clone(), wove_cli::sweep(&plan, &indicatif::ProgressBar::hidden())?);
//! println!("{}", report.table());
//! # Ok::<(), String>(())
//! ```
//!
//! # Decisions
//!
//! - Each engine waits for its tasks in its own idiom (a wove group, a rayon scope, tokio and async-executor
//!   join handles), because that is what its users would write; the harness itself adds no per-task reference
//!   counting (results go to a reused, leaked buffer).
//! - Speed-up and efficiency are relative to the fewest threads measured (1 unless `--threads` says
//!   otherwise).

mod graph_cmd;
mod graph_file;
mod measure;
mod plot;
mod pool;
mod report;
mod workload;

pub use graph_cmd::{GraphPlan, GraphReport, GraphRunResult, run_graph_file, task_graph, write_profiled_run};
pub use graph_file::{FileNode, Format, GraphFile};
pub use measure::{Measurement, Plan, sweep};
pub use plot::write_svg;
pub use pool::{Peer, Pool};
pub use report::Report;
pub use workload::{Sizes, Workload};
