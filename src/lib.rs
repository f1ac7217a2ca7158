//! wove: a multi-threaded, work-stealing job engine for Rust — background tasks with names, done-callbacks
//! that may schedule follow-ups, groups that know when a whole tree of tasks is finished, fork-join, and the
//! latch and event that replace asyncio's "the last task sets a global `Event`" pattern, across all cores.
//!
//! This facade re-exports the wove crates: the engine ([`wove_executor`]), continuations ([`wove_chain`],
//! also in [`prelude`]), task graphs ([`graph`], from [`wove_graph`]) and the latch ([`wove_latch`]).
//!
//! # Examples
//!
//! ```
//! let engine = wove::Engine::builder().threads(2).build()?;
//! let task = engine.task().name("MyTask").spawn(|| 6 * 7);
//! task.on_done(|outcome| println!("done callback: {outcome:?}"));
//! assert_eq!(task.join().unwrap(), 42);
//!
//! let group = engine.group();
//! group.spawn(|| wove::spawn(|| println!("a follow-up, tracked too")).detach());
//! group.wait().unwrap();
//!
//! // Every type a signature names is here too, e.g. the engine's metrics:
//! let metrics: wove::Metrics = engine.metrics();
//! assert_eq!(metrics.workers().len(), 2);
//! # Ok::<(), wove::BuildError>(())
//! ```
#![forbid(unsafe_code)]

pub use wove_chain::{
    AllOf, AsCompleted, AsyncStep, Chain, CompletedStream, Step, Steps, TaskExt, all, all_cancelling, any,
    any_cancelling, as_completed, chain, step_async,
};
pub use wove_executor::{
    BuildError, Builder, DEFAULT_SHUTDOWN_TIMEOUT, Elapsed, Engine, Group, GroupError, GroupId, GroupWait, LightJob,
    LightJobs, Metrics, Scope, Sleep, SpawnError, Task, TaskBuilder, TaskError, TaskId, TaskInfo, TaskState, Timeout,
    WorkerMetrics, YieldNow, current_task, is_cancelled, join, sleep, sleep_until, spawn, spawn_async, spawn_detached,
    timeout, yield_now,
};
/// CPU-parallel task graphs: see [`wove_graph`].
///
/// # Examples
///
/// ```
/// let mut g = wove::graph::TaskGraph::new();
/// let answer = g.add("answer", || 42);
/// let engine = wove::Engine::builder().threads(2).build()?;
/// assert_eq!(g.build().unwrap().run(&engine).join().unwrap().get(answer), Some(&42));
/// # Ok::<(), wove::BuildError>(())
/// ```
pub mod graph {
    pub use wove_graph::*;
}
pub use wove_latch::{
    Blocker, Event, EventWait, Latch, LatchError, LatchGuard, LatchWait, WaitHook, WaitHookGuard, install_wait_hook,
};

/// Everything needed to write chains: `use wove::prelude::*;`.
///
/// # Examples
///
/// ```
/// use wove::prelude::*;
/// let engine = Engine::builder().threads(1).build()?;
/// assert_eq!(engine.spawn(|| 2).then(|n| n * 21).join().unwrap(), 42);
/// # Ok::<(), wove::BuildError>(())
/// ```
pub mod prelude {
    pub use wove_chain::TaskExt;
    pub use wove_executor::{Engine, Group, Task, TaskError};
}

/// The README's code blocks, compiled and run as doc tests so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
