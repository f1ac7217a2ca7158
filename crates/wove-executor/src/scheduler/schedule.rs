//! Queueing a job from wherever the caller is: a worker of the job's engine puts it in its next-task slot (it
//! runs next, on this core), any other thread on the injector, with a wake.

use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scheduler::worker::WorkerContext;
use crate::task::job::Job;

impl Shared {
    /// Queues a job: on this worker's own deque when called from one of its workers (a task just spawned or
    /// woken by a running task runs next here), else on the injector; self-wakes go to the injector.
    #[inline]
    pub(crate) fn schedule(&self, job: Job, yielded: bool) {
        match yielded {
            true => self.schedule_from(None, job),
            false => context::with_worker_of(self, |worker| self.schedule_from(worker, job)),
        }
    }

    /// Queues a job readied on `worker` (one of this engine's, or `None` for any other thread).
    #[inline]
    pub(crate) fn schedule_from(&self, worker: Option<&WorkerContext>, job: Job) {
        match worker {
            Some(worker) => worker.push_next(job),
            None => {
                self.injector.push(job);
                self.sleep.notify();
            }
        }
    }

    #[inline]
    pub(crate) fn is_own_thread(&self) -> bool {
        context::with_worker_of(self, |worker| worker.is_some())
    }
}
