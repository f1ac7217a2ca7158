//! `any`: the first input to succeed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wove_executor::{Task, TaskError};

use crate::all::spawn_on;

/// A task that finishes with the index and value of the first input to succeed; if every input fails, with
/// the last failure. Runs on the engine of the first input.
///
/// # Panics
///
/// The returned task fails (with a panic naming the mistake) if `tasks` is empty.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).panic_handler(|_| {}).build()?;
/// let tasks = vec![engine.spawn(|| -> u32 { panic!("down") }), engine.spawn(|| 7)];
/// assert_eq!(wove_chain::any(tasks).join().unwrap(), (1, 7));
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn any<T: Send + 'static>(tasks: Vec<Task<T>>) -> Task<(usize, T)> {
    first_success(tasks, false)
}

/// [`any`], cancelling the inputs still running once one has succeeded.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let (open, gate) = std::sync::mpsc::channel::<()>();
/// let slow = engine.spawn(move || drop(gate.recv())); // holds the only worker until the first input is done
/// let fast = engine.spawn(|| 1);
/// let never = engine.spawn(|| 2);
/// let first = wove_chain::any_cancelling(vec![fast, never]);
/// open.send(()).unwrap();
/// assert_eq!(first.join().unwrap().0, 0);
/// # drop(slow);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn any_cancelling<T: Send + 'static>(tasks: Vec<Task<T>>) -> Task<(usize, T)> {
    first_success(tasks, true)
}

fn first_success<T: Send + 'static>(tasks: Vec<Task<T>>, cancel_rest: bool) -> Task<(usize, T)> {
    let engine = tasks.first().map(Task::engine);
    spawn_on(engine, FirstSuccess { tasks: tasks.into_iter().map(Some).collect(), last_error: None, cancel_rest })
}

/// Polls every input; done at the first success, or when all have failed.
struct FirstSuccess<T: Send + 'static> {
    tasks: Vec<Option<Task<T>>>,
    last_error: Option<TaskError>,
    cancel_rest: bool,
}

// Nothing in `FirstSuccess` is pinned structurally: the tasks are `Unpin` and hold their values elsewhere.
impl<T: Send + 'static> Unpin for FirstSuccess<T> {}

impl<T: Send + 'static> Future for FirstSuccess<T> {
    type Output = Result<(usize, T), TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.tasks.is_empty(), "wove_chain::any needs at least one task");
        for i in 0..this.tasks.len() {
            let Some(task) = &mut this.tasks[i] else { continue };
            match Pin::new(task).poll(cx) {
                Poll::Pending => {}
                Poll::Ready(Ok(value)) => {
                    this.tasks[i] = None;
                    if this.cancel_rest {
                        this.tasks.iter().flatten().for_each(|task| {
                            task.cancel();
                        });
                    }
                    return Poll::Ready(Ok((i, value)));
                }
                Poll::Ready(Err(error)) => {
                    this.tasks[i] = None;
                    this.last_error = Some(error);
                }
            }
        }
        match this.tasks.iter().all(Option::is_none) {
            true => Poll::Ready(Err(this.last_error.take().expect("every task failed, so one error is kept"))),
            false => Poll::Pending,
        }
    }
}
