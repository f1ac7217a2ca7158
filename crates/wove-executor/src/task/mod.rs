//! Tasks: the shared core, the future that runs a body, the handle and the builder.

pub(crate) mod builder;
pub(crate) mod continuation;
pub(crate) mod core;
pub(crate) mod handle;
pub(crate) mod run;
pub(crate) mod state;

pub use builder::TaskBuilder;
pub use handle::Task;
