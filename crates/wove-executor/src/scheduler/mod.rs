//! The work-stealing scheduler and the engine's state: admission, queues, the next-task slot, sleeping and
//! waking, the worker loop and the wait loop. Runs jobs through the task layer's job word and hooks; knows
//! nothing of how tasks are spawned.

pub(crate) mod admission;
pub(crate) mod context;
pub(crate) mod schedule;
pub(crate) mod shared;
pub(crate) mod shutdown;
pub(crate) mod sleep;
pub(crate) mod slot;
pub(crate) mod start;
pub(crate) mod wait;
pub(crate) mod worker;
