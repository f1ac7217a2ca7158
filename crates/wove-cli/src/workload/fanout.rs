//! `fanout`: a task spawns many children and waits for all of them, round after round.

use std::sync::atomic::Ordering;

use crate::Pool;
use crate::pool::Engine;
use crate::workload::buffer::{slots, verify};

pub(crate) fn run(pool: &Pool, children: usize, rounds: usize) -> Result<usize, String> {
    for round in 0..rounds {
        let results = slots(children);
        let value = move |j: usize| ((round as u64) << 32) | (j as u64 + 1);
        match &pool.engine {
            Engine::Wove(engine) => {
                let inner = engine.clone();
                let parent = engine.spawn(move || {
                    let group = inner.group();
                    for (j, slot) in results.iter().enumerate() {
                        group.spawn_detached(move || slot.store(value(j), Ordering::Release));
                    }
                    group.wait()
                });
                parent.join().map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
            }
            Engine::Rayon(rayon) => rayon.install(|| {
                rayon::scope(|scope| {
                    for (j, slot) in results.iter().enumerate() {
                        scope.spawn(move |_| slot.store(value(j), Ordering::Release));
                    }
                })
            }),
            Engine::Tokio(runtime) => {
                let parent = runtime.spawn(async move {
                    let handles: Vec<_> = (0..children)
                        .map(|j| tokio::spawn(async move { results[j].store(value(j), Ordering::Release) }))
                        .collect();
                    for handle in handles {
                        handle.await.map_err(|e| e.to_string())?;
                    }
                    Ok::<(), String>(())
                });
                runtime.block_on(parent).map_err(|e| e.to_string())??;
            }
            Engine::AsyncExecutor(pool) => {
                let executor = pool.executor.clone();
                let parent = pool.executor.spawn(async move {
                    let handles: Vec<_> = (0..children)
                        .map(|j| executor.spawn(async move { results[j].store(value(j), Ordering::Release) }))
                        .collect();
                    for handle in handles {
                        handle.await;
                    }
                });
                futures_lite::future::block_on(parent);
            }
        }
        verify(results, "children", value)?;
    }
    Ok(children * rounds)
}
