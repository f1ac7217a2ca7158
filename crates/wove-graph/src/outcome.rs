//! What a node's body comes to: done, a condition's branch, or work it started that the node waits for (an
//! async node's future, a module node's run).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::slots::Output;

/// What an async node's future ends with: what stores its output.
pub(crate) type PutOutput = Box<dyn FnOnce(&Output<'_>) + Send>;

/// An async node's future.
pub(crate) type AsyncBody = Pin<Box<dyn Future<Output = PutOutput> + Send>>;

/// What a node's body came to (its output, if any, is in its [`Output`] already).
pub(crate) enum Outcome {
    /// Done: its successors may run.
    Done,
    /// A condition node's choice: the index of the successor to run.
    Branch(usize),
    /// An async node's future, spawned as a task of the node; what it returns stores the node's output.
    Async(AsyncBody),
    /// A module node's run of its graph, started by the node: its outputs are the node's output, its failure
    /// the node's, and cancelling this run cancels it.
    Module(ModuleRun),
}

/// A module node's run of its graph, as the run of the outer graph sees it: what to await (the inner run's
/// outputs as what stores them, or its failure) and how to cancel it.
pub(crate) struct ModuleRun {
    pub(crate) done: Pin<Box<dyn Future<Output = Result<PutOutput, String>> + Send>>,
    pub(crate) cancel: Arc<dyn Fn() + Send + Sync>,
}
