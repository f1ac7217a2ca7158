//! Queueing a job from wherever the caller is.
//!
//! - **New work** (a spawn, a light job, a continuation readied by its predecessor): on a worker of the job's
//!   engine it goes to that worker's next-task slot (it runs next, on this core); from any other thread to the
//!   injector, with a wake.
//! - **A resumed future** (woken): woken by a task on one of the engine's workers, it goes to that worker's
//!   slot, as new work does; woken by itself (`yield_now`) or from outside the workers (a timer, another
//!   thread), it goes to the engine's queue of resumed tasks, which workers look at after their own work and
//!   before the injector's new work. Finishing what was started before starting more keeps the number of
//!   suspended tasks — and the stacks of workers that wait for them — small: a task that blocks on a child
//!   which yielded or sleeps finds the child resumed before the next new task (tokio runs yielded tasks before
//!   its injector too).

use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scheduler::worker::WorkerContext;
use crate::task::job::Job;

impl Shared {
    /// Queues new work (see the module docs).
    #[inline]
    pub(crate) fn schedule(&self, job: Job) {
        context::with_worker_of(self, |worker| self.schedule_from(worker, job));
    }

    /// Queues a future that a wake resumed; `by_itself`: it woke itself while running (`yield_now`).
    pub(crate) fn schedule_resumed(&self, job: Job, by_itself: bool) {
        match by_itself {
            true => self.resume(job),
            false => context::with_worker_of(self, |worker| match worker {
                Some(worker) => worker.push_next(job),
                None => self.resume(job),
            }),
        }
    }

    fn resume(&self, job: Job) {
        self.resumed.push(job);
        self.sleep.notify();
    }

    /// Queues new work readied on `worker` (one of this engine's, or `None` for any other thread).
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
