//! `chain`: dependent steps, each spawned by the previous one with its result (`acc + 1`); the last reports.

use std::sync::mpsc;

use crate::Pool;
use crate::pool::Engine;
use crate::workload::spawner::{self, Spawner};

fn step<S: Spawner>(spawner: S, left: usize, acc: u64, done: mpsc::Sender<u64>) {
    if left == 0 {
        let _ = done.send(acc);
    } else {
        let next = spawner.clone();
        spawner.spawn(move || step(next, left - 1, acc + 1, done));
    }
}

pub(crate) fn run(pool: &Pool, links: usize) -> Result<usize, String> {
    let (done, finished) = mpsc::channel();
    match &pool.engine {
        Engine::Wove(engine) => engine.spawn_detached(move || step(spawner::Wove, links, 0, done)),
        Engine::Rayon(rayon) => rayon.spawn(move || step(spawner::Rayon, links, 0, done)),
        Engine::Tokio(runtime) => drop(runtime.spawn(async move { step(spawner::Tokio, links, 0, done) })),
        Engine::AsyncExecutor(pool) => {
            let spawner = spawner::Executor(pool.executor.clone());
            pool.executor.spawn(async move { step(spawner, links, 0, done) }).detach();
        }
    }
    match finished.recv() {
        Ok(acc) if acc == links as u64 => Ok(links),
        Ok(acc) => Err(format!("a chain of {links} steps ended at {acc}")),
        Err(_) => Err("the chain ended without its last step".to_string()),
    }
}
