//! Helpers shared by the engine's integration tests.
#![allow(dead_code, reason = "each test file uses the helpers it needs")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the drops of the value it is captured in (or returned as).
#[derive(Debug)]
pub(crate) struct DropProbe(pub(crate) Arc<AtomicUsize>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Recursive fork-join fib(n) with `wove_executor::join` per node.
pub(crate) fn join_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = wove_executor::join(|| join_fib(n - 1), || join_fib(n - 2));
    a + b
}
