//! How the engine's registry keeps a task: written once by the registering thread, read by the registry when
//! the task leaves it and by readers that take a count of the task (`registry/mod.rs`, protocol).

use std::cell::UnsafeCell;
use std::ptr::NonNull;

use crate::sync::Arc;
use crate::task::header::TaskControl;

/// How a task is registered: its cell (for readers) and its key (for its leaving). Written once, when the task
/// registers and before it is in its slot — so before anyone but the registering thread can reach it.
pub(crate) struct Registration(UnsafeCell<Option<(NonNull<dyn TaskControl>, u64)>>);

// SAFETY: written once, by the thread that registers the task, before the header is published (a release store
// into its slot, or the hand-off of a job); only read after that. The pointer is to the cell that holds the
// header, whose `TaskControl` is `Send + Sync`.
unsafe impl Send for Registration {}
// SAFETY: as for `Send`.
unsafe impl Sync for Registration {}

impl Registration {
    /// Not registered (yet, or ever: a light job unit is not).
    pub(crate) fn new() -> Self {
        Self(UnsafeCell::new(None))
    }

    /// Records how the registry keeps the task.
    ///
    /// # Safety
    ///
    /// Called once, by the registering thread, before anyone else can reach the header.
    pub(crate) unsafe fn set(&self, control: *const dyn TaskControl, key: u64) {
        // SAFETY: nobody else can reach the header yet (the caller's promise).
        unsafe { *self.0.get() = NonNull::new(control.cast_mut()).map(|control| (control, key)) };
    }

    /// The key under which the task is registered, if it is.
    pub(crate) fn key(&self) -> Option<u64> {
        // SAFETY: written before the header could reach the caller (see the `Send` impl).
        unsafe { *self.0.get() }.map(|(_, key)| key)
    }

    fn get(&self) -> (NonNull<dyn TaskControl>, u64) {
        // SAFETY: written before the header could reach the caller (see the `Send` impl).
        unsafe { *self.0.get() }.expect("the task is registered")
    }

    /// A count of the task's cell.
    ///
    /// # Safety
    ///
    /// The task must be alive: in its slot while a reader is announced, or held by the caller.
    pub(crate) unsafe fn counted(&self) -> Arc<dyn TaskControl> {
        let cell = self.get().0.as_ptr().cast_const();
        // SAFETY: `cell` comes from `Arc::as_ptr` of the task's cell, which the caller knows is alive: one more
        // count, and an `Arc` that owns it.
        unsafe {
            Arc::increment_strong_count(cell);
            Arc::from_raw(cell)
        }
    }
}
