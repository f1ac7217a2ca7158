//! `Shared`: the state an engine's handles, workers and tasks share — its queues, sleep, admission word,
//! registry, metrics and trace — and what the engine does with it below the spawn pipeline: queueing jobs,
//! counting tasks in and out of the admission word, reporting panics, shutting down.
//!
//! How an engine shuts down is `shutdown.rs`.

use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_deque::{Injector, Stealer, Worker};
use crossbeam_utils::CachePadded;
use event_listener::Event;

use crate::error::TaskError;
use crate::metrics::Board;
use crate::registry::live_tasks::Registry;
use crate::scheduler::admission::{Admission, Admitted};
use crate::scheduler::sleep::Sleep;
use crate::scheduler::slot::Slots;
use crate::sync::{Arc, AtomicUsize, Mutex};
use crate::task::job::Job;
use crate::trace::Tracer;

/// A panic nobody can observe through a handle goes here (default: printed to stderr).
pub(crate) type PanicHandler = Arc<dyn Fn(TaskError) + Send + Sync>;
/// Called on each worker thread as it starts, with its index.
pub(crate) type StartHook = Arc<dyn Fn(usize) + Send + Sync>;

/// The state shared by an engine's handles and workers.
pub(crate) struct Shared {
    /// New work from outside the workers.
    pub(crate) injector: Injector<Job>,
    /// Futures resumed by themselves or from outside the workers (`schedule.rs`).
    pub(crate) resumed: Injector<Job>,
    pub(crate) stealers: Box<[Stealer<Job>]>,
    pub(crate) slots: Slots,
    /// Padded, as is `admission`: spinning workers write the sleep word as they start and stop searching, and
    /// every spawn from outside writes the admission word and reads the sleep word — on one line, each write
    /// took the other side's copy away.
    pub(crate) sleep: CachePadded<Sleep>,
    pub(crate) admission: CachePadded<Admission>,
    pub(crate) idle: Event,
    pub(crate) registry: Registry,
    pub(crate) handles: AtomicUsize,
    pub(crate) threads: Mutex<Vec<JoinHandle<()>>>,
    pub(crate) panic_handler: Option<PanicHandler>,
    pub(crate) on_thread_start: Option<StartHook>,
    pub(crate) board: Board,
    pub(crate) tracer: Option<Tracer>,
    pub(crate) thread_names: Vec<String>,
    /// How long a shutdown waits for running tasks before it cancels them and, after a grace, leaves their
    /// threads detached (`shutdown.rs`).
    pub(crate) shutdown_timeout: Duration,
    /// Each worker thread's stack size, for the wait loop's guard (`wait.rs`).
    pub(crate) stack_size: usize,
}

impl Shared {
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// `count` admitted tasks (or a worker's credits) are done.
    pub(crate) fn release_live(&self, count: usize) {
        self.after_release(self.admission.release_many(count));
    }

    /// After a release (or a refused admission's undo): if the engine became idle, wake `wait_idle` waiters
    /// and, if it is closing, every worker, so they can exit (admission protocol, step 3).
    pub(crate) fn after_release(&self, idle: bool) {
        if idle {
            self.idle.notify(usize::MAX);
            if self.admission.is_closed() {
                self.sleep.wake_all();
            }
        }
    }

    /// Counts an `install` job from outside, unless the engine is closed (then false).
    pub(crate) fn admit_outside_job(&self) -> bool {
        match self.admission.admit(true) {
            Admitted::Yes { .. } => true,
            Admitted::No { idle } => {
                self.after_release(idle);
                false
            }
        }
    }

    /// The outside job admitted by [`admit_outside_job`](Self::admit_outside_job) is done.
    pub(crate) fn outside_job_done(&self) {
        self.release_live(1);
    }

    /// Workers exit once the engine is closed and nothing is left to run.
    pub(crate) fn should_exit(&self) -> bool {
        self.admission.should_exit()
    }

    pub(crate) fn has_work(&self, local: &Worker<Job>) -> bool {
        !local.is_empty()
            || !self.resumed.is_empty()
            || !self.injector.is_empty()
            || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// Hands a panic nobody can observe to the panic handler (default: stderr).
    pub(crate) fn report_panic(&self, error: TaskError) {
        match &self.panic_handler {
            Some(handler) => {
                let handler = handler.clone();
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || handler(error))).is_err() {
                    eprintln!("wove: the panic handler itself panicked");
                }
            }
            // Without a handler, a panic was printed once already, by the standard panic hook as it happened
            // (on the `wove-N` thread, with its message and location): it is not printed again.
            None if error.is_panic() => {}
            None => eprintln!("wove: {error}"),
        }
    }

    /// A panic that escaped a job (a bug in wove if it ever happens); the worker survives it.
    pub(crate) fn report_stray_panic(&self, payload: Box<dyn std::any::Any + Send>) {
        let message = crate::error::panic_message(&payload).unwrap_or("a non-string payload");
        eprintln!("wove: a job unwound into its worker: {message}");
    }

    pub(crate) fn thread_started(&self, index: usize) {
        if let Some(hook) = &self.on_thread_start {
            if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(index))) {
                // Nobody can observe it through a handle: it goes to the panic handler, the worker starts anyway.
                let name = format!("on_thread_start of worker {index}");
                self.report_panic(TaskError::panic(crate::task::current::next_task_id(), Some(name.into()), payload));
            }
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.admission.is_closed()
    }
}
