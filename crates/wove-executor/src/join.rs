//! Fork-join without allocation (`Engine::join`) and running a borrowing closure on a worker
//! (`Engine::install`), with stack jobs (`task/stack_job.rs`, whose protocol this follows).

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::task::Poll;
use std::thread;

use crate::scheduler::shared::Shared;
use crate::scheduler::wait::wait_for;
use crate::scheduler::worker::WorkerContext;
use crate::task::job::Job;
use crate::task::stack_job::StackJob;

/// `join` on `worker`: the protocol above.
pub(crate) fn join_on<A, B, RA, RB>(worker: &WorkerContext, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let job_b = StackJob::new(b, worker.thread());
    // SAFETY: this function returns or unwinds only after `job_b` ran (`is_done`) or was popped back.
    let job_ref = unsafe { job_b.as_job_ref() };
    worker.push(Job::stack(job_ref));
    // If nobody takes `b`, this thread runs it below: a hint is enough (see `sleep.rs`).
    worker.shared().sleep.hint();
    let result_a = catch_unwind(AssertUnwindSafe(a));
    let result_b = loop {
        if job_b.is_done() {
            break job_b.into_result();
        }
        match worker.pop_local() {
            Some(popped) if popped.stack_address() == Some((&raw const job_b).addr()) => {
                // Our own reference, popped back unexecuted (dropping it does nothing).
                break catch_unwind(AssertUnwindSafe(|| job_b.take_back()));
            }
            Some(other) => worker.run(other),
            None => {
                wait_for(&mut |_, _| if job_b.is_done() { Poll::Ready(()) } else { Poll::Pending }, None);
            }
        }
    };
    match (result_a, result_b) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(payload), _) | (_, Err(payload)) => resume_unwind(payload),
    }
}

/// `install` from a thread that is not one of `shared`'s workers: inject the closure, wait for it.
pub(crate) fn install_from_outside<F, R>(shared: &Shared, func: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    assert!(shared.admit_outside_job(), "install on an engine that is shut down");
    let me = thread::current();
    let job = StackJob::new(func, &me);
    // SAFETY: we return only after `job` ran: `wait_for` below returns once `is_done` holds, and nothing
    // between here and there can unwind.
    let job_ref = unsafe { job.as_job_ref() };
    shared.injector.push(Job::stack(job_ref));
    shared.sleep.notify();
    wait_for(&mut |_, _| if job.is_done() { Poll::Ready(()) } else { Poll::Pending }, None);
    shared.outside_job_done();
    match job.into_result() {
        Ok(value) => value,
        Err(payload) => resume_unwind(payload),
    }
}
