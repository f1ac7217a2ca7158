//! The future behind `Latch::wait_async` and `Event::wait_async`: check, listen, check again, then sleep on
//! the listener — the async twin of [`Blocker::park_until`](crate::Blocker::park_until).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use event_listener::{Event, EventListener};

/// A condition that a [`WaitFuture`] waits for, and the event notified when it may have become true.
pub(crate) trait Condition: Unpin {
    fn is_done(&self) -> bool;
    fn event(&self) -> &Event;
}

/// Resolves once its condition holds. Cancel-safe: dropping it only drops its listener.
#[derive(Debug)]
pub(crate) struct WaitFuture<C> {
    condition: C,
    listener: Option<EventListener>,
}

impl<C: Condition> WaitFuture<C> {
    pub(crate) fn new(condition: C) -> Self {
        Self { condition, listener: None }
    }
}

impl<C: Condition> Future for WaitFuture<C> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            if this.condition.is_done() {
                this.listener = None;
                return Poll::Ready(());
            }
            match &mut this.listener {
                None => this.listener = Some(this.condition.event().listen()),
                Some(listener) => {
                    // Registered before the check above, so a notification after it wakes us.
                    if Pin::new(listener).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    this.listener = None;
                }
            }
        }
    }
}
