//! `as_completed`: outcomes in the order the tasks finish.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use wove_executor::{Engine, Task, TaskError};

use crate::TaskExt;

/// The outcomes of `tasks` in completion order: a blocking [`Iterator`], or a [`Stream`] with
/// [`AsCompleted::into_stream`]. Each task's outcome is forwarded by a continuation step as it finishes (over an
/// `async-channel`).
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let tasks: Vec<_> = (1..=3).map(|i| engine.spawn(move || i)).collect();
/// let mut values: Vec<u32> = wove_chain::as_completed(tasks).map(Result::unwrap).collect();
/// values.sort();
/// assert_eq!(values, [1, 2, 3]);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn as_completed<T: Send + 'static>(tasks: Vec<Task<T>>) -> AsCompleted<T> {
    let (sender, receiver) = async_channel::unbounded();
    let engine = tasks.first().map(Task::engine);
    let remaining = tasks.len();
    for task in tasks {
        let sender = sender.clone();
        task.map(move |outcome| {
            let _ = sender.try_send(outcome);
            Ok(())
        })
        .detach();
    }
    AsCompleted { receiver: Box::pin(receiver), remaining, engine }
}

/// Outcomes in completion order, as a blocking [`Iterator`]: `next` waits for the next task to finish — on a wove
/// worker it runs other jobs while it waits. In async code, use [`into_stream`](Self::into_stream).
/// (Two types rather than one that is both, so that importing a `StreamExt` does not make `next` ambiguous.)
///
/// # Examples
///
/// See [`as_completed`].
#[must_use = "as_completed yields the outcomes; dropping it drops them as they come"]
pub struct AsCompleted<T> {
    receiver: Pin<Box<async_channel::Receiver<Result<T, TaskError>>>>,
    remaining: usize,
    engine: Option<Engine>,
}

impl<T> Iterator for AsCompleted<T> {
    type Item = Result<T, TaskError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let engine = self.engine.as_ref()?;
        let outcome = engine.block_on(self.receiver.recv()).ok()?;
        self.remaining -= 1;
        Some(outcome)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> AsCompleted<T> {
    /// The same outcomes as a [`Stream`], for async code.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::StreamExt;
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let tasks: Vec<_> = (0..3).map(|i| engine.spawn(move || i)).collect();
    /// let count = engine.block_on(wove_chain::as_completed(tasks).into_stream().count());
    /// assert_eq!(count, 3);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn into_stream(self) -> CompletedStream<T> {
        CompletedStream { receiver: self.receiver, remaining: self.remaining }
    }
}

/// Outcomes in completion order, as a [`Stream`]; see [`AsCompleted::into_stream`].
///
/// # Examples
///
/// See [`AsCompleted::into_stream`].
#[must_use = "streams do nothing unless polled"]
pub struct CompletedStream<T> {
    receiver: Pin<Box<async_channel::Receiver<Result<T, TaskError>>>>,
    remaining: usize,
}

impl<T> Stream for CompletedStream<T> {
    type Item = Result<T, TaskError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        match self.receiver.as_mut().poll_next(cx) {
            Poll::Ready(Some(outcome)) => {
                self.remaining -= 1;
                Poll::Ready(Some(outcome))
            }
            other => other,
        }
    }
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted").field("remaining", &self.remaining).finish()
    }
}

impl<T> std::fmt::Debug for CompletedStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletedStream").field("remaining", &self.remaining).finish()
    }
}
