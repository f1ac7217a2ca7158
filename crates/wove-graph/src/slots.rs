//! Where a run keeps its nodes' outputs: one [`Slot`] per node, which holds a value of any type in place — up
//! to three words inline, a larger one boxed — so a node's output costs no allocation and no lock.
//!
//! # Protocol
//!
//! A slot is not synchronized; the run's protocol (`state.rs`) orders its accesses:
//!
//! 1. Only the node's own visit writes its slot, and a node that no condition node can reach runs at most once
//!    per iteration, so while it writes nobody reads.
//! 2. Its readers — its successors, and their bodies' references — run only after it has finished: each
//!    successor is readied by the decrement (`AcqRel`) that follows the write.
//! 3. The next iteration, which may write it again, starts only once nothing of this one runs (`in_flight` at
//!    zero), and the run's [`Outputs`](crate::Outputs) take the slots over only then.
//!
//! A node that a condition node can reach may run again while a reader of its last output still runs (a loop
//! back to it beside its reader), so its outputs are shared values (`Arc`) under a lock instead, and each
//! reader holds its own count of the one it read.

#![allow(unsafe_code)]

use std::any::{Any, TypeId};
use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

use parking_lot::Mutex;

use crate::room::{self, Room};

/// A node's output in one run, shared (a node that a condition node can reach), type-erased.
pub(crate) type Value = Arc<dyn Any + Send + Sync>;

/// How to tell and drop what a slot holds.
struct ValueVTable {
    type_id: fn() -> TypeId,
    /// Drops the value in the room (`None`: nothing to do).
    drop: Option<unsafe fn(*mut Room)>,
}

/// The vtable of values of type `T`, as a constant (so that a reference to it is `'static`).
struct VTableOf<T>(std::marker::PhantomData<T>);

impl<T: Send + Sync + 'static> VTableOf<T> {
    const VTABLE: ValueVTable = ValueVTable { type_id: TypeId::of::<T>, drop: room::dropper::<T>() };
}

fn vtable<T: Send + Sync + 'static>() -> &'static ValueVTable {
    &VTableOf::<T>::VTABLE
}

/// One node's output in one run.
pub(crate) struct Slot {
    room: UnsafeCell<Room>,
    /// `None`: empty.
    held: UnsafeCell<Option<&'static ValueVTable>>,
}

// SAFETY: a slot only holds `Send + Sync` values (`put`'s bounds), and its accesses are ordered by the run's
// protocol (module docs) or by `&mut`.
unsafe impl Send for Slot {}
// SAFETY: as for `Send`.
unsafe impl Sync for Slot {}

impl Slot {
    pub(crate) fn new() -> Self {
        Self { room: UnsafeCell::new(room::empty()), held: UnsafeCell::new(None) }
    }

    /// Stores `value`, dropping what was there.
    ///
    /// # Safety
    ///
    /// Nobody else reads or writes this slot meanwhile (protocol, step 1).
    pub(crate) unsafe fn put<T: Send + Sync + 'static>(&self, value: T) {
        // SAFETY: the caller's promise: this is the only access.
        unsafe { self.clear() };
        // SAFETY: the only access, and the room is empty (just cleared).
        unsafe { room::write(self.room.get(), value) };
        // SAFETY: the only access, as above.
        unsafe { *self.held.get() = Some(vtable::<T>()) };
    }

    /// The value, if it is a `T`.
    ///
    /// # Safety
    ///
    /// Nobody writes this slot while the returned reference lives (protocol, steps 2 and 3).
    pub(crate) unsafe fn get<T: 'static>(&self) -> Option<&T> {
        // SAFETY: the caller's promise: no writer.
        let held = unsafe { *self.held.get() }?;
        if (held.type_id)() != TypeId::of::<T>() {
            return None;
        }
        // SAFETY: the slot holds a `T` (its type id says so), written by `put`, and nobody writes it while the
        // reference lives (the caller's promise).
        Some(unsafe { room::get::<T>(self.room.get()) })
    }

    /// Moves the value out, if it is a `T`; else leaves it.
    ///
    /// # Safety
    ///
    /// As for [`put`](Self::put).
    pub(crate) unsafe fn take<T: 'static>(&self) -> Option<T> {
        // SAFETY: the caller's promise: the only access.
        let held = unsafe { &mut *self.held.get() };
        if ((*held)?.type_id)() != TypeId::of::<T>() {
            return None;
        }
        *held = None;
        // SAFETY: the slot held a `T`, written by `put`, now marked empty: it is read out once.
        Some(unsafe { room::read::<T>(self.room.get()) })
    }

    /// Drops the value, if any.
    ///
    /// # Safety
    ///
    /// As for [`put`](Self::put).
    unsafe fn clear(&self) {
        // SAFETY: the caller's promise: the only access.
        if let Some(held) = unsafe { (*self.held.get()).take() } {
            if let Some(drop) = held.drop {
                // SAFETY: the room held the value that `held` describes, now marked empty: dropped once.
                unsafe { drop(self.room.get()) };
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // SAFETY: `&mut`: the only access.
        unsafe { self.clear() };
    }
}

/// What a node's body reads of one input: a `()` output (not stored), a value in the producer's slot, or a
/// count of a shared value (a producer that a condition node can reach). Public only as the argument of the
/// sealed [`Inputs`](crate::Inputs)' hidden method; nobody outside can name or make one.
pub struct Input<'a>(Read<'a>);

enum Read<'a> {
    Unit,
    InPlace(&'a Slot),
    Shared(Value),
}

impl<'a> Input<'a> {
    /// A `()` input, or one with no value.
    pub(crate) fn unit() -> Self {
        Input(Read::Unit)
    }

    /// A shared input.
    pub(crate) fn shared(value: Value) -> Self {
        Input(Read::Shared(value))
    }

    /// An input read in place from `slot`.
    ///
    /// # Safety
    ///
    /// Nobody writes `slot` during `'a` (protocol, steps 2 and 3).
    pub(crate) unsafe fn in_place(slot: &'a Slot) -> Self {
        Input(Read::InPlace(slot))
    }

    /// The input's value, if it is a `T`.
    pub(crate) fn get<T: 'static>(&self) -> Option<&T> {
        match &self.0 {
            Read::Unit => (&() as &'static dyn Any).downcast_ref::<T>(),
            // SAFETY: made by `in_place`, whose caller promised no writer during `'a`, which `&self` is within.
            Read::InPlace(slot) => unsafe { slot.get::<T>() },
            Read::Shared(value) => value.downcast_ref::<T>(),
        }
    }
}

impl std::fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input").finish_non_exhaustive()
    }
}

/// Where a node's body puts its output: its slot, or, for a node that a condition node can reach, its shared
/// value.
pub(crate) enum Output<'a> {
    /// A node whose output is `()`: nothing is stored.
    Unit,
    InPlace(&'a Slot),
    Shared(&'a Mutex<Option<Value>>),
}

impl<'a> Output<'a> {
    /// An output put in place in `slot`.
    ///
    /// # Safety
    ///
    /// Nobody else reads or writes `slot` during `'a` (protocol, step 1).
    pub(crate) unsafe fn in_place(slot: &'a Slot) -> Self {
        Output::InPlace(slot)
    }

    /// Stores the node's output.
    pub(crate) fn put<T: Send + Sync + 'static>(&self, value: T) {
        match self {
            Output::Unit => drop(value),
            // SAFETY: made by `in_place`, whose caller promised the only access during `'a`.
            Output::InPlace(slot) => unsafe { slot.put(value) },
            Output::Shared(shared) => *shared.lock() = Some(std::sync::Arc::new(value)),
        }
    }
}

/// A run's per-node pending counts and visits.
pub(crate) type Counts = (Box<[AtomicU32]>, Box<[AtomicU32]>);

/// The memory of a graph's last run, kept for its next: a rerun allocates nothing per node. Its slots come back
/// empty, from whoever lets go of them last (the run's state, or its outputs).
#[derive(Default)]
pub(crate) struct Spare {
    /// Pending counts and visits.
    counts: Mutex<Option<Counts>>,
    slots: Mutex<Option<Arc<[Slot]>>>,
}

impl Spare {
    /// Counts for `nodes` nodes: the spare ones, or new.
    pub(crate) fn counts(&self, nodes: usize) -> Counts {
        self.counts.lock().take().unwrap_or_else(|| {
            ((0..nodes).map(|_| AtomicU32::new(0)).collect(), (0..nodes).map(|_| AtomicU32::new(0)).collect())
        })
    }

    /// `len` empty slots: the spare ones, or new.
    pub(crate) fn slots(&self, len: usize) -> Arc<[Slot]> {
        self.slots.lock().take().unwrap_or_else(|| (0..len).map(|_| Slot::new()).collect())
    }

    /// Keeps a run's counts for the next.
    pub(crate) fn keep_counts(&self, counts: Counts) {
        *self.counts.lock() = Some(counts);
    }

    /// Keeps a run's slots for the next, if nobody else holds them; they must be empty.
    pub(crate) fn keep_slots(&self, mut slots: Arc<[Slot]>) {
        if Arc::get_mut(&mut slots).is_some() {
            *self.slots.lock() = Some(slots);
        }
    }
}

/// A finished run's slots, which no run writes any more: what its [`Outputs`](crate::Outputs) hold (the run's
/// own slots, not a copy). Dropped, it empties them and gives them to its graph's [`Spare`].
pub(crate) struct Finished(Option<Arc<[Slot]>>, Arc<Spare>);

impl Finished {
    /// The slots of a run that is over.
    ///
    /// # Safety
    ///
    /// Nothing of the run reads or writes `slots` any more (protocol, step 3), nor does anyone else but through
    /// the returned value.
    pub(crate) unsafe fn new(slots: Arc<[Slot]>, spare: Arc<Spare>) -> Self {
        Self(Some(slots), spare)
    }

    fn slots(&self) -> &[Slot] {
        self.0.as_deref().expect("taken only by the drop")
    }

    /// Node `index`'s value, if it is a `T`.
    pub(crate) fn get<T: 'static>(&self, index: usize) -> Option<&T> {
        // SAFETY: nothing writes the slots but `take`, which needs `&mut self` (`new`'s promise).
        unsafe { self.slots().get(index)?.get::<T>() }
    }

    /// Moves node `index`'s value out, if it is a `T`.
    pub(crate) fn take<T: 'static>(&mut self, index: usize) -> Option<T> {
        // SAFETY: `&mut self`, and nobody else touches the slots (`new`'s promise).
        unsafe { self.slots().get(index)?.take::<T>() }
    }
}

impl Drop for Finished {
    /// The values go with the outputs, even if the run's state lets go of its slots a moment later.
    fn drop(&mut self) {
        let slots = self.0.take().expect("dropped once");
        for slot in slots.iter() {
            // SAFETY: nobody else touches the slots (`new`'s promise).
            unsafe { slot.clear() };
        }
        self.1.keep_slots(slots);
    }
}
