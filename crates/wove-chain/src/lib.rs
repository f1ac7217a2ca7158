//! Continuations on wove tasks: the callback chains of the asyncio tutorials (`task1 → callback → task2 → …`),
//! done so that each step runs as its own job on the engine and the caller gets the end result.
//!
//! ```
//! use wove_chain::TaskExt;
//!
//! let engine = wove_executor::Engine::builder().threads(2).build()?;
//! let total = engine
//!     .spawn(|| 1)
//!     .then(|one| one + 1)
//!     .inspect(|two| assert_eq!(*two, 2))
//!     .then(|two| two * 10)
//!     .join()
//!     .unwrap();
//! assert_eq!(total, 20);
//! # Ok::<(), wove_executor::BuildError>(())
//! ```
//!
//! # Semantics
//!
//! - Each step runs as its own task, once the step before it has finished (after its done-callbacks), usually
//!   next on the worker that finished it; never inline on the thread that adds it.
//! - A failed step (panic or cancellation) skips every later step that needs its value; the tail carries the
//!   original error, naming the task that failed. [`recover`](TaskExt::recover) turns an error back into a
//!   value; [`finally`](TaskExt::finally) sees every outcome.
//! - Cancelling the tail cancels every step that has not started, the head included; a step already running
//!   finishes and its output is dropped.
//! - Steps join the group of the task they follow, so `group.wait()` covers whole chains.
//!
//! # Decisions
//!
//! - [`map`](TaskExt::map) transforms the whole outcome (`Result<T, TaskError>` to `Result<U, TaskError>`):
//!   the general step that the others are written with, for users who need it; [`then`](TaskExt::then) is
//!   the one for values.
//! - [`all`] and [`any`] run as a task on the engine of their first input; their `_cancelling` forms cancel the
//!   inputs still running once the outcome is known. [`as_completed`] yields outcomes in completion order, as a
//!   blocking iterator (which helps on a worker) or, with `into_stream`, a `Stream` — two types, so that a
//!   `StreamExt` import does not make `next` ambiguous.
//! - [`chain!`] runs independent steps one after another; a failed step re-raises its panic in the chain (the
//!   chain's error then names the chain's task, with the step's message).
//! - [`and_then`](TaskExt::and_then) and [`then_async`](TaskExt::then_async) start an inner task from the
//!   step and wait for it in the step's job (helping on its worker), rather than growing a second, future-based
//!   kind of continuation: the upstream cancellation of chains then covers them like every other step.
//! - Not yet here: cancelling the tail of `all`/`any` does not cancel their inputs.
#![forbid(unsafe_code)]

mod all;
mod any;
mod as_completed;
mod chain;
mod then;

pub use all::{AllOf, all, all_cancelling};
pub use any::{any, any_cancelling};
pub use as_completed::{AsCompleted, CompletedStream, as_completed};
pub use chain::{__run_steps, AsyncStep, Chain, Step, Steps, step_async};
pub use then::TaskExt;
