//! Helpers shared by the engine's integration tests.

/// Recursive fork-join fib(n) with `wove_executor::join` per node.
pub(crate) fn join_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = wove_executor::join(|| join_fib(n - 1), || join_fib(n - 2));
    a + b
}
