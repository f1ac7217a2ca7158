//! "Spawn a closure on the engine I am running on", for each engine: what `chain` and `wavefront` use to
//! spawn the next piece of work from inside a running task.

use std::sync::Arc;

/// Spawns fire-and-forget closures onto one engine from inside it.
pub(crate) trait Spawner: Clone + Send + Sync + 'static {
    fn spawn(&self, job: impl FnOnce() + Send + 'static);
}

/// wove: the current engine (`wove::spawn_detached` inside a worker).
#[derive(Clone)]
pub(crate) struct Wove;

impl Spawner for Wove {
    fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        wove_executor::spawn_detached(job);
    }
}

/// rayon: the current pool (`rayon::spawn` inside a worker).
#[derive(Clone)]
pub(crate) struct Rayon;

impl Spawner for Rayon {
    fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        rayon::spawn(job);
    }
}

/// tokio: the current runtime (`tokio::spawn` inside a worker).
#[derive(Clone)]
pub(crate) struct Tokio;

impl Spawner for Tokio {
    fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        drop(tokio::spawn(async move { job() }));
    }
}

/// async-executor: the executor itself, which tasks must carry.
#[derive(Clone)]
pub(crate) struct Executor(pub(crate) Arc<async_executor::Executor<'static>>);

impl Spawner for Executor {
    fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        self.0.spawn(async move { job() }).detach();
    }
}
