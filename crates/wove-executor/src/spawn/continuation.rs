//! Spawning a continuation (`task/continuation.rs`): the predecessor's handle comes in taken apart
//! ([`HandleParts`]), and the continuation's handle goes out the same way.

use crate::error::TaskError;
use crate::membership::round::Round;
use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::spawn::pipeline::Spawned;
use crate::spawn::spec::{SpawnSpec, Tracking};
use crate::sync::Arc;
use crate::task::continuation::ContinuationCell;
use crate::task::core::{AsCore, Core};

/// A task handle taken apart: the task's cell, the handle's count of the engine, and its counted round.
pub(crate) struct HandleParts<T> {
    pub(crate) cell: Arc<dyn AsCore<T>>,
    pub(crate) engine: Arc<Shared>,
    pub(crate) round: Option<Arc<Round>>,
}

/// Spawns `body` as a continuation of `predecessor` (see `task/continuation.rs`): the new task, with the
/// predecessor's count of the engine; or the predecessor back if the engine is shut down and idle.
pub(crate) fn spawn_continuation<P, T, F>(
    predecessor: HandleParts<P>,
    body: F,
) -> Result<(Spawned<T>, Arc<Shared>), HandleParts<P>>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
{
    // The predecessor's handle is taken apart: its count of the engine becomes the new handle's, so a link takes
    // no count (`task/continuation.rs`, step 1).
    let HandleParts { cell: upstream, engine, round: upstream_round } = predecessor;
    let upstream_core: *const Core<P> = upstream.core();
    let spec = SpawnSpec::follow_up(Tracking::After(upstream_round.as_ref()), upstream.core().header.id);
    let registered = context::with_worker_of(&engine, |worker| {
        engine.register(spec, worker, (upstream, body), |core, (upstream, body)| {
            ContinuationCell::new(core, upstream, body)
        })
    });
    let cell = match registered {
        Ok(cell) => cell,
        Err((upstream, body)) => {
            drop(body);
            return Err(HandleParts { cell: upstream, engine, round: upstream_round });
        }
    };
    drop(upstream_round);
    // Taken before the continuation can run (and give its count back).
    let spawned = Spawned::new(cell.clone());
    // SAFETY: the continuation holds the predecessor's cell until it runs, which it can do only once `start` has
    // registered or scheduled it; and `cell` is held here. (Not read through the continuation's lock: two atomic
    // writes fewer per link.)
    cell.start(unsafe { &*upstream_core }, &engine);
    Ok((spawned, engine))
}
