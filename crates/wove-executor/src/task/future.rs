//! How a future task's body runs: in an `async-task` cell, as a [`TaskFuture`] that holds the future, an `Arc`
//! of its core and the engine's hooks; it is polled until it finishes. Like a closure task (`closure.rs`), it
//! makes the task current, honours cancellation before each poll, contains panics, drops the body before the
//! outcome is published, and finishes the task's [`Core`].

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::sync::Arc;
use crate::task::core::Core;
use crate::task::current;
use crate::task::hooks::EngineHooks;

pin_project! {
    /// The future async-task polls for a future task: the future, the task's core and its engine's hooks (a
    /// runnable is run without arguments, so the task keeps what it needs to finish, as tokio's tasks keep
    /// their scheduler).
    pub(crate) struct TaskFuture<T, Fut, H> {
        core: Arc<Core<T>>,
        hooks: H,
        #[pin]
        future: Option<Fut>,
    }
}

impl<T, Fut, H> TaskFuture<T, Fut, H> {
    pub(crate) fn new(core: Arc<Core<T>>, hooks: H, future: Fut) -> Self {
        Self { core, hooks, future: Some(future) }
    }
}

impl<T: Send + 'static, Fut: Future<Output = T> + Send, H: EngineHooks> Future for TaskFuture<T, Fut, H> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let core: &Arc<Core<T>> = this.core;
        let hooks: &H = this.hooks;
        if this.future.is_none() {
            return Poll::Ready(());
        }
        let _current = current::enter_task(&core.header);
        if !core.begin_step() {
            let dropped = drop_future(this.future.as_mut());
            if let Err(payload) = dropped {
                hooks.report_panic(core.header.error_panic(payload));
            }
            core.finish(Err(core.header.error_cancelled()), false, hooks);
            return Poll::Ready(());
        }
        let future = this.future.as_mut().as_pin_mut().expect("checked above");
        let outcome = match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => {
                core.suspended(cx);
                return Poll::Pending;
            }
            Ok(Poll::Ready(value)) => {
                drop_future(this.future.as_mut()).map(|()| value).map_err(|payload| core.header.error_panic(payload))
            }
            Err(payload) => {
                // The future's own panic wins over one from dropping what it captured.
                let _ = drop_future(this.future.as_mut());
                Err(core.header.error_panic(payload))
            }
        };
        core.finish(outcome, false, hooks);
        Poll::Ready(())
    }
}

/// Drops the future (its captured values) before the outcome is published; a panic in a `Drop` is contained.
fn drop_future<Fut>(mut future: Pin<&mut Option<Fut>>) -> Result<(), Box<dyn Any + Send>> {
    catch_unwind(AssertUnwindSafe(|| future.set(None)))
}
