//! The free functions: `spawn`, `spawn_detached`, `spawn_async`, `join`, `current_task`, `is_cancelled` — on
//! the current engine inside a worker (or a `block_on`), else on the global engine.

use std::future::Future;
use std::sync::OnceLock;

use crate::engine::Engine;
use crate::handle::Task;
use crate::info::TaskInfo;
use crate::join::{install_from_outside, join_on};
use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scope::{Scope, run_scope};
use crate::sync::Arc;
use crate::task::current;
use crate::task::header::Header;

static GLOBAL: OnceLock<Engine> = OnceLock::new();

/// Calls `f` with the engine the free functions use: the current one, else the global one (created on first use
/// with [`Engine::new`], never shut down). Borrowed: no handle is made, no reference count touched.
fn with_engine<R>(f: impl FnOnce(&Arc<Shared>) -> R) -> R {
    context::with_current_engine(|current| match current {
        Some(shared) => f(shared),
        None => f(GLOBAL.get_or_init(Engine::new).shared()),
    })
}

/// Spawns a closure on the current engine: inside a wove worker (or `block_on`), that worker's engine; **on any
/// other thread, the global engine**, created on first use with one worker per CPU. To spawn on a specific
/// engine from outside it, call [`Engine::spawn`] or enter it with [`Engine::install`].
///
/// Inside a task or callback of a [`Group`](crate::Group), the new task joins that group.
///
/// # Panics
///
/// If the current engine is shut down.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let outer = engine.spawn(|| {
///     let follow_up = wove_executor::spawn(|| "follow-up on the same engine");
///     follow_up.join().unwrap()
/// });
/// assert_eq!(outer.join().unwrap(), "follow-up on the same engine");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn spawn<F, T>(func: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    with_engine(|shared| Engine::spawn_on(shared, func))
}

/// Spawns a closure on the current engine (else the global one) without a handle: [`spawn`] followed by
/// [`Task::detach`], but cheaper (see [`Engine::spawn_detached`]).
///
/// # Panics
///
/// If the current engine is shut down.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let (tx, rx) = std::sync::mpsc::channel();
/// engine.spawn_detached(move || {
///     // Follow-up work nobody joins: the result travels by channel.
///     wove_executor::spawn_detached(move || tx.send("follow-up ran").unwrap());
/// });
/// assert_eq!(rx.recv().unwrap(), "follow-up ran");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn spawn_detached<F, T>(func: F)
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    with_engine(|shared| Engine::spawn_detached_on(shared, func));
}

/// Spawns a future on the current engine (else the global one); see [`spawn`].
///
/// # Panics
///
/// If the current engine is shut down.
///
/// # Examples
///
/// ```
/// let task = wove_executor::spawn_async(async { 1 + 1 }); // the global engine
/// assert_eq!(task.join().unwrap(), 2);
/// ```
pub fn spawn_async<Fut>(future: Fut) -> Task<Fut::Output>
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    with_engine(|shared| Engine::spawn_async_on(shared, future))
}

/// Runs `a` and `b` in parallel on the current engine (else the global one) and returns both results; see
/// [`Engine::join`].
///
/// # Examples
///
/// ```
/// fn fib(n: u64) -> u64 {
///     if n < 2 { n } else {
///         let (a, b) = wove_executor::join(|| fib(n - 1), || fib(n - 2));
///         a + b
///     }
/// }
/// assert_eq!(fib(20), 6765);
/// ```
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if context::with_worker(|worker| worker.is_some()) {
        join_here(a, b)
    } else {
        with_engine(|shared| install_from_outside(shared, || join_here(a, b)))
    }
}

/// `join` on the current thread, which must be a worker (it is, inside `install`).
fn join_here<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    context::with_worker(|worker| join_on(worker.expect("install runs on a worker"), a, b))
}

/// The task running on this thread, if any — in its body or in one of its done-callbacks (the
/// `asyncio.current_task()` analogue). Its `Debug` output shows the name.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let seen = engine.task().name("worker").spawn(|| format!("{:?}", wove_executor::current_task()));
/// assert!(seen.join().unwrap().contains("\"worker\""));
/// assert!(wove_executor::current_task().is_none());
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn current_task() -> Option<TaskInfo> {
    current::with_current(|task| task.map(Header::info))
}

/// True if the task running on this thread was asked to cancel: a long closure checks this to stop early.
/// False outside a task.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let started = Arc::new(AtomicBool::new(false));
/// let flag = started.clone();
/// let task = engine.spawn(move || {
///     flag.store(true, Ordering::SeqCst);
///     while !wove_executor::is_cancelled() {
///         std::thread::yield_now();
///     }
///     "stopped early"
/// });
/// while !started.load(Ordering::SeqCst) {}
/// assert!(task.cancel());
/// assert!(task.join().unwrap_err().is_cancelled());
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn is_cancelled() -> bool {
    current::with_current(|task| task.is_some_and(Header::is_cancel_requested))
}

impl Engine {
    /// Runs `a` and `b` in parallel and returns both results, rayon-style: `b` is offered to other workers
    /// while this worker runs `a`; if nobody took it, this worker runs it too — with no allocation. Called from
    /// outside the engine, the whole join runs on a worker. A panic in either is re-raised here after both
    /// have finished.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let data = vec![1, 2, 3, 4];
    /// let (left, right) = engine.join(|| data[..2].iter().sum::<i32>(), || data[2..].iter().sum::<i32>());
    /// assert_eq!(left + right, 10);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        if context::with_worker_of(self.shared(), |worker| worker.is_some()) {
            join_here(a, b)
        } else {
            install_from_outside(self.shared(), || join_here(a, b))
        }
    }

    /// Runs `func` on one of the engine's workers and returns its value; `func` may borrow the caller's data.
    /// On a worker of this engine it simply runs `func`. This is how code enters a specific engine, so that
    /// [`spawn`] and [`join`] inside it use that engine.
    ///
    /// # Panics
    ///
    /// If the engine is shut down, or if `func` panics (re-raised here).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let words = vec!["a", "b"];
    /// let n = engine.install(|| {
    ///     assert!(wove_executor::Engine::current().is_some());
    ///     words.len()
    /// });
    /// assert_eq!(n, 2);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn install<F, R>(&self, func: F) -> R
    where
        F: FnOnce() -> R + Send,
        R: Send,
    {
        if context::with_worker_of(self.shared(), |worker| worker.is_some()) {
            func()
        } else {
            install_from_outside(self.shared(), func)
        }
    }

    /// Runs `body` with a [`Scope`](crate::Scope) whose tasks may borrow the caller's stack data; returns once
    /// every one of them has finished (helping, on a worker). A panic in any of them is re-raised here after
    /// all have finished.
    ///
    /// `body` itself runs on the calling thread, whatever it is — rayon's `in_place_scope`, not rayon's
    /// `scope` (which moves the body onto a worker): wrap the call in [`install`](Self::install) for that.
    ///
    /// # Panics
    ///
    /// Called from outside an engine that is shut down, like [`join`](Self::join) and
    /// [`install`](Self::install); and with the panic of `body` or of a scope task.
    ///
    /// # Examples
    ///
    /// See [`Scope`](crate::Scope).
    pub fn scope<'env, F, R>(&self, body: F) -> R
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
    {
        run_scope(self.shared(), body)
    }
}
