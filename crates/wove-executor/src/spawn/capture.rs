//! Captures: the tasks spawned with ambient tracking while a closure runs join a group made at the first such
//! spawn (`Group::capture`), so whoever ran the closure can wait for everything it started, and a closure that
//! spawns nothing costs no group.
//!
//! A capture lives on the stack of the call that installed it (`task/current.rs` keeps a pointer to it while
//! it is in force) and belongs to the task that was current there (its header, or none on a plain thread): a
//! spawn applies it only while that same task is current, so the other tasks a waiting worker runs meanwhile
//! keep their own tracking. A light job installs no capture for the duration of its run (`task/light.rs`), so a
//! capture does not reach into the other jobs of its unit either.

use std::cell::RefCell;
use std::ptr::NonNull;

use crate::membership::group_core::GroupCore;
use crate::scheduler::shared::Shared;
use crate::sync::Arc;
use crate::task::current::{self, CaptureGuard, TaskContext};
use crate::task::header::Header;

/// A capture in force: the task it belongs to and, after the first captured spawn, its group and engine.
pub(crate) struct Capture {
    owner: Option<NonNull<Header>>,
    group: RefCell<Option<(Arc<GroupCore>, Arc<Shared>)>>,
}

impl Capture {
    /// A capture for the task current on this thread (none on a plain thread).
    pub(crate) fn new() -> Self {
        let owner = current::with_current(|task| task.map(NonNull::from));
        Self { owner, group: RefCell::new(None) }
    }

    /// Puts this capture in force until the guard is dropped.
    pub(crate) fn enter(&self) -> CaptureGuard {
        current::enter_capture(std::ptr::from_ref(self).cast())
    }

    /// The group the captured spawns joined, with the engine of the first, if anything was spawned.
    pub(crate) fn into_group(self) -> Option<(Arc<GroupCore>, Arc<Shared>)> {
        self.group.into_inner()
    }
}

/// The group that a spawn with ambient tracking by `spawner` (the current task) on `engine` joins under the
/// capture in force in `cx`, if one is and it belongs to `spawner`.
#[inline]
pub(crate) fn captured_group(
    cx: &TaskContext,
    spawner: Option<&Header>,
    engine: &Arc<Shared>,
) -> Option<Arc<GroupCore>> {
    let capture = cx.capture();
    if capture.is_null() {
        return None;
    }
    // SAFETY: a capture is in force only while the call that installed it runs (`CaptureGuard`), on this
    // thread, and `Capture::enter` stores a pointer to a `Capture`.
    let capture = unsafe { &*capture.cast::<Capture>() };
    if capture.owner != spawner.map(NonNull::from) {
        return None;
    }
    let mut group = capture.group.borrow_mut();
    let (core, _) = group.get_or_insert_with(|| (GroupCore::new(), engine.clone()));
    Some(core.clone())
}
