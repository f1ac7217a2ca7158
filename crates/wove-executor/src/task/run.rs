//! The future that async-task runs for every wove task: it makes the task current, honours cancellation
//! before each step, contains panics, drops the body before the outcome is published, and finishes the
//! task's [`Core`].

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::context;
use crate::sync::Arc;
use crate::task::core::Core;

/// What a task runs: a closure (one step) or a future (one step per poll).
pub(crate) trait Body: Send {
    type Output;
    fn step(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output>;
}

pin_project! {
    /// A closure as a task body.
    pub(crate) struct Call<F> {
        func: Option<F>,
    }
}

impl<F> Call<F> {
    pub(crate) fn new(func: F) -> Self {
        Self { func: Some(func) }
    }

    pub(crate) fn into_inner(self) -> F {
        self.func.expect("a rejected closure was never called")
    }
}

impl<F: FnOnce() -> T + Send, T> Body for Call<F> {
    type Output = T;

    fn step(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<T> {
        let func = self.project().func.take().expect("a closure task is stepped once");
        Poll::Ready(func())
    }
}

pin_project! {
    /// A future as a task body.
    pub(crate) struct Await<Fut> {
        #[pin]
        future: Fut,
    }
}

impl<Fut> Await<Fut> {
    pub(crate) fn new(future: Fut) -> Self {
        Self { future }
    }

    pub(crate) fn into_inner(self) -> Fut {
        self.future
    }
}

impl<Fut: Future + Send> Body for Await<Fut> {
    type Output = Fut::Output;

    fn step(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        self.project().future.poll(cx)
    }
}

pin_project! {
    /// The future async-task polls: the body plus the task's core.
    pub(crate) struct TaskFuture<T, B> {
        core: Arc<Core<T>>,
        #[pin]
        body: Option<B>,
    }
}

impl<T, B> TaskFuture<T, B> {
    pub(crate) fn new(core: Arc<Core<T>>, body: B) -> Self {
        Self { core, body: Some(body) }
    }
}

impl<T: Send + 'static, B: Body<Output = T>> Future for TaskFuture<T, B> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let core: &Arc<Core<T>> = this.core;
        if this.body.is_none() {
            return Poll::Ready(());
        }
        let _current = context::enter_task(core.clone());
        if !core.begin_step() {
            if let Err(payload) = drop_body(this.body.as_mut()) {
                core.report(payload);
            }
            core.finish(Err(core.header.error_cancelled()));
            return Poll::Ready(());
        }
        let body = this.body.as_mut().as_pin_mut().expect("checked above");
        let outcome = match catch_unwind(AssertUnwindSafe(|| body.step(cx))) {
            Ok(Poll::Pending) => {
                core.suspended(cx);
                return Poll::Pending;
            }
            Ok(Poll::Ready(value)) => {
                drop_body(this.body.as_mut()).map(|()| value).map_err(|payload| core.header.error_panic(payload))
            }
            Err(payload) => {
                // The body's own panic wins over one from dropping what it captured.
                let _ = drop_body(this.body.as_mut());
                Err(core.header.error_panic(payload))
            }
        };
        core.finish(outcome);
        Poll::Ready(())
    }
}

/// Drops the body (its captured values) before the outcome is published; a panic in a `Drop` is contained.
fn drop_body<B>(body: Pin<&mut Option<B>>) -> Result<(), Box<dyn std::any::Any + Send>> {
    let mut body = body;
    catch_unwind(AssertUnwindSafe(|| body.set(None)))
}
