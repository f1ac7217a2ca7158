//! `Builder`: how many workers, their names and stack size, a start hook, the panic handler.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::engine::Engine;
use crate::error::{BuildError, TaskError};
use crate::scheduler::shared::{PanicHandler, StartHook};

/// Configures an [`Engine`]. `Engine::builder().threads(8).thread_name("wove").build()?`.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let started = Arc::new(AtomicUsize::new(0));
/// let seen = started.clone();
/// let engine = wove_executor::Engine::builder()
///     .threads(3)
///     .thread_name("crunch")
///     .stack_size(4 << 20)
///     .on_thread_start(move |_index| {
///         seen.fetch_add(1, Ordering::SeqCst);
///     })
///     .panic_handler(|err| eprintln!("lost: {err}"))
///     .build()?;
/// assert_eq!(engine.threads(), 3);
/// let name = engine.spawn(|| std::thread::current().name().unwrap().to_string()).join().unwrap();
/// assert!(name.starts_with("crunch-"));
/// engine.shutdown();
/// assert_eq!(started.load(Ordering::SeqCst), 3);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Default)]
#[must_use = "a Builder does nothing until build() is called"]
pub struct Builder {
    pub(crate) threads: Option<usize>,
    pub(crate) thread_name: Option<String>,
    pub(crate) stack_size: Option<usize>,
    pub(crate) on_thread_start: Option<StartHook>,
    pub(crate) panic_handler: Option<PanicHandler>,
    pub(crate) trace: bool,
    pub(crate) shutdown_timeout: Option<Duration>,
}

/// The stack size of worker threads by default ([`Builder::stack_size`]): 32 MiB.
pub const DEFAULT_STACK_SIZE: usize = 32 << 20;

/// How long a shutdown waits for running tasks by default ([`Builder::shutdown_timeout`]).
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

impl Builder {
    /// A builder with the defaults: one worker per logical CPU (or `WOVE_THREADS`), threads named `wove-N`,
    /// the platform's stack size, panics nobody can observe printed to stderr.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Builder::new().threads(1).build()?;
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of worker threads. Zero is an error at [`build`](Self::build). Without this, the
    /// `WOVE_THREADS` environment variable decides, else the number of logical CPUs.
    ///
    /// # Examples
    ///
    /// See [`Builder`].
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// The prefix of the worker threads' names: workers are named `{prefix}-{index}`.
    ///
    /// # Examples
    ///
    /// See [`Builder`].
    pub fn thread_name(mut self, prefix: &str) -> Self {
        self.thread_name = Some(prefix.to_string());
        self
    }

    /// The stack size of each worker thread, in bytes (default [`DEFAULT_STACK_SIZE`], 32 MiB: address space
    /// reserved, memory used only as deep as the stack gets).
    ///
    /// A blocking wait on a worker ([`Task::join`](crate::Task::join), [`Group::wait`](crate::Group::wait), a
    /// latch) runs other jobs on the same stack while it waits, so waits nest. Up to three quarters of the
    /// stack, a wait runs any job; past that it only runs its worker's own jobs and resumed futures (those that
    /// the waits below it may be waiting for), never new work, so the stack stops growing with unrelated tasks.
    /// Recursion that is legitimately deep — spawn + join 10,000 levels, about 2 KiB a level in a debug build
    /// and less in release — fits in the default.
    ///
    /// # Examples
    ///
    /// See [`Builder`].
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Called on each worker thread, with its index, before it runs any task. A panic in it goes to the
    /// [panic handler](Self::panic_handler) (as the panic of a task named `on_thread_start of worker N`) and
    /// the worker starts anyway.
    ///
    /// # Examples
    ///
    /// See [`Builder`].
    pub fn on_thread_start(mut self, hook: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.on_thread_start = Some(Arc::new(hook));
        self
    }

    /// Receives every panic that nobody can observe through a handle: a detached task's panic, a panicking
    /// done-callback, an output whose `Drop` panicked, a panicking light job or `on_thread_start` hook, and the
    /// tasks a shutdown had to leave running ([`TaskError::is_abandoned`](crate::TaskError::is_abandoned)).
    /// Without one, a panic is printed once, by Rust's standard panic hook as it happens (on the `wove-N`
    /// thread, with its message and location), and abandoned tasks are named on stderr; the process never
    /// aborts.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// let (tx, rx) = mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let engine = wove_executor::Engine::builder()
    ///     .threads(1)
    ///     .panic_handler(move |err| tx.lock().unwrap().send(err.to_string()).unwrap())
    ///     .build()?;
    /// engine.task().name("lost").spawn(|| panic!("nobody joins me")).detach();
    /// assert!(rx.recv().unwrap().ends_with("'lost' panicked: nobody joins me"));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn panic_handler(mut self, handler: impl Fn(TaskError) + Send + Sync + 'static) -> Self {
        self.panic_handler = Some(Arc::new(handler));
        self
    }

    /// How long a shutdown — [`Engine::shutdown`], or the drop of the last [`Engine`] handle — waits for the
    /// tasks still running (default: [`DEFAULT_SHUTDOWN_TIMEOUT`], 5 seconds). Futures that nothing is left to
    /// wake are cancelled at once, without waiting. When the timeout passes, every task left is cancelled:
    /// running closures see [`is_cancelled`](crate::is_cancelled) turn true. If they still have not returned
    /// after a short grace (100 ms), the shutdown returns anyway: it names them on stderr and to the
    /// [panic handler](Self::panic_handler) (as errors that are
    /// [`is_abandoned`](crate::TaskError::is_abandoned)), and leaves their threads detached. A task that
    /// finishes within the timeout is never cut short.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let engine = wove_executor::Engine::builder().threads(1).shutdown_timeout(Duration::from_millis(100)).build()?;
    /// engine.spawn_detached(|| {
    ///     while !wove_executor::is_cancelled() {
    ///         std::thread::sleep(Duration::from_millis(1)); // a ticker that stops when asked
    ///     }
    /// });
    /// let started = Instant::now();
    /// drop(engine);
    /// assert!(started.elapsed() < Duration::from_secs(2));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Records an execution trace — one slice per job, on one track per worker — for
    /// [`Engine::write_trace`]. Off by default; when off, the cost is one branch per job.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).trace(true).build()?;
    /// engine.task().name("traced").spawn(|| ()).join().unwrap();
    /// engine.shutdown(); // let every worker return from its jobs: their slices are recorded on return
    /// let path = std::env::temp_dir().join(format!("wove-doc-trace-{}.json", std::process::id()));
    /// engine.write_trace(&path).unwrap();
    /// assert!(std::fs::read_to_string(&path).unwrap().contains("\"traced\""));
    /// # std::fs::remove_file(path).ok();
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn trace(mut self, enabled: bool) -> Self {
        self.trace = enabled;
        self
    }

    /// Starts the engine's workers.
    ///
    /// # Errors
    ///
    /// Zero threads (from [`threads`](Self::threads) or `WOVE_THREADS`), a `WOVE_THREADS` that is not a
    /// number, or a worker thread the OS would not start.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = wove_executor::Engine::builder().threads(0).build().unwrap_err();
    /// assert_eq!(err.to_string(), "an engine needs at least 1 thread, got threads(0)");
    /// ```
    pub fn build(self) -> Result<Engine, BuildError> {
        let threads = match self.threads {
            Some(threads) => threads,
            None => threads_from_environment()?,
        };
        if threads == 0 {
            return Err(BuildError::zero_threads());
        }
        Engine::start(self, threads)
    }
}

fn threads_from_environment() -> Result<usize, BuildError> {
    match std::env::var("WOVE_THREADS") {
        Ok(value) => match value.trim().parse::<usize>() {
            Ok(0) => Err(BuildError::zero_threads()),
            Ok(threads) => Ok(threads),
            Err(_) => Err(BuildError::bad_threads_variable(value)),
        },
        Err(_) => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("threads", &self.threads)
            .field("thread_name", &self.thread_name)
            .field("stack_size", &self.stack_size)
            .field("on_thread_start", &self.on_thread_start.is_some())
            .field("panic_handler", &self.panic_handler.is_some())
            .field("trace", &self.trace)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish()
    }
}
