//! `TaskExt`: `then`, `map`, `inspect`, `recover`, `finally` — each a continuation step, its own job.

use wove_executor::{Task, TaskError};

/// Continuations on [`Task`]: each returns a new `Task` that can be awaited, joined, cancelled and continued.
///
/// # Examples
///
/// ```
/// use wove_chain::TaskExt;
/// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build()?;
/// let fallback = engine
///     .task()
///     .name("fetch")
///     .spawn(|| -> u32 { panic!("offline") })
///     .then(|n| n + 1) // skipped: its input failed
///     .recover(|error| {
///         assert_eq!(error.name(), Some("fetch"));
///         0
///     });
/// assert_eq!(fallback.join().unwrap(), 0);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub trait TaskExt<T: Send + 'static>: Sized {
    /// Runs `step` with this task's value once it has finished; skipped (the error carried on) if it failed.
    ///
    /// # Examples
    ///
    /// See [`TaskExt`].
    fn then<U, F>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> U + Send + 'static;

    /// Runs `step` with this task's value; `step` starts a task, whose outcome becomes this step's (flattened):
    /// a failure of that task is carried on, naming it. The inner task is waited for by this step's job — on
    /// its worker, which runs other jobs meanwhile (usually the inner task itself).
    ///
    /// # Examples
    ///
    /// ```
    /// use wove_chain::TaskExt;
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let inner = engine.clone();
    /// let total = engine.spawn(|| 20).and_then(move |n| inner.spawn(move || n + 22)).join().unwrap();
    /// assert_eq!(total, 42);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    fn and_then<U, F>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> Task<U> + Send + 'static;

    /// Runs `step` with this task's value; the future it returns runs as its own task, and its output is this
    /// step's. Waited for as in [`and_then`](Self::and_then): while the future waits on something outside the
    /// engine, this step's worker waits with it (running other jobs meanwhile).
    ///
    /// # Examples
    ///
    /// ```
    /// use wove_chain::TaskExt;
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let text = engine.spawn(|| 7).then_async(|n| async move { format!("got {n}") }).join().unwrap();
    /// assert_eq!(text, "got 7");
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    fn then_async<U, F, Fut>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = U> + Send + 'static;

    /// Runs `step` with this task's whole outcome, whatever it is; its `Err` is carried on as is.
    ///
    /// # Examples
    ///
    /// ```
    /// use wove_chain::TaskExt;
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let described = engine.spawn(|| 7).map(|outcome| Ok(format!("{outcome:?}")));
    /// assert_eq!(described.join().unwrap(), "Ok(7)");
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    fn map<U, F>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(Result<T, TaskError>) -> Result<U, TaskError> + Send + 'static;

    /// Looks at the value and passes it on unchanged; skipped if the task failed.
    ///
    /// # Examples
    ///
    /// See the crate example.
    fn inspect<F>(self, look: F) -> Task<T>
    where
        F: FnOnce(&T) + Send + 'static;

    /// Turns a failure (panic or cancellation) back into a value; a value passes through untouched.
    ///
    /// # Examples
    ///
    /// See [`TaskExt`].
    fn recover<F>(self, fallback: F) -> Task<T>
    where
        F: FnOnce(TaskError) -> T + Send + 'static;

    /// Runs `last` with the outcome, whatever it is, and passes the outcome on unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use wove_chain::TaskExt;
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let task = engine.spawn(|| 3).finally(move |outcome| tx.send(outcome.is_ok()).unwrap());
    /// assert_eq!(task.join().unwrap(), 3);
    /// assert!(rx.recv().unwrap());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    fn finally<F>(self, last: F) -> Task<T>
    where
        F: FnOnce(&Result<T, TaskError>) + Send + 'static;
}

impl<T: Send + 'static> TaskExt<T> for Task<T> {
    fn then<U, F>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> U + Send + 'static,
    {
        self.continue_with(move |outcome| outcome.map(step))
    }

    fn map<U, F>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(Result<T, TaskError>) -> Result<U, TaskError> + Send + 'static,
    {
        self.continue_with(step)
    }

    fn and_then<U, F>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> Task<U> + Send + 'static,
    {
        self.continue_with(move |outcome| step(outcome?).join())
    }

    fn then_async<U, F, Fut>(self, step: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = U> + Send + 'static,
    {
        self.and_then(move |value| wove_executor::spawn_async(step(value)))
    }

    fn inspect<F>(self, look: F) -> Task<T>
    where
        F: FnOnce(&T) + Send + 'static,
    {
        self.continue_with(move |outcome| outcome.inspect(look))
    }

    fn recover<F>(self, fallback: F) -> Task<T>
    where
        F: FnOnce(TaskError) -> T + Send + 'static,
    {
        self.continue_with(move |outcome| Ok(outcome.unwrap_or_else(fallback)))
    }

    fn finally<F>(self, last: F) -> Task<T>
    where
        F: FnOnce(&Result<T, TaskError>) + Send + 'static,
    {
        self.continue_with(move |outcome| {
            last(&outcome);
            outcome
        })
    }
}
