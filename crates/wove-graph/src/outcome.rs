//! What a node's body comes to: done, a condition's branch, or work it started that the node waits for (an
//! async node's future, a module node's run).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::slots::Output;

/// What an awaited node's work ends with: what stores the node's output.
pub(crate) type PutOutput = Box<dyn FnOnce(&Output<'_>) + Send>;

/// The work an async or module node started, as the run awaits it: it ends with what stores the node's output,
/// or with the node's failure (a module's failed run).
pub(crate) type Awaited = Pin<Box<dyn Future<Output = Result<PutOutput, String>> + Send>>;

/// What a node's body came to (its output, if any, is in its [`Output`] already).
pub(crate) enum Outcome {
    /// Done: its successors may run.
    Done,
    /// A condition node's choice: the index of the successor to run.
    Branch(usize),
    /// Work the node waits for, spawned as a task of the node: an async node's future, or a module node's run of
    /// its graph (with `cancel`, which cancelling this run calls).
    Await { done: Awaited, cancel: Option<Arc<dyn Fn() + Send + Sync>> },
}
