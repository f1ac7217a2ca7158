//! `Shared`: the state an engine's handles, workers and tasks share, and the engine-side plumbing of a spawn —
//! admission, the task's header and cell, the registry, scheduling — and of shutdown.
//!
//! # Protocol: shutdown
//!
//! Which spawns are accepted while shutting down, and when workers exit, is the admission protocol of
//! `admission.rs`. On top of it:
//!
//! 1. `shutdown` closes admission and wakes every sleeping worker. Workers keep running queued work —
//!    including follow-ups spawned by running tasks and callbacks — and exit once closed and idle.
//! 2. `shutdown_now` also cancels every registered task: queued ones end as cancelled when a worker reaches
//!    them (their callbacks still run), suspended futures are woken to be dropped, running closures run on and
//!    their values are dropped. Tasks admitted afterwards are born cancelled.
//! 3. Then the calling thread joins the worker threads — unless it is one of them: a shutdown (or the drop of
//!    the last handle) on a worker never joins the thread it runs on; the workers exit by themselves.

use std::future::Future;
use std::thread::JoinHandle;

use crossbeam_deque::{Injector, Stealer, Worker};
use crossbeam_utils::CachePadded;
use event_listener::Event;

use crate::admission::{Admission, Admitted};
use crate::builder::{PanicHandler, StartHook};
use crate::context;
use crate::group::Group;
use crate::metrics::Board;
use crate::registry::Registration;
use crate::round::{Round, RoundRef};
use crate::scheduler::{Job, Sleep, Slots, TaskMeta, WorkerContext};
use crate::sync::model::AtomicU32;
use crate::sync::{Arc, AtomicUsize, Mutex};
use crate::task::continuation::ContinuationCell;
use crate::task::core::{Callback, Core, EngineHooks, Header, LateJob, TaskControl};
use crate::task::handle::TaskParts;
use crate::task::run::{ClosureCell, TaskFuture};
use crate::task::state::DETACHED;
use crate::trace::Tracer;
use crate::{Registry, Task, TaskError, TaskId};

/// How a new task is tracked. Borrows the group, so that a spawn into a group touches no reference count of it.
#[derive(Debug)]
pub(crate) enum Tracking<'g> {
    /// The group of the task (or callback) that spawns it, if any.
    Ambient,
    /// No group.
    Untracked,
    /// This group.
    Group(&'g Group),
    /// The group of the task a continuation follows (that task's round, from its handle), if it is tracked.
    After(Option<&'g Arc<Round>>),
}

/// Everything about a spawn but its body.
pub(crate) struct SpawnSpec<'g, T> {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) callbacks: Vec<Callback<T>>,
    pub(crate) tracking: Tracking<'g>,
    /// Set for follow-up work of an existing task (a late done-callback): its parent, and accepted while the
    /// engine is closing.
    pub(crate) follow_up: Option<TaskId>,
    /// Born detached: no handle is made (`Shared::spawn_closure_detached`).
    pub(crate) detached: bool,
}

impl EngineHooks for Arc<Shared> {
    fn report_panic(&self, error: TaskError) {
        Shared::report_panic(self, error);
    }

    fn released(&self, header: &Header) {
        let batched =
            context::with_context(|cx| cx.worker_of(self).map(|worker| worker.defer_release(header, cx.held())));
        if batched.is_none() {
            self.registry.remove(header.registration.key(), None);
            self.release_live(1);
            if let Some(round) = header.round {
                // SAFETY: the task's own count, given back at its release.
                unsafe { round.count_down(1) };
            }
        }
    }

    fn spawn_late(&self, group: Option<Group>, parent: TaskId, job: LateJob) {
        self.spawn_follow_up(group, parent, job);
    }

    fn schedule_ready(&self, continuation: Job) {
        self.schedule(continuation, false);
    }
}

impl<'g, T> SpawnSpec<'g, T> {
    /// No name, no callbacks, ambient tracking.
    pub(crate) fn plain() -> Self {
        Self::tracked(Tracking::Ambient)
    }

    /// No name, no callbacks.
    pub(crate) fn tracked(tracking: Tracking<'g>) -> Self {
        Self { name: None, callbacks: Vec::new(), tracking, follow_up: None, detached: false }
    }

    /// Follow-up work of task `parent` (a continuation, late done-callbacks): no name, no callbacks.
    fn follow_up(tracking: Tracking<'g>, parent: TaskId) -> Self {
        Self { follow_up: Some(parent), ..Self::tracked(tracking) }
    }
}

/// The state shared by an engine's handles and workers.
pub(crate) struct Shared {
    pub(crate) injector: Injector<Job>,
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
}

impl Shared {
    /// Spawns a closure task; hands the closure back if the engine is shut down.
    pub(crate) fn spawn_closure<T, F>(self: &Arc<Self>, spec: SpawnSpec<'_, T>, func: F) -> Result<Task<T>, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.launch_closure(spec, func, |cell| {
            // SAFETY: the task is not queued yet, so not released.
            let round = unsafe { cell.header().counted_round() };
            Task::new(cell.clone(), self.clone(), round)
        })
    }

    /// Spawns a closure task that no handle will ever refer to: it is born `DETACHED`, so the spawn takes no
    /// reference count of the cell or the engine, and no `fetch_or(DETACHED)` follows — four read-modify-writes
    /// less than `spawn(..).detach()`, about a quarter of a chain link's time (see the crate's *Decisions*).
    /// Hands the closure back if the engine is shut down.
    pub(crate) fn spawn_closure_detached<T, F>(self: &Arc<Self>, spec: SpawnSpec<'_, T>, func: F) -> Result<(), F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.launch_closure(SpawnSpec { detached: true, ..spec }, func, |_| ())
    }

    /// Registers a closure task and queues it, with what `handle` makes of its cell first.
    fn launch_closure<T, F, H>(
        self: &Arc<Self>,
        spec: SpawnSpec<'_, T>,
        func: F,
        handle: impl FnOnce(&Arc<ClosureCell<T, F>>) -> H,
    ) -> Result<H, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        context::with_context(|cx| {
            let worker = cx.worker_of(self);
            let cell = self.register(spec, cx, worker, func, ClosureCell::new)?;
            let handle = handle(&cell);
            self.schedule_from(worker, Job::closure(cell));
            Ok(handle)
        })
    }

    /// Spawns `body` as a continuation of `predecessor` (see `task/continuation.rs`); `Err` if the engine is shut
    /// down and idle.
    pub(crate) fn spawn_continuation<P, T, F>(predecessor: Task<P>, body: F) -> Result<Task<T>, ()>
    where
        P: Send + 'static,
        T: Send + 'static,
        F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
    {
        // The predecessor's handle is taken apart: its count of the engine becomes the new handle's, so a link
        // takes no count (`task/continuation.rs`, step 1).
        let TaskParts { cell: upstream, engine, round: upstream_round } = predecessor.into_parts();
        let upstream_core: *const Core<P> = upstream.core();
        let spec = SpawnSpec::follow_up(Tracking::After(upstream_round.as_ref()), upstream.core().header.id);
        let registered = context::with_context(|cx| {
            let worker = cx.worker_of(&engine);
            engine.register(spec, cx, worker, (upstream, body), |core, (upstream, body)| {
                ContinuationCell::new(core, upstream, body)
            })
        });
        let cell = match registered {
            Ok(cell) => cell,
            Err((upstream, body)) => {
                // Refused: the predecessor's handle is put back together and dropped, which detaches it.
                drop(body);
                drop(Task::new(upstream, engine, upstream_round));
                return Err(());
            }
        };
        drop(upstream_round);
        // SAFETY: taken before the continuation can run (and give its count back).
        let round = unsafe { cell.header().counted_round() };
        // SAFETY: the continuation holds the predecessor's cell until it runs, which it can do only once `start`
        // has registered or scheduled it; and `cell` is held here. (Not read through the continuation's lock:
        // two atomic writes fewer per link.)
        cell.start(unsafe { &*upstream_core }, &engine);
        Ok(Task::new(cell, engine, round))
    }

    /// Spawns a future task; hands the future back if the engine is shut down.
    pub(crate) fn spawn_future<Fut>(
        self: &Arc<Self>,
        spec: SpawnSpec<'_, Fut::Output>,
        future: Fut,
    ) -> Result<Task<Fut::Output>, Fut>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        // A future task's cell is its core alone: the future lives in its async-task cell.
        let registered = context::with_context(|cx| {
            let worker = cx.worker_of(self);
            self.register(spec, cx, worker, (), |core, ()| core)
        });
        let Ok(core) = registered else { return Err(future) };
        let engine = self.clone();
        let schedule = move |runnable, info: async_task::ScheduleInfo| {
            engine.schedule(Job::task(runnable), info.woken_while_running);
        };
        let traced = TaskMeta { id: core.header.id, name: self.tracer.as_ref().and_then(|_| core.header.name.clone()) };
        let task_future = TaskFuture::new(core.clone(), future);
        let (runnable, cell) =
            async_task::Builder::new().metadata(traced).spawn(move |_| task_future, async_task::WithInfo(schedule));
        cell.detach();
        // SAFETY: taken before the task can run (and give its count back).
        let round = unsafe { core.header.counted_round() };
        runnable.schedule();
        Ok(Task::new(core, self.clone(), round))
    }

    /// Admits a task, builds its cell around a fresh core with `cell(core, body)`, registers it, and cancels it
    /// at birth if `shutdown_now` is under way. Hands `body` back if the engine refuses the task.
    fn register<T, B, C>(
        self: &Arc<Self>,
        spec: SpawnSpec<'_, T>,
        cx: &context::Context,
        worker: Option<&WorkerContext>,
        body: B,
        cell: impl FnOnce(Core<T>, B) -> C,
    ) -> Result<Arc<C>, B>
    where
        T: Send + 'static,
        C: TaskControl + 'static,
    {
        let Some((header, cancel)) = self.admit(&spec, cx, worker) else { return Err(body) };
        if let Some(worker) = worker {
            // Its own cells that came home are freed first, so this allocation can reuse one.
            worker.free_sent_home();
        }
        let cell = Arc::new(cell(Core::new(header, spec.callbacks), body));
        let sent_home = self.registry.insert(worker.map(|worker| (worker.index(), worker.slot_allocator())), &cell);
        // From outside: one finished cell freed here, for this thread's next spawn to reuse (`registry/inbox.rs`).
        drop(sent_home);
        if cancel {
            cell.cancel();
        }
        Ok(cell)
    }

    /// Counts a new task in the engine and its group and makes its header: `None` if the engine refuses it.
    /// Also says whether it is born cancelled (`shutdown_now` is under way).
    fn admit<T>(
        self: &Arc<Self>,
        spec: &SpawnSpec<'_, T>,
        cx: &context::Context,
        worker: Option<&WorkerContext>,
    ) -> Option<(Header, bool)> {
        let admitted = match worker {
            Some(worker) => worker.admit(),
            None => self.admission.admit(spec.follow_up.is_none()),
        };
        let cancelled = match admitted {
            Admitted::Yes { cancelled } => cancelled,
            Admitted::No { idle } => {
                self.after_release(idle);
                return None;
            }
        };
        // Only a worker holds round counts; elsewhere there is nothing to take.
        let held = worker.map(|_| cx.held());
        let (round, parent) = cx.with_spawner(|spawner| {
            // SAFETY: the spawner is the task running on this thread, so it is not released.
            let spawner_round = spawner.and_then(|header| unsafe { header.round() });
            let round = match &spec.tracking {
                Tracking::Ambient => spawner_round.map(|round| {
                    assert!(round.try_admit(held), "a round is open while one of its members spawns");
                    RoundRef::new(round)
                }),
                Tracking::Untracked => None,
                Tracking::Group(group) => Some(group.admit(spawner_round, held)),
                Tracking::After(round) => round.and_then(|round| round.group().map(|g| g.admit(Some(round), held))),
            };
            (round, spawner.map(|header| header.id))
        });
        // SAFETY: the new task is counted in `round` (just admitted).
        let group = round.map(|round| unsafe { round.get() }.group_id());
        let header = Header {
            id: cx.next_task_id(),
            name: spec.name.clone(),
            parent: spec.follow_up.or(parent),
            group,
            round,
            state: AtomicU32::new(if spec.detached { DETACHED } else { 0 }),
            registration: Registration::new(),
        };
        Some((header, cancelled))
    }

    /// Spawns a closure as follow-up work of task `parent` (a late done-callback), tracked by `group`.
    /// Accepted while the engine closes; once its workers are gone, runs `job` here rather than losing it.
    fn spawn_follow_up(self: &Arc<Self>, group: Option<Group>, parent: TaskId, job: LateJob) {
        let tracking = group.as_ref().map_or(Tracking::Untracked, Tracking::Group);
        let spec = SpawnSpec::follow_up(tracking, parent);
        let engine = self.clone();
        if let Err(run_here) = self.spawn_closure_detached(spec, move || job(&engine)) {
            run_here();
        }
    }

    /// Queues a job: on this worker's own deque when called from one of its workers (a task just spawned or
    /// woken by a running task runs next here), else on the injector; self-wakes go to the injector.
    pub(crate) fn schedule(&self, job: Job, yielded: bool) {
        match yielded {
            true => self.schedule_from(None, job),
            false => context::with_worker_of(self, |worker| self.schedule_from(worker, job)),
        }
    }

    /// Queues a job readied on `worker` (one of this engine's, or `None` for any other thread).
    fn schedule_from(&self, worker: Option<&WorkerContext>, job: Job) {
        match worker {
            Some(worker) => worker.push_next(job),
            None => {
                self.injector.push(job);
                self.sleep.notify();
            }
        }
    }

    pub(crate) fn is_own_thread(&self) -> bool {
        context::with_worker_of(self, |worker| worker.is_some())
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// `count` admitted tasks (or a worker's credits) are done.
    pub(crate) fn release_live(&self, count: usize) {
        self.after_release(self.admission.release_many(count));
    }

    /// After a release (or a refused admission's undo): if the engine became idle, wake `wait_idle` waiters
    /// and, if it is closing, every worker, so they can exit (admission protocol, step 3).
    fn after_release(&self, idle: bool) {
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
        !local.is_empty() || !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
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
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(index))).is_err() {
                eprintln!("wove: on_thread_start panicked on worker {index}; the worker starts anyway");
            }
        }
    }

    pub(crate) fn close(&self, cancel_all: bool) {
        self.admission.close(cancel_all);
        if cancel_all {
            for task in self.registry.all() {
                task.cancel();
            }
        }
        self.sleep.wake_all();
    }

    pub(crate) fn join_threads(&self) {
        let threads = std::mem::take(&mut *self.threads.lock());
        let me = std::thread::current().id();
        for thread in threads {
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.admission.is_closed()
    }
}
