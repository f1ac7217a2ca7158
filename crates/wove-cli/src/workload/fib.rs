//! `fib`: recursive fork-join fib(n) — `join` where the engine has one (wove, rayon), else a spawned task for
//! one half and an inline call for the other (tokio, async-executor).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::Pool;
use crate::pool::Engine;
use crate::workload::{fib_nodes, fib_value};

type BoxedFib = Pin<Box<dyn Future<Output = u64> + Send>>;

fn wove_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = wove_executor::join(|| wove_fib(n - 1), || wove_fib(n - 2));
    a + b
}

fn rayon_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = rayon::join(|| rayon_fib(n - 1), || rayon_fib(n - 2));
    a + b
}

fn tokio_fib(n: u64) -> BoxedFib {
    Box::pin(async move {
        if n < 2 {
            return n;
        }
        let a = tokio::spawn(tokio_fib(n - 1));
        let b = tokio_fib(n - 2).await;
        a.await.expect("a fib task does not fail") + b
    })
}

fn executor_fib(executor: Arc<async_executor::Executor<'static>>, n: u64) -> BoxedFib {
    Box::pin(async move {
        if n < 2 {
            return n;
        }
        let a = executor.spawn(executor_fib(executor.clone(), n - 1));
        let b = executor_fib(executor, n - 2).await;
        a.await + b
    })
}

pub(crate) fn run(pool: &Pool, n: u64) -> Result<usize, String> {
    let value = match &pool.engine {
        Engine::Wove(engine) => engine.install(|| wove_fib(n)),
        Engine::Rayon(rayon) => rayon.install(|| rayon_fib(n)),
        Engine::Tokio(runtime) => runtime.block_on(tokio_fib(n)),
        Engine::AsyncExecutor(pool) => {
            let root = pool.executor.spawn(executor_fib(pool.executor.clone(), n));
            futures_lite::future::block_on(root)
        }
    };
    match value == fib_value(n) {
        true => Ok(fib_nodes(n)),
        false => Err(format!("fib({n}) came out as {value}, expected {}", fib_value(n))),
    }
}
