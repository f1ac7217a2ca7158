//! The work-stealing scheduler: per-worker deques, the injector, sleeping and waking, the worker loop.

mod queue;
mod sleep;
mod slot;
mod worker;

pub(crate) use queue::{ClosureEntry, Job, TaskMeta, ThinCell, closure_entry};
pub(crate) use sleep::Sleep;
pub(crate) use slot::{Slots, slots};
pub(crate) use worker::{WorkerContext, start_worker};
