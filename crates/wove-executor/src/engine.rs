//! `Engine`: the handle users hold, and `Shared`, the state its workers share.
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

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use crossbeam_deque::{Injector, Stealer, Worker};
use event_listener::Event;

use crate::admission::{Admission, Admitted};
use crate::builder::{PanicHandler, StartHook};
use crate::context;
use crate::group::Group;
use crate::metrics::Board;
use crate::scheduler::TaskMeta;
use crate::scheduler::{Job, Sleep, Slots, WorkerContext, slots, start_worker};
use crate::sync::model::AtomicU32;
use crate::sync::{Arc, AtomicU64, AtomicUsize, Mutex, Ordering};
use crate::task::core::{Callback, Core, EngineHooks, Header, LateJob, TaskControl};
use crate::task::run::{ClosureCell, TaskFuture};
use crate::trace::Tracer;
use crate::{BuildError, Builder, Metrics, Registry, SpawnError, Task, TaskBuilder, TaskError, TaskId, TaskInfo};

/// How a new task is tracked.
#[derive(Debug)]
pub(crate) enum Tracking {
    /// The group of the task (or callback) that spawns it, if any.
    Ambient,
    /// No group.
    Untracked,
    /// This group.
    Group(Group),
}

/// Everything about a spawn but its body.
pub(crate) struct SpawnSpec<T> {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) callbacks: Vec<Callback<T>>,
    pub(crate) tracking: Tracking,
    /// Set for follow-up work of an existing task (a late done-callback): its parent, and accepted while the
    /// engine is closing.
    pub(crate) follow_up: Option<TaskId>,
}

impl EngineHooks for Arc<Shared> {
    fn report_panic(&self, error: TaskError) {
        Shared::report_panic(self, error);
    }

    fn released(&self, header: &Header) {
        self.registry.remove(header);
        self.release_live();
    }

    fn spawn_late(&self, group: Option<Group>, parent: TaskId, job: LateJob) {
        self.spawn_follow_up(group, parent, job);
    }
}

impl<T> SpawnSpec<T> {
    /// No name, no callbacks, ambient tracking.
    pub(crate) fn plain() -> Self {
        Self { name: None, callbacks: Vec::new(), tracking: Tracking::Ambient, follow_up: None }
    }
}

/// The state shared by an engine's handles and workers.
pub(crate) struct Shared {
    pub(crate) injector: Injector<Job>,
    pub(crate) stealers: Box<[Stealer<Job>]>,
    pub(crate) slots: Slots,
    pub(crate) sleep: Sleep,
    admission: Admission,
    idle: Event,
    registry: Registry,
    handles: AtomicUsize,
    threads: Mutex<Vec<JoinHandle<()>>>,
    panic_handler: Option<PanicHandler>,
    on_thread_start: Option<StartHook>,
    pub(crate) board: Board,
    pub(crate) tracer: Option<Tracer>,
    thread_names: Vec<String>,
}

impl Shared {
    /// Spawns a closure task; hands the closure back if the engine is shut down.
    pub(crate) fn spawn_closure<T, F>(self: &Arc<Self>, spec: SpawnSpec<T>, func: F) -> Result<Task<T>, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        context::with_context(|cx| {
            let worker = cx.worker_of(self);
            let Some((header, cancel)) = self.admit(&spec, cx, worker) else { return Err(func) };
            let cell = Arc::new(ClosureCell::new(Core::new(header, spec.callbacks), func));
            self.registry.insert(worker.map(WorkerContext::index), cell.clone());
            if cancel {
                cell.cancel();
            }
            self.schedule_from(worker, Job::Closure(cell.clone()));
            Ok(Task::new(cell, self.clone()))
        })
    }

    /// Spawns a future task; hands the future back if the engine is shut down.
    pub(crate) fn spawn_future<Fut>(
        self: &Arc<Self>,
        spec: SpawnSpec<Fut::Output>,
        future: Fut,
    ) -> Result<Task<Fut::Output>, Fut>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        let admitted = context::with_context(|cx| {
            let worker = cx.worker_of(self);
            let (header, cancel) = self.admit(&spec, cx, worker)?;
            let core = Arc::new(Core::new(header, spec.callbacks));
            self.registry.insert(worker.map(WorkerContext::index), core.clone());
            Some((core, cancel))
        });
        let Some((core, cancel)) = admitted else { return Err(future) };
        if cancel {
            core.cancel();
        }
        let engine = self.clone();
        let schedule = move |runnable, info: async_task::ScheduleInfo| {
            engine.schedule(Job::Task(runnable), info.woken_while_running);
        };
        let traced = TaskMeta { id: core.header.id, name: core.header.name.clone() };
        let task_future = TaskFuture::new(core.clone(), future);
        let (runnable, cell) =
            async_task::Builder::new().metadata(traced).spawn(move |_| task_future, async_task::WithInfo(schedule));
        cell.detach();
        runnable.schedule();
        Ok(Task::new(core, self.clone()))
    }

    /// Counts a new task in the engine and its group and makes its header: `None` if the engine refuses it.
    /// Also says whether it is born cancelled (`shutdown_now` is under way).
    fn admit<T>(
        self: &Arc<Self>,
        spec: &SpawnSpec<T>,
        cx: &context::Context,
        worker: Option<&WorkerContext>,
    ) -> Option<(Header, bool)> {
        let cancelled = match self.admission.admit(spec.follow_up.is_none() && worker.is_none()) {
            Admitted::Yes { cancelled } => cancelled,
            Admitted::No { idle } => {
                self.after_release(idle);
                return None;
            }
        };
        let (spawner_round, parent) = cx.spawner();
        let round = match &spec.tracking {
            Tracking::Ambient => spawner_round.as_ref().map(|round| round.admit_child()),
            Tracking::Untracked => None,
            Tracking::Group(group) => Some(group.admit(spawner_round.as_ref())),
        };
        let header = Header {
            id: cx.next_task_id(),
            name: spec.name.clone(),
            parent: spec.follow_up.or(parent),
            round,
            state: AtomicU32::new(0),
            registry_key: AtomicU64::new(0),
        };
        Some((header, cancelled))
    }

    /// Spawns a closure as follow-up work of task `parent` (a late done-callback), tracked by `group`.
    /// Accepted while the engine closes; once its workers are gone, runs `job` here rather than losing it.
    fn spawn_follow_up(self: &Arc<Self>, group: Option<Group>, parent: TaskId, job: LateJob) {
        let tracking = group.map_or(Tracking::Untracked, Tracking::Group);
        let spec = SpawnSpec { name: None, callbacks: Vec::new(), tracking, follow_up: Some(parent) };
        let engine = self.clone();
        match self.spawn_closure(spec, move || job(&engine)) {
            Ok(task) => task.detach(),
            Err(run_here) => run_here(),
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

    fn is_own_thread(&self) -> bool {
        context::with_worker_of(self, |worker| worker.is_some())
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    fn release_live(&self) {
        self.after_release(self.admission.release());
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
        self.release_live();
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

    fn close(&self, cancel_all: bool) {
        self.admission.close(cancel_all);
        if cancel_all {
            for task in self.registry.all() {
                task.cancel();
            }
        }
        self.sleep.wake_all();
    }

    fn join_threads(&self) {
        let threads = std::mem::take(&mut *self.threads.lock());
        let me = std::thread::current().id();
        for thread in threads {
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
    }

    fn is_closed(&self) -> bool {
        self.admission.is_closed()
    }
}

/// A work-stealing engine: worker threads that run closures and futures, with task handles, done-callbacks,
/// groups and fork-join. A cheap `Clone` handle; dropping the last handle shuts the engine down gracefully.
///
/// # Examples
///
/// ```
/// use wove_executor::Engine;
///
/// let engine = Engine::builder().threads(2).build()?;
/// let task = engine.spawn(|| (1..=10).sum::<u32>());
/// assert_eq!(task.join().unwrap(), 55);
/// let (a, b) = engine.join(|| 1, || 2);
/// assert_eq!(a + b, 3);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub struct Engine {
    shared: Arc<Shared>,
}

impl Engine {
    /// An engine with one worker per logical CPU (`WOVE_THREADS` overrides).
    ///
    /// # Panics
    ///
    /// If `WOVE_THREADS` is zero or not a number, or a worker thread cannot be started; use
    /// [`Engine::builder`] to get these as errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::new();
    /// assert!(engine.threads() >= 1);
    /// ```
    pub fn new() -> Self {
        Self::builder().build().unwrap_or_else(|err| panic!("{err}"))
    }

    /// A [`Builder`] to configure the engine.
    ///
    /// # Examples
    ///
    /// See [`Builder`].
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn start(builder: Builder, threads: usize) -> Result<Self, BuildError> {
        let locals: Vec<Worker<Job>> = (0..threads).map(|_| Worker::new_lifo()).collect();
        let prefix = builder.thread_name.clone().unwrap_or_else(|| "wove".to_string());
        let thread_names: Vec<String> = (0..threads).map(|index| format!("{prefix}-{index}")).collect();
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            stealers: locals.iter().map(Worker::stealer).collect(),
            slots: slots(threads),
            sleep: Sleep::new(threads),
            admission: Admission::new(),
            idle: Event::new(),
            registry: Registry::new(threads),
            handles: AtomicUsize::new(1),
            threads: Mutex::new(Vec::with_capacity(threads)),
            panic_handler: builder.panic_handler,
            on_thread_start: builder.on_thread_start,
            board: Board::new(threads),
            tracer: builder.trace.then(|| Tracer::new(threads)),
            thread_names: thread_names.clone(),
        });
        let engine = Self { shared };
        for ((index, local), name) in locals.into_iter().enumerate().zip(thread_names) {
            let mut thread = std::thread::Builder::new().name(name);
            if let Some(bytes) = builder.stack_size {
                thread = thread.stack_size(bytes);
            }
            let shared = engine.shared.clone();
            match thread.spawn(move || start_worker(shared, index, local)) {
                Ok(handle) => engine.shared.threads.lock().push(handle),
                Err(error) => return Err(BuildError::spawn(error)),
            }
        }
        Ok(engine)
    }

    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        shared.handles.fetch_add(1, Ordering::Relaxed);
        Self { shared }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Spawns a closure as a task; the caller never blocks. Inside a task or callback of a group, the new task
    /// joins that group.
    ///
    /// # Panics
    ///
    /// If the engine is shut down; [`try_spawn`](Self::try_spawn) hands the closure back instead.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// assert_eq!(engine.spawn(|| "done").join().unwrap(), "done");
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    ///
    /// A task runs on another thread, so what it captures must be `Send`:
    ///
    /// ```compile_fail,E0277
    /// let engine = wove_executor::Engine::new();
    /// let not_send = std::rc::Rc::new(1);
    /// engine.spawn(move || *not_send + 1); // error: `Rc<i32>` cannot be sent between threads safely
    /// ```
    ///
    /// and it may outlive the caller, so it cannot borrow the caller's data (use [`scope`](Self::scope)):
    ///
    /// ```compile_fail,E0373
    /// let engine = wove_executor::Engine::new();
    /// let local = vec![1, 2, 3];
    /// engine.spawn(|| local.len()); // error: the closure may outlive `local`, which it borrows
    /// ```
    pub fn spawn<F, T>(&self, func: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Self::spawn_on(&self.shared, func)
    }

    /// `spawn` on `shared` without a handle or a builder (the hot path of `wove::spawn`).
    pub(crate) fn spawn_on<F, T>(shared: &Arc<Shared>, func: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        match shared.spawn_closure(SpawnSpec::plain(), func) {
            Ok(task) => task,
            Err(_) => panic!("{}", SpawnError::shutdown(())),
        }
    }

    /// `spawn_async` on `shared` without a handle or a builder.
    pub(crate) fn spawn_async_on<Fut>(shared: &Arc<Shared>, future: Fut) -> Task<Fut::Output>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        match shared.spawn_future(SpawnSpec::plain(), future) {
            Ok(task) => task,
            Err(_) => panic!("{}", SpawnError::shutdown(())),
        }
    }

    /// Spawns a closure as a task, or hands it back if the engine is shut down.
    ///
    /// # Errors
    ///
    /// [`SpawnError::is_shutdown`], with the closure inside, uncalled.
    ///
    /// # Examples
    ///
    /// See [`SpawnError`].
    pub fn try_spawn<F, T>(&self, func: F) -> Result<Task<T>, SpawnError<F>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.task().try_spawn(func)
    }

    /// Spawns a future as a task.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let task = engine.spawn_async(async {
    ///     wove_executor::yield_now().await;
    ///     3
    /// });
    /// assert_eq!(task.join().unwrap(), 3);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn spawn_async<Fut>(&self, future: Fut) -> Task<Fut::Output>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        Self::spawn_async_on(&self.shared, future)
    }

    /// A [`TaskBuilder`] to name the task, attach done-callbacks before it can finish, or keep it untracked.
    ///
    /// # Examples
    ///
    /// See [`TaskBuilder`].
    pub fn task<T: Send + 'static>(&self) -> TaskBuilder<T> {
        TaskBuilder::new(self.shared.clone(), Tracking::Ambient)
    }

    /// A new, empty [`Group`] on this engine.
    ///
    /// # Examples
    ///
    /// See [`Group`].
    pub fn group(&self) -> Group {
        Group::new(self.shared.clone())
    }

    /// Runs `future` to completion on the calling thread, like `asyncio.run`: inside it, [`spawn`](crate::spawn)
    /// and friends use this engine. On a worker thread it runs other jobs while the future is pending.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let sum = engine.block_on(async {
    ///     let a = wove_executor::spawn(|| 1);
    ///     let b = wove_executor::spawn_async(async { 2 });
    ///     a.await.unwrap() + b.await.unwrap()
    /// });
    /// assert_eq!(sum, 3);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _engine = context::enter_block_on(self.shared.clone());
        let mut future = pin!(future);
        let mut poll = |waker: &std::task::Waker| future.as_mut().poll(&mut Context::from_waker(waker));
        context::wait_for(&mut poll, None).expect("a wait without deadline returns a value")
    }

    /// The tasks alive in this engine: spawned and not yet finished (the `asyncio.all_tasks()` analogue).
    ///
    /// # Examples
    ///
    /// See [`TaskInfo`].
    pub fn tasks(&self) -> Vec<TaskInfo> {
        self.shared.registry.snapshot(None)
    }

    /// A snapshot of what each worker did: tasks run, jobs stolen, parks, busy time, and the current queue
    /// depths.
    ///
    /// # Examples
    ///
    /// See [`Metrics`].
    pub fn metrics(&self) -> Metrics {
        let shared = &self.shared;
        let depth = |index: usize| shared.stealers[index].len() + usize::from(shared.slots[index].is_occupied());
        shared.board.snapshot(depth, shared.injector.len())
    }

    /// Writes the execution trace recorded so far to `path`, as Chrome trace-event JSON (open it in Perfetto
    /// or `chrome://tracing`): one track per worker, one slice per job, named after its task. A job's slice is
    /// recorded when its worker returns from it, which can be just after the task's joiner woke up; to be sure
    /// every job is in, write the trace after [`shutdown`](Self::shutdown) (it works on a shut-down engine).
    ///
    /// # Errors
    ///
    /// An `InvalidInput` error if the engine was not built with [`Builder::trace`]`(true)`; any error writing
    /// the file.
    ///
    /// # Examples
    ///
    /// See [`Builder::trace`].
    pub fn write_trace(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        let Some(tracer) = &self.shared.tracer else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "tracing is off: build the engine with Builder::trace(true)",
            ));
        };
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        tracer.write(&mut out, &self.shared.thread_names)?;
        std::io::Write::flush(&mut out)
    }

    /// The number of worker threads.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wove_executor::Engine::builder().threads(3).build()?.threads(), 3);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn threads(&self) -> usize {
        self.shared.stealers.len()
    }

    /// Blocks until every task of the engine has finished — including tasks spawned while waiting.
    ///
    /// # Panics
    ///
    /// If called from inside a task of this engine: the caller is itself a live task, so the engine could never
    /// be idle while it waits.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let count = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..100 {
    ///     let count = count.clone();
    ///     engine.spawn(move || count.fetch_add(1, Ordering::SeqCst)).detach();
    /// }
    /// engine.wait_idle();
    /// assert_eq!(count.load(Ordering::SeqCst), 100);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn wait_idle(&self) {
        let inside = context::with_worker_of(&self.shared, |worker| worker.is_some())
            && context::with_current(|task| task.is_some());
        assert!(!inside, "wait_idle called from inside a task of the same engine, which would wait for itself forever");
        let shared = &self.shared;
        let mut listener: Option<event_listener::EventListener> = None;
        let mut poll = |waker: &std::task::Waker| loop {
            if shared.admission.is_idle() {
                return Poll::Ready(());
            }
            match &mut listener {
                None => listener = Some(shared.idle.listen()),
                Some(registered) => {
                    if Pin::new(registered).poll(&mut Context::from_waker(waker)).is_pending() {
                        return Poll::Pending;
                    }
                    listener = None;
                }
            }
        };
        context::wait_for(&mut poll, None);
    }

    /// Shuts down gracefully: no new spawns from outside the engine; everything queued runs, and follow-ups that
    /// running tasks and callbacks spawn are still accepted; then the worker threads exit and are joined.
    ///
    /// Called on one of the engine's own workers, it closes the engine and returns at once: the workers exit
    /// by themselves once the work is done (a thread cannot join itself, nor wait for its own task).
    ///
    /// # Warning
    ///
    /// A future that stays pending forever keeps a graceful shutdown waiting forever; use
    /// [`shutdown_now`](Self::shutdown_now) to cancel what is left.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let task = engine.spawn(|| 5);
    /// engine.shutdown();
    /// assert_eq!(task.join().unwrap(), 5); // queued work ran
    /// assert!(engine.try_spawn(|| 6).unwrap_err().is_shutdown());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn shutdown(&self) {
        self.shared.close(false);
        if !self.shared.is_own_thread() {
            self.shared.join_threads();
        }
    }

    /// Shuts down now: like [`shutdown`](Self::shutdown), but every task that has not finished is cancelled
    /// first — queued tasks never run, suspended futures are dropped, running closures run on and their values
    /// are dropped. Every done-callback still runs, with a cancelled outcome.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let (open, gate) = std::sync::mpsc::channel::<()>();
    /// let (started, running) = std::sync::mpsc::channel::<()>();
    /// let blocker = engine.spawn(move || {
    ///     started.send(()).unwrap();
    ///     gate.recv().unwrap() // a plain block: this worker runs nothing else meanwhile
    /// });
    /// let queued = engine.spawn(|| 1);
    /// running.recv().unwrap();
    /// let opener = std::thread::spawn(move || {
    ///     std::thread::sleep(std::time::Duration::from_millis(20));
    ///     open.send(()).unwrap();
    /// });
    /// engine.shutdown_now();
    /// assert!(queued.join().unwrap_err().is_cancelled());
    /// assert!(blocker.join().unwrap_err().is_cancelled()); // was running: its value is dropped
    /// opener.join().unwrap();
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn shutdown_now(&self) {
        self.shared.close(true);
        if !self.shared.is_own_thread() {
            self.shared.join_threads();
        }
    }

    /// True once [`shutdown`](Self::shutdown) or [`shutdown_now`](Self::shutdown_now) was called (or the last
    /// handle dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// assert!(!engine.is_shutdown());
    /// engine.shutdown();
    /// assert!(engine.is_shutdown());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.shared.is_closed()
    }

    /// The engine whose worker the calling thread is (or whose `block_on` it is running), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use wove_executor::Engine;
    /// let engine = Engine::builder().threads(1).build()?;
    /// assert!(Engine::current().is_none());
    /// let inside = engine.spawn(|| Engine::current().map(|e| e.threads())).join().unwrap();
    /// assert_eq!(inside, Some(1));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn current() -> Option<Engine> {
        context::current_engine().map(Engine::from_shared)
    }
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for Engine {
    fn clone(&self) -> Self {
        Self::from_shared(self.shared.clone())
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.shared.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shutdown();
        }
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("threads", &self.threads())
            .field("live_tasks", &self.shared.admission.live())
            .field("shut_down", &self.is_shutdown())
            .finish()
    }
}

// Every panic inside the engine is caught where it happens and its state stays consistent, so a handle may
// cross `catch_unwind` (as tokio's runtime handles do).
impl std::panic::UnwindSafe for Engine {}
impl std::panic::RefUnwindSafe for Engine {}
