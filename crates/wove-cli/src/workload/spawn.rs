//! `spawn`: tiny tasks spawned from outside the engine, then waited for, each engine in its own idiom: a wove
//! group, a rayon scope, tokio and async-executor join handles. Also the driver of `cpu`, whose tasks do real
//! work instead.

use std::sync::atomic::Ordering;

use crate::Pool;
use crate::pool::Engine;
use crate::workload::buffer::{slots, verify};

pub(crate) fn run(pool: &Pool, tasks: usize) -> Result<usize, String> {
    let body = |i: usize, _: u64| i as u64 * 2 + 1;
    spawn_all(pool, tasks, 0, body, |i| body(i, 0))?;
    Ok(tasks)
}

/// Spawns `tasks` tasks from outside `pool`, task `i` storing `body(i, param)` in its slot; waits for all and
/// checks every slot against `expected(i)` — which must be cheap, since the check is part of the timed run.
pub(crate) fn spawn_all(
    pool: &Pool,
    tasks: usize,
    param: u64,
    body: fn(usize, u64) -> u64,
    expected: impl Fn(usize) -> u64,
) -> Result<(), String> {
    let results = slots(tasks);
    match &pool.engine {
        Engine::Wove(engine) => {
            let group = engine.group();
            for (i, slot) in results.iter().enumerate() {
                group.spawn_detached(move || slot.store(body(i, param), Ordering::Release));
            }
            group.wait().map_err(|e| e.to_string())?;
        }
        Engine::Rayon(rayon) => rayon.in_place_scope(|scope| {
            for (i, slot) in results.iter().enumerate() {
                scope.spawn(move |_| slot.store(body(i, param), Ordering::Release));
            }
        }),
        Engine::Tokio(runtime) => {
            let handles: Vec<_> = (0..tasks)
                .map(|i| runtime.spawn(async move { results[i].store(body(i, param), Ordering::Release) }))
                .collect();
            runtime.block_on(async {
                for handle in handles {
                    handle.await.map_err(|e| e.to_string())?;
                }
                Ok::<(), String>(())
            })?;
        }
        Engine::AsyncExecutor(pool) => {
            let handles: Vec<_> = (0..tasks)
                .map(|i| pool.executor.spawn(async move { results[i].store(body(i, param), Ordering::Release) }))
                .collect();
            futures_lite::future::block_on(async {
                for handle in handles {
                    handle.await;
                }
            });
        }
    }
    verify(results, "tasks", expected)
}
