//! The engine's side of the task layer's hooks (`task/hooks.rs`), twice: for a worker running a job (the
//! common case: the worker is at hand, so releasing a task and counting it touch only its own state), and for
//! the engine's shared state (a task handle on any thread, a future task finishing inside its poll).

use crate::error::TaskError;
use crate::id::{GroupId, TaskId};
use crate::membership::group_core::GroupCore;
use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scheduler::worker::WorkerContext;
use crate::sync::Arc;
use crate::task::current;
use crate::task::header::Header;
use crate::task::hooks::{EngineHooks, LateJob};
use crate::task::job::Job;

impl EngineHooks for WorkerContext {
    fn report_panic(&self, error: TaskError) {
        self.shared().report_panic(error);
    }

    fn finishing(&self) {
        self.count_task();
    }

    fn released(&self, header: &Header) {
        current::with_task_context(|cx| self.defer_release(header, cx.held()));
    }

    fn spawn_late(&self, group: Option<Arc<GroupCore>>, parent: TaskId, job: LateJob) {
        self.shared_arc().spawn_follow_up(group, parent, job);
    }

    fn schedule_ready(&self, continuation: Job) {
        self.push_next(continuation);
    }

    fn cancel_group(&self, group: GroupId) {
        self.shared().registry().cancel_group(group);
    }
}

impl EngineHooks for Arc<Shared> {
    fn report_panic(&self, error: TaskError) {
        Shared::report_panic(self, error);
    }

    fn finishing(&self) {
        context::with_worker_of(self, |worker| worker.map(WorkerContext::count_task));
    }

    fn released(&self, header: &Header) {
        let batched = context::with_worker_of(self, |worker| worker.map(|worker| worker.released(header)));
        if batched.is_none() {
            if let Some(key) = header.registration.key() {
                self.registry().remove(key, None);
            }
            self.release_live(1);
            if let Some(round) = header.round {
                // SAFETY: the task's own count, given back at its release.
                unsafe { round.count_down(1) };
            }
        }
    }

    fn spawn_late(&self, group: Option<Arc<GroupCore>>, parent: TaskId, job: LateJob) {
        self.spawn_follow_up(group, parent, job);
    }

    fn schedule_ready(&self, continuation: Job) {
        self.schedule(continuation);
    }

    fn cancel_group(&self, group: GroupId) {
        self.registry().cancel_group(group);
    }
}
