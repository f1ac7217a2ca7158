//! The live tasks of an engine (`engine.tasks()`, group listings, `shutdown_now`): sharded slots that hold no
//! reference count, and the inboxes that send finished tasks home to be freed.

pub(crate) mod inbox;
pub(crate) mod live_tasks;
pub(crate) mod shard;
