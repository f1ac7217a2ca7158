//! Spawning: the pipeline that admits, registers and queues a new task, continuations, and the engine's side
//! of the task layer's hooks. Above the scheduler; below the public API.

pub(crate) mod capture;
pub(crate) mod continuation;
pub(crate) mod hooks;
pub(crate) mod pipeline;
pub(crate) mod spec;
