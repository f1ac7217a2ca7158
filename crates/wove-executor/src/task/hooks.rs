//! What the task layer needs from an engine, as one trait: the only way a task's code reaches the engine that
//! runs it (as tokio's tasks know their scheduler only as `Schedule`). The engine implements it (in the spawn
//! layer) for its workers and for its shared state; the loom models of `core.rs` implement it with a recorder.

use crate::error::TaskError;
use crate::id::{GroupId, TaskId};
use crate::membership::group_core::GroupCore;
use crate::sync::Arc;
use crate::task::header::Header;
use crate::task::job::Job;

/// A job that runs late done-callbacks, given the engine it runs on.
pub(crate) type LateJob = Box<dyn FnOnce(&dyn EngineHooks) + Send>;

/// What a task needs from its engine.
pub(crate) trait EngineHooks {
    /// A panic nobody can observe through a handle.
    fn report_panic(&self, error: TaskError);
    /// A task's outcome is about to be decided on this worker: counted in its metrics.
    fn finishing(&self);
    /// The task is entirely done: forget it, and give its count back in its round.
    fn released(&self, header: &Header);
    /// Schedules `job` (late done-callbacks of task `parent`) as follow-up work tracked by `group`.
    fn spawn_late(&self, group: Option<Arc<GroupCore>>, parent: TaskId, job: LateJob);
    /// Queues a continuation that the task's outcome just readied (`continuation.rs`).
    fn schedule_ready(&self, continuation: Job);
    /// A member of fail-fast group `group` failed: cancel the group's other members.
    fn cancel_group(&self, group: GroupId);
}
