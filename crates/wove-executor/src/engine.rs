//! `Engine`: the handle users hold — spawning, fork-join, groups, shutdown, metrics and traces. The state its
//! workers share, and the shutdown protocol, are in `shared.rs`.

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

use crossbeam_deque::{Injector, Worker};
use crossbeam_utils::CachePadded;
use event_listener::Event;

use crate::builder::{Builder, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_STACK_SIZE};
use crate::error::{BuildError, SpawnError};
use crate::group::Group;
use crate::handle::Task;
use crate::info::TaskInfo;
use crate::metrics::{Board, Metrics};
use crate::registry::live_tasks::Registry;
use crate::scheduler::admission::Admission;
use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scheduler::sleep::Sleep;
use crate::scheduler::slot::slots;
use crate::scheduler::start::start_worker;
use crate::scheduler::wait::wait_for;
use crate::spawn::spec::SpawnSpec;
use crate::sync::{Arc, AtomicUsize, Mutex, Ordering};
use crate::task::current;
use crate::task::job::Job;
use crate::task_builder::TaskBuilder;
use crate::trace::Tracer;

/// A work-stealing engine: worker threads that run closures and futures, with task handles, done-callbacks,
/// groups and fork-join. A cheap `Clone` handle.
///
/// # What a drop waits for
///
/// Dropping the last handle is a graceful [`shutdown`](Self::shutdown), and it always ends:
/// - queued tasks and closures already running run to their end, and follow-ups they spawn are accepted;
/// - futures still pending once no runnable work is left (nothing will wake them, or only a timer or a thread
///   outside) are cancelled: dropped, their done-callbacks run with `Cancelled`;
/// - closures still running after the [`shutdown_timeout`](crate::Builder::shutdown_timeout) (5 s unless set)
///   see [`is_cancelled`](crate::is_cancelled) turn true; those that still do not return are named on stderr
///   and their threads left detached;
/// - on one of the engine's own workers, the drop waits for nothing: the workers exit once the work is done.
///
/// [`Engine::scope`] runs its body on the calling thread (rayon's `in_place_scope`); [`Engine::install`] moves a
/// closure onto a worker.
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
            resumed: Injector::new(),
            stealers: locals.iter().map(Worker::stealer).collect(),
            slots: slots(threads),
            sleep: CachePadded::new(Sleep::new(threads)),
            admission: CachePadded::new(Admission::new()),
            idle: Event::new(),
            registry: Registry::new(threads),
            handles: AtomicUsize::new(1),
            threads: Mutex::new(Vec::with_capacity(threads)),
            panic_handler: builder.panic_handler,
            on_thread_start: builder.on_thread_start,
            board: Board::new(threads),
            tracer: builder.trace.then(|| Tracer::new(threads)),
            thread_names: thread_names.clone(),
            shutdown_timeout: builder.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT),
            stack_size: builder.stack_size.unwrap_or(DEFAULT_STACK_SIZE),
        });
        let engine = Self { shared };
        for ((index, local), name) in locals.into_iter().enumerate().zip(thread_names) {
            let thread = std::thread::Builder::new().name(name).stack_size(engine.shared.stack_size);
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

    /// Spawns a closure as a task that nobody will join: [`spawn`](Self::spawn) followed by [`Task::detach`],
    /// but cheaper — no handle is made, so the spawn touches no reference count and the task completes on its
    /// lock-free path (a chain of tasks that each spawn the next takes about a quarter less time). The task is
    /// tracked as by `spawn`; its value is dropped, and a panic goes to the engine's panic handler.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// for i in 0..4 {
    ///     let tx = tx.clone();
    ///     engine.spawn_detached(move || tx.send(i).unwrap());
    /// }
    /// drop(tx);
    /// let mut got: Vec<i32> = rx.iter().collect();
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2, 3]);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn spawn_detached<F, T>(&self, func: F)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Self::spawn_detached_on(&self.shared, func);
    }

    /// `spawn_detached` on `shared` without a handle or a builder (the hot path of `wove::spawn_detached`).
    pub(crate) fn spawn_detached_on<F, T>(shared: &Arc<Shared>, func: F)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if shared.spawn_closure_detached(SpawnSpec::plain(), func).is_err() {
            SpawnError::panic_shutdown();
        }
    }

    /// `spawn` on `shared` without a handle or a builder (the hot path of `wove::spawn`).
    pub(crate) fn spawn_on<F, T>(shared: &Arc<Shared>, func: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        match shared.spawn_closure(SpawnSpec::plain(), func) {
            Ok(spawned) => Task::new(spawned, shared.clone()),
            Err(_) => SpawnError::panic_shutdown(),
        }
    }

    /// `spawn_async` on `shared` without a handle or a builder.
    pub(crate) fn spawn_async_on<Fut>(shared: &Arc<Shared>, future: Fut) -> Task<Fut::Output>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        match shared.spawn_future(SpawnSpec::plain(), future) {
            Ok(spawned) => Task::new(spawned, shared.clone()),
            Err(_) => SpawnError::panic_shutdown(),
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
        TaskBuilder::new(self.shared.clone(), None)
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
        // A future is polled at every turn (it registers as it polls).
        let mut poll = |waker: &std::task::Waker, _| future.as_mut().poll(&mut Context::from_waker(waker));
        wait_for(&mut poll, None).expect("a wait without deadline returns a value")
    }

    /// The tasks alive in this engine: spawned and not yet finished (the `asyncio.all_tasks()` analogue).
    ///
    /// # Examples
    ///
    /// See [`TaskInfo`].
    pub fn tasks(&self) -> Vec<TaskInfo> {
        self.shared.registry().snapshot(None)
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
        shared.board.snapshot(depth, shared.injector.len() + shared.resumed.len())
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
            && current::with_current(|task| task.is_some());
        assert!(!inside, "wait_idle called from inside a task of the same engine, which would wait for itself forever");
        let shared = &self.shared;
        let mut listener: Option<event_listener::EventListener> = None;
        let mut poll = |waker: &std::task::Waker, register: bool| loop {
            if shared.admission.is_idle() {
                return Poll::Ready(());
            }
            if !register {
                return Poll::Pending;
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
        wait_for(&mut poll, None);
    }

    /// Shuts down gracefully: no new spawns from outside the engine; everything queued runs, and follow-ups that
    /// running tasks and callbacks spawn are still accepted; then the worker threads exit and are joined.
    ///
    /// It always ends. Futures still pending once no runnable work is left — nothing will wake them, or only a
    /// timer or a thread outside — are cancelled (dropped; their done-callbacks see `Cancelled`), as
    /// `asyncio.run` and tokio do. Closures run to their end within the engine's
    /// [`shutdown_timeout`](crate::Builder::shutdown_timeout) (5 seconds unless set); after it, they see
    /// [`is_cancelled`](crate::is_cancelled) turn true, and if they still do not return the shutdown names
    /// them on stderr, leaves their threads detached and returns.
    ///
    /// Called on one of the engine's own workers, it closes the engine and returns at once: the workers exit
    /// by themselves once the work is done (a thread cannot join itself, nor wait for its own task).
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
            self.shared.finish_shutdown();
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
            self.shared.join_threads(None);
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

impl<T: Send + 'static> Task<T> {
    /// The engine this task runs on.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(3).build()?;
    /// let task = engine.spawn(|| ());
    /// assert_eq!(task.engine().threads(), 3);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn engine(&self) -> Engine {
        Engine::from_shared(self.shared().clone())
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
