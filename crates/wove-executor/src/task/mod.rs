//! Tasks, below the engine: the state word and its transitions, the header and the completion protocol, the
//! job word the queues hold, and the cells that run closures, futures, continuations and light jobs. The task
//! layer reaches its engine only through [`hooks::EngineHooks`]; it knows nothing of queues, workers or the
//! registry.

pub(crate) mod closure;
pub(crate) mod continuation;
pub(crate) mod core;
pub(crate) mod current;
pub(crate) mod future;
pub(crate) mod header;
pub(crate) mod hooks;
pub(crate) mod job;
pub(crate) mod light;
pub(crate) mod once_body;
pub(crate) mod registration;
pub(crate) mod stack_job;
pub(crate) mod state;
