//! A node's body: its closure, kept in place when it fits three words (most closures capture a few numbers
//! or handles), so adding a node costs no allocation for it.

#![allow(unsafe_code)]

use crate::outcome::Outcome;
use crate::room::{self, Room};
use crate::slots::{Input, Output};

/// A node's closure: runs with its inputs, in order, and puts its output in `Output`.
pub(crate) struct Body {
    room: Room,
    vtable: &'static BodyVTable,
}

/// How to call and drop the closure in a body's room.
struct BodyVTable {
    call: unsafe fn(*const Room, &[Input<'_>], &Output<'_>) -> Outcome,
    drop: Option<unsafe fn(*mut Room)>,
}

// SAFETY: the room holds an `F: Send + Sync` (`Body::new`'s bounds).
unsafe impl Send for Body {}
// SAFETY: as for `Send`.
unsafe impl Sync for Body {}

impl Body {
    pub(crate) fn new<F>(body: F) -> Self
    where
        F: Fn(&[Input<'_>], &Output<'_>) -> Outcome + Send + Sync + 'static,
    {
        let mut room = room::empty();
        // SAFETY: an empty room.
        unsafe { room::write(&mut room, body) };
        Self { room, vtable: &VTableOf::<F>::VTABLE }
    }

    /// Runs the closure.
    #[inline]
    pub(crate) fn call(&self, inputs: &[Input<'_>], output: &Output<'_>) -> Outcome {
        // SAFETY: `call` was made for the `F` written in the room by `new`, which stays there until the drop.
        unsafe { (self.vtable.call)(&self.room, inputs, output) }
    }
}

/// The vtable of closures of type `F`, as a constant (so that a reference to it is `'static`).
struct VTableOf<F>(std::marker::PhantomData<F>);

impl<F> VTableOf<F>
where
    F: Fn(&[Input<'_>], &Output<'_>) -> Outcome,
{
    const VTABLE: BodyVTable = BodyVTable { call: call::<F>, drop: room::dropper::<F>() };
}

/// # Safety
///
/// `room` holds an `F` written by [`room::write`], alive for the call.
unsafe fn call<F>(room: *const Room, inputs: &[Input<'_>], output: &Output<'_>) -> Outcome
where
    F: Fn(&[Input<'_>], &Output<'_>) -> Outcome,
{
    // SAFETY: the caller's promise.
    let body = unsafe { room::get::<F>(room) };
    body(inputs, output)
}

impl Drop for Body {
    fn drop(&mut self) {
        if let Some(drop) = self.vtable.drop {
            // SAFETY: the room holds the `F` that `drop` was made for (`new`), dropped once, here.
            unsafe { drop(&mut self.room) };
        }
    }
}
