//! Room for a value in place: three words hold a value of any type that fits them (size and alignment), and
//! a box of one that does not. What a node's body (`spec.rs`) and a run's outputs (`slots.rs`) are kept in, so
//! that a small closure or value costs no allocation.

#![allow(unsafe_code)]

use std::mem::{MaybeUninit, align_of, size_of};

/// Three words, uninitialized until a value is written.
pub(crate) type Room = [MaybeUninit<usize>; 3];

/// An empty room.
pub(crate) const fn empty() -> Room {
    [MaybeUninit::uninit(); 3]
}

/// Whether values of type `T` are kept in place (else boxed).
const fn in_place<T>() -> bool {
    size_of::<T>() <= size_of::<Room>() && align_of::<T>() <= align_of::<Room>()
}

/// Writes `value` into `room`.
///
/// # Safety
///
/// `room` is valid for writes and holds no value (whatever it held was read out or dropped).
pub(crate) unsafe fn write<T>(room: *mut Room, value: T) {
    if in_place::<T>() {
        // SAFETY: `T` fits the room, size and alignment; the caller's promise: nothing to overwrite.
        unsafe { room.cast::<T>().write(value) };
    } else {
        // SAFETY: a box is one word, which fits; as above.
        unsafe { room.cast::<Box<T>>().write(Box::new(value)) };
    }
}

/// The `T` in `room`.
///
/// # Safety
///
/// `room` holds a `T` written by [`write`], which stays there, unchanged, for `'a`.
pub(crate) unsafe fn get<'a, T>(room: *const Room) -> &'a T {
    // SAFETY: the caller's promise; `write` stored it in place or boxed, as `in_place` tells.
    unsafe { if in_place::<T>() { &*room.cast::<T>() } else { &*room.cast::<Box<T>>() } }
}

/// Reads the `T` out of `room`, which then holds nothing.
///
/// # Safety
///
/// `room` holds a `T` written by [`write`], read out once.
pub(crate) unsafe fn read<T>(room: *mut Room) -> T {
    // SAFETY: the caller's promise, as in `get`.
    unsafe { if in_place::<T>() { room.cast::<T>().read() } else { *room.cast::<Box<T>>().read() } }
}

/// Drops the `T` in `room`, which then holds nothing.
///
/// # Safety
///
/// As for [`read`].
pub(crate) unsafe fn drop_in<T>(room: *mut Room) {
    // SAFETY: the caller's promise.
    drop(unsafe { read::<T>(room) });
}

/// What drops a `T` in a room: `None` if dropping one does nothing (no call is needed).
pub(crate) const fn dropper<T>() -> Option<unsafe fn(*mut Room)> {
    if std::mem::needs_drop::<T>() || !in_place::<T>() { Some(drop_in::<T>) } else { None }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{Room, drop_in, empty, get, read, write};

    struct Probe<const N: usize>(Arc<AtomicUsize>, [u8; N]);

    impl<const N: usize> Drop for Probe<N> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A value that fits, and one that is boxed: written, read by reference, read out, dropped — once each.
    #[test]
    fn in_place_and_boxed_values_round_trip_and_drop_once() {
        fn round_trip<const N: usize>() {
            let drops = Arc::new(AtomicUsize::new(0));
            let mut room: Room = empty();
            // SAFETY: an empty room, then the value written just before, read out once, then dropped once.
            unsafe {
                write(&mut room, Probe::<N>(drops.clone(), [7; N]));
                assert_eq!(get::<Probe<N>>(&room).1, [7; N]);
                let value = read::<Probe<N>>(&mut room);
                assert_eq!(drops.load(Ordering::SeqCst), 0);
                write(&mut room, value);
                drop_in::<Probe<N>>(&mut room);
            }
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        }
        round_trip::<8>(); // in place: an Arc and 8 bytes
        round_trip::<64>(); // boxed
    }
}
