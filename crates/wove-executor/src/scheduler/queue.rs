//! What the queues hold: a task's runnable, or a job that lives on a waiting thread's stack.

use crate::TaskId;
use crate::join::StackJobRef;
use crate::shared::Shared;
use crate::sync::Arc;
use crate::task::run::ClosureJob;
use crate::trace::What;

/// What a future task's async-task cell carries besides the future: its identity, for traces (the name only
/// when tracing is on, so an untraced spawn does not pay for it).
pub(crate) struct TaskMeta {
    pub(crate) id: TaskId,
    pub(crate) name: Option<std::sync::Arc<str>>,
}

/// One unit of work in a deque or the injector.
pub(crate) enum Job {
    /// A spawned closure task, in its cell.
    Closure(Arc<dyn ClosureJob>),
    /// A spawned future task, in its async-task cell.
    Task(async_task::Runnable<TaskMeta>),
    /// A `join` or `install` closure on the stack of a thread that waits for it.
    Stack(StackJobRef),
}

impl Job {
    /// What a trace shows for this job.
    pub(crate) fn traced(&self) -> What {
        match self {
            Job::Closure(cell) => What::Task { id: cell.header().id, name: cell.header().name.clone() },
            Job::Task(runnable) => {
                let meta = runnable.metadata();
                What::Task { id: meta.id, name: meta.name.clone() }
            }
            Job::Stack(_) => What::Join,
        }
    }

    /// Runs the job on a worker of `engine`. No kind unwinds: tasks contain their panics and stack jobs hand
    /// theirs to the waiter.
    pub(crate) fn run(self, engine: &Arc<Shared>) {
        match self {
            Job::Closure(cell) => cell.run(engine),
            Job::Task(runnable) => {
                runnable.run();
            }
            Job::Stack(job) => job.execute(),
        }
    }
}
