//! A worker thread's start: it becomes a worker of its engine (`context.rs`), installs the wait hook that makes
//! latch and event waits help (`wait.rs`), and runs its loop until the engine stops.

use std::rc::Rc;

use crossbeam_deque::Worker;

use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scheduler::wait::HelpWhileWaiting;
use crate::scheduler::worker::WorkerContext;
use crate::sync::Arc;
use crate::task::job::Job;

/// Starts worker `index` on the calling (new) thread and runs it until the engine stops.
pub(crate) fn start_worker(shared: Arc<Shared>, index: usize, local: Worker<Job>) {
    shared.sleep.register_thread(index);
    shared.thread_started(index);
    let base = 0u8;
    let worker = Rc::new(WorkerContext::new(shared, index, local, std::ptr::from_ref(&base).addr()));
    context::enter_worker(worker.clone());
    let _hook = wove_latch::install_wait_hook(Rc::new(HelpWhileWaiting));
    worker.main_loop();
}
