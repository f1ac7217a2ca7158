//! `all`: one task for many — their values in input order, or the first failure.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wove_executor::{Engine, Task, TaskError};

use crate::TaskExt;

/// What [`all`] accepts: a `Vec` of tasks of one type (giving a `Vec` of values), or a tuple of 2 to 8 tasks of
/// any types (giving a tuple of values).
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let (n, text) = wove_chain::all((engine.spawn(|| 1), engine.spawn(|| "one"))).join().unwrap();
/// assert_eq!((n, text), (1, "one"));
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub trait AllOf: Send + 'static {
    /// The values, once every task has finished.
    type Output: Send + 'static;

    /// The task that waits for all of them.
    fn join_all(self, cancel_rest: bool) -> Task<Self::Output>;
}

/// A task that finishes with every input's value, in input order — or fails with the first failure, as soon as
/// it happens (the error names the task that failed). Runs on the engine of the first input.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let tasks: Vec<_> = (1..=4).map(|i| engine.spawn(move || i * 10)).collect();
/// assert_eq!(wove_chain::all(tasks).join().unwrap(), vec![10, 20, 30, 40]);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn all<I: AllOf>(tasks: I) -> Task<I::Output> {
    tasks.join_all(false)
}

/// [`all`], cancelling the inputs still running once one has failed.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build()?;
/// let (open, gate) = std::sync::mpsc::channel::<()>();
/// let slow = engine.spawn(move || drop(gate.recv())); // holds the only worker
/// let failing = engine.spawn(|| -> () { panic!("first") });
/// let queued = engine.spawn(|| ());
/// let all = wove_chain::all_cancelling(vec![failing, queued]);
/// open.send(()).unwrap();
/// assert!(all.join().unwrap_err().is_panic());
/// # drop(slow);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn all_cancelling<I: AllOf>(tasks: I) -> Task<I::Output> {
    tasks.join_all(true)
}

impl<T: Send + 'static> AllOf for Vec<Task<T>> {
    type Output = Vec<T>;

    fn join_all(self, cancel_rest: bool) -> Task<Vec<T>> {
        let engine = self.first().map(Task::engine);
        let results = self.iter().map(|_| None).collect();
        spawn_on(engine, JoinAll { tasks: self.into_iter().map(Some).collect(), results, cancel_rest })
    }
}

/// Runs `future` as a task on `engine` (else the current one), its `Err` carried as the task's failure.
pub(crate) fn spawn_on<T, F>(engine: Option<Engine>, future: F) -> Task<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T, TaskError>> + Send + 'static,
{
    let waiting = match engine {
        Some(engine) => engine.spawn_async(future),
        None => wove_executor::spawn_async(future),
    };
    waiting.map(|outcome| outcome.and_then(|result| result))
}

/// Polls every input; fails at the first failure; done when all have a value.
struct JoinAll<T: Send + 'static> {
    tasks: Vec<Option<Task<T>>>,
    results: Vec<Option<T>>,
    cancel_rest: bool,
}

// Nothing in `JoinAll` is pinned structurally: the tasks are `Unpin` and the values sit in a `Vec`.
impl<T: Send + 'static> Unpin for JoinAll<T> {}

impl<T: Send + 'static> Future for JoinAll<T> {
    type Output = Result<Vec<T>, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        for i in 0..this.tasks.len() {
            let Some(task) = &mut this.tasks[i] else { continue };
            match Pin::new(task).poll(cx) {
                Poll::Pending => {}
                Poll::Ready(Ok(value)) => {
                    this.results[i] = Some(value);
                    this.tasks[i] = None;
                }
                Poll::Ready(Err(error)) => {
                    if this.cancel_rest {
                        this.tasks.iter().flatten().for_each(|task| {
                            task.cancel();
                        });
                    }
                    return Poll::Ready(Err(error));
                }
            }
        }
        if this.tasks.iter().all(Option::is_none) {
            Poll::Ready(Ok(this.results.iter_mut().map(|r| r.take().expect("every task gave a value")).collect()))
        } else {
            Poll::Pending
        }
    }
}

/// The tuple form waits in argument order, so it fails at the first failure in that order.
macro_rules! all_of_tuple {
    ($first:ident $(, $rest:ident)*) => {
        impl<$first: Send + 'static $(, $rest: Send + 'static)*> AllOf for (Task<$first>, $(Task<$rest>,)*) {
            type Output = ($first, $($rest,)*);

            #[allow(non_snake_case, reason = "the type parameters name the tasks")]
            fn join_all(self, cancel_rest: bool) -> Task<Self::Output> {
                let ($first, $($rest,)*) = self;
                let engine = $first.engine();
                let waiting = engine.spawn_async(async move {
                    let (mut $first, $(mut $rest,)*) = ($first, $($rest,)*);
                    let outcome = async { Ok(((&mut $first).await?, $((&mut $rest).await?,)*)) }.await;
                    if outcome.is_err() && cancel_rest {
                        $first.cancel();
                        $($rest.cancel();)*
                    }
                    outcome
                });
                waiting.map(|outcome| outcome.and_then(|result| result))
            }
        }
    };
}

all_of_tuple!(A, B);
all_of_tuple!(A, B, C);
all_of_tuple!(A, B, C, D);
all_of_tuple!(A, B, C, D, E);
all_of_tuple!(A, B, C, D, E, F);
all_of_tuple!(A, B, C, D, E, F, G);
all_of_tuple!(A, B, C, D, E, F, G, H);
