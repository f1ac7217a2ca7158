//! The wove engine: a work-stealing scheduler that runs closures and futures on every core, with task handles,
//! done-callbacks, cancellation, panic isolation, groups that track whole trees of tasks, and fork-join.
//!
//! # Examples
//!
//! The asyncio patterns, across all cores:
//!
//! ```
//! use wove_executor::Engine;
//!
//! let engine = Engine::builder().threads(2).build()?;
//!
//! // create_task(coro(), name="MyTask") + add_done_callback + await
//! let task = engine
//!     .task()
//!     .name("MyTask")
//!     .on_done(|outcome: &Result<u32, _>| println!("done: {outcome:?}"))
//!     .spawn(|| 40 + 2);
//! assert_eq!(task.join().unwrap(), 42);
//!
//! // Wait for a whole tree, including follow-ups spawned by tasks and callbacks: no global Event.
//! let group = engine.group();
//! group.spawn(|| {
//!     wove_executor::spawn(|| println!("follow-up, tracked by the same group"));
//! });
//! group.wait().unwrap();
//! # Ok::<(), wove_executor::BuildError>(())
//! ```
//!
//! # How it is built
//!
//! The crate is built in layers, each using only the ones below it:
//!
//! 1. **Leaves**: ids, errors, task snapshots ([`TaskInfo`]), [`Metrics`], the trace recorder.
//! 2. **Membership**: a group's rounds — the count of its live members and their failures — and the counts a
//!    worker holds back so that finishing members do not write a shared line per task. Knows nothing of tasks.
//! 3. **Tasks**: the state word, the completion and done-callback protocol, the one-word job that queues hold,
//!    and the cells that run closures, futures, continuations and [light jobs](LightJobs). A task reaches its
//!    engine only through one hooks trait.
//! 4. **Registry**: the live tasks, for [`Engine::tasks`] and [`Engine::shutdown_now`], in per-worker shards that
//!    hold no reference count.
//! 5. **Scheduler**: the engine's state — admission against shutdown, a deque and a next-task slot per worker,
//!    the injector, sleeping and waking — the worker loop and the one wait loop through which every blocking
//!    wait on a worker helps ([`Task::join`], [`Group::wait`], latch waits, [`join`]).
//! 6. **Spawn**: admission into the engine and the task's group, registration, first queueing; and the engine's
//!    side of the task layer's hooks.
//! 7. **The public API**: [`Engine`], [`Builder`], [`Task`], [`TaskBuilder`], [`Group`], [`Scope`],
//!    [`LightJobs`], and the free functions.
//!
//! The protocols are written up where they are implemented (task state and completion, group rounds and held
//! counts, admission and shutdown, sleep and wake, the next-task slot, the registry, stack jobs, light jobs);
//! the workspace's `docs/architecture.md` maps them and follows a spawn from end to end, and
//! `docs/decisions.md` keeps the measurements behind the choices. The task state, completion, admission, sleep,
//! round and registry protocols are model-checked with loom (`just loom`).
//!
//! # Waiting, stacks and shutdown
//!
//! - **Help while waiting.** A blocking wait on a worker ([`Task::join`], [`Task::wait_timeout`],
//!   [`Group::wait`], a latch or event, [`join`]) runs other jobs on the same stack until its condition holds, so
//!   nested blocking never deadlocks. Three rules keep those stacks shallow: futures resumed by a wake from
//!   outside the workers (or by themselves) run before new work, so a task blocked on a child finds the child
//!   resumed before it starts another task; a group wait gives back the member counts its worker holds as soon
//!   as they are all that is left; and past three quarters of its stack a wait takes no new work at all — only
//!   its worker's own jobs and resumed futures. The limit: a wait that deep, on an engine whose every worker
//!   is that deep, whose condition needs a task not yet started, waits until another wait unwinds.
//! - **Stacks.** Worker threads have 32 MiB stacks by default ([`DEFAULT_STACK_SIZE`], address space: memory is
//!   used only as deep as a stack gets), enough for spawn + join recursion 10,000 levels deep in a debug build
//!   (about 2 KiB a level) and several times that in release; [`Builder::stack_size`] changes it.
//! - **Shutdown and drop.** [`Engine::shutdown`], and the drop of the last [`Engine`] handle, always end:
//!   queued tasks and running closures run to their end; futures still pending once no runnable work is left
//!   are cancelled; closures still running after the shutdown timeout ([`DEFAULT_SHUTDOWN_TIMEOUT`], 5 s) see
//!   [`is_cancelled`] turn true, and those that still do not return are named on stderr and left on detached
//!   threads. [`Engine::shutdown_now`] cancels everything at once and waits for the threads.
//! - **Time.** [`sleep`], [`sleep_until`] and [`timeout`] suspend futures on one timer thread per process, so
//!   sleeping tasks hold no worker, and an engine whose only work is a pending timer burns no CPU.
//!
//! # Semantics worth knowing
//!
//! - A closure that is running when [`Task::cancel`] returns `true` runs on (unless it checks
//!   [`is_cancelled`]), but its value is dropped and the task ends as cancelled: `cancel()`'s answer always
//!   matches the outcome.
//! - [`Group::wait`] reports panics (of members and of their callbacks) as failures; cancelled members are not
//!   failures, since somebody asked for that. A fail-fast group cancels the rest the moment a failure is
//!   decided, before anyone can observe it.
//! - A task's [`join`](Task::join) returns after its done-callbacks have run, so a joiner sees their effects.
//! - During a graceful [`Engine::shutdown`], spawns from outside are refused, but follow-ups spawned by running
//!   tasks and callbacks are accepted: a shutdown finishes whole task trees.
//! - A task blocked by other means than wove's waits (a `std` channel or lock, a spin) on a task it has just
//!   spawned is not helped: that task waits in the worker's next-task slot, which another worker takes over only
//!   if it is awake to see that the blocked one makes no progress. Wait through wove instead: [`Task::join`],
//!   [`Group::wait`], a latch.
//! - [`Engine`], [`Group`] and [`Task`] are `UnwindSafe`: every panic inside the engine is caught where it
//!   happens, and their state stays consistent.
//! - Each task is one allocation from the global allocator; wove keeps no pool of its own. Fire-and-forget
//!   spawns ([`Engine::spawn_detached`] and its siblings) skip the handle and are the cheapest spawn.
#![warn(clippy::undocumented_unsafe_blocks)]

mod builder;
mod engine;
mod error;
mod global;
mod group;
mod handle;
mod id;
mod info;
mod join;
mod light;
mod membership;
mod metrics;
mod registry;
mod scheduler;
mod scope;
mod spawn;
mod sync;
mod task;
mod task_builder;
mod time;
mod trace;
mod yield_now;

pub use builder::{Builder, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_STACK_SIZE};
pub use engine::Engine;
pub use error::{BuildError, GroupError, SpawnError, TaskError};
pub use global::{current_task, is_cancelled, join, spawn, spawn_async, spawn_detached};
pub use group::{Group, GroupWait};
pub use handle::Task;
pub use id::{GroupId, TaskId};
pub use info::{TaskInfo, TaskState};
pub use light::{LightJob, LightJobs};
pub use metrics::{Metrics, WorkerMetrics};
pub use scope::Scope;
pub use task_builder::TaskBuilder;
pub use time::sleep::{Sleep, sleep, sleep_until};
pub use time::timeout::{Elapsed, Timeout, timeout};
pub use yield_now::{YieldNow, yield_now};
