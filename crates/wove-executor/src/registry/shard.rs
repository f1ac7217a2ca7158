//! One shard of the registry: an array of slots, each the address of a live task's header or null, grown by
//! segments that never move (segment `k` holds `FIRST << k` slots), so a slot's address is stable and a task's
//! header keeps its key; and the allocator its owner hands slots out with.
//!
//! # Protocol: leaving a slot, against readers
//!
//! 1. A reader (a listing, `shutdown_now`) announces itself with a read-modify-write of the shard's `readers`
//!    count, then loads the slots; for each task it finds it reads the header or takes a count of the task's
//!    cell; then it withdraws with a release decrement.
//! 2. A task leaves its slot with a store of null, then reads `readers` with a read-modify-write (adding 0).
//!    Seeing none, every reader that announces itself later reads from that read-modify-write, so the null
//!    store happens before that reader's loads: it cannot find the task. Seeing one, it waits until no reader
//!    is left (readers only copy, so that is short), and each withdrawal happens before its return. Either
//!    way, once it returns no reader is still about to touch the task, which may then be freed.
//! 3. Only the owner writes an address into a slot, and only into a null one; a task's leaving writes null
//!    into its own slot once. So a slot's values alternate between null and a live task.

use std::ptr;

use crate::sync::Ordering;
use crate::sync::model::{AtomicPtr, AtomicUsize, yield_now};

/// Slots in a shard's first segment; segment `k` holds `FIRST << k`.
const FIRST: usize = if cfg!(loom) { 2 } else { 64 };
/// Segments per shard: room for `FIRST << SEGMENTS` live tasks in one shard.
const SEGMENTS: usize = if cfg!(loom) { 4 } else { 32 };

/// The segment and the offset in it of slot `index`.
fn locate(index: usize) -> (usize, usize) {
    // Segment `k` holds the indices from `FIRST * (2^k - 1)` on.
    let segment = (usize::BITS - 1 - (index / FIRST + 1).leading_zeros()) as usize;
    (segment, index - FIRST * ((1 << segment) - 1))
}

/// One shard: its slots (of `T`: task headers, or the loom models' stand-ins).
pub(crate) struct Shard<T> {
    /// Readers announced (protocol step 1).
    readers: AtomicUsize,
    /// The first slot of each segment allocated so far; null beyond.
    segments: [AtomicPtr<AtomicPtr<T>>; SEGMENTS],
    /// Slots handed out so far: readers look at these.
    len: AtomicUsize,
}

impl<T> Shard<T> {
    pub(crate) fn new() -> Self {
        Self {
            readers: AtomicUsize::new(0),
            segments: std::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
            len: AtomicUsize::new(0),
        }
    }

    /// Slot `index`, which its owner has handed out (so its segment exists).
    fn slot(&self, index: usize) -> &AtomicPtr<T> {
        let (segment, offset) = locate(index);
        let first = self.segments[segment].load(Ordering::Acquire);
        assert!(!first.is_null(), "registry slot {index} was never handed out");
        // SAFETY: segment `segment` holds `FIRST << segment` slots (`grow`), `offset` is below that (`locate`),
        // and segments are freed only with the shard (`Drop`).
        unsafe { &*first.add(offset) }
    }

    /// Owner: adds the next segment; returns how many slots it holds.
    fn grow(&self, segment: usize) -> usize {
        assert!(segment < SEGMENTS, "more than {} live tasks in one registry shard", FIRST << SEGMENTS);
        let size = FIRST << segment;
        let slots: Box<[AtomicPtr<T>]> = (0..size).map(|_| AtomicPtr::new(ptr::null_mut())).collect();
        let first = Box::into_raw(slots).cast::<AtomicPtr<T>>();
        self.segments[segment].store(first, Ordering::Release);
        size
    }

    /// Owner: puts `item` in the null slot `index`.
    pub(crate) fn publish(&self, index: usize, item: &T) {
        self.slot(index).store(ptr::from_ref(item).cast_mut(), Ordering::Release);
    }

    /// Empties the slots `indices` (of live items), then waits for readers that may have seen them (step 2).
    pub(crate) fn leave(&self, indices: impl IntoIterator<Item = usize>) {
        for index in indices {
            self.slot(index).store(ptr::null_mut(), Ordering::Release);
        }
        while self.readers.fetch_add(0, Ordering::AcqRel) != 0 {
            yield_now();
        }
    }

    /// Calls `each` with every item in a slot, as a reader (step 1).
    pub(crate) fn read(&self, mut each: impl FnMut(&T)) {
        self.readers.fetch_add(1, Ordering::AcqRel);
        // Withdraws even if `each` unwinds: a reader left announced would stall every task leaving the shard.
        let _withdraw = Withdraw(&self.readers);
        for index in 0..self.len.load(Ordering::Acquire) {
            let item = self.slot(index).load(Ordering::Acquire);
            // SAFETY: an item stays alive while it is in its slot and a reader that may have seen it is announced
            // (protocol step 2).
            if let Some(item) = unsafe { item.as_ref() } {
                each(item);
            }
        }
    }
}

/// A reader's withdrawal (protocol step 1), when it is dropped.
struct Withdraw<'a>(&'a AtomicUsize);

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Release);
    }
}

impl<T> Drop for Shard<T> {
    fn drop(&mut self) {
        for (segment, first) in self.segments.iter().enumerate() {
            // Nobody else can reach the shard any more (`&mut self`).
            let first = first.load(Ordering::Relaxed);
            if !first.is_null() {
                // SAFETY: made by `grow` from a boxed slice of exactly this length, and freed only here.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(first, FIRST << segment)) });
            }
        }
    }
}

/// Hands out one shard's slots: the free slots its owner knows of, and how far it has handed slots out.
#[derive(Default)]
pub(crate) struct SlotAllocator {
    free: Vec<usize>,
    handed: usize,
    capacity: usize,
    segments: usize,
}

impl SlotAllocator {
    /// Slot `index`, emptied by its owner, goes back on the free list.
    pub(crate) fn give_back(&mut self, index: usize) {
        self.free.push(index);
    }

    /// A null slot of `shard` for a new item.
    pub(crate) fn take<T>(&mut self, shard: &Shard<T>) -> usize {
        if let Some(index) = self.free.pop() {
            return index;
        }
        if self.handed == self.capacity {
            // Out of slots: sweep for those that other threads freed; grow unless a quarter or more were.
            self.free
                .extend((0..self.handed).rev().filter(|&index| shard.slot(index).load(Ordering::Relaxed).is_null()));
            if self.free.len() * 4 < self.handed.max(1) {
                self.capacity += shard.grow(self.segments);
                self.segments += 1;
            }
            if let Some(index) = self.free.pop() {
                return index;
            }
        }
        self.handed += 1;
        shard.len.store(self.handed, Ordering::Release);
        self.handed - 1
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! The leaving protocol: a reader never touches a task after it was freed.

    use loom::cell::UnsafeCell;
    use loom::sync::Arc;
    use loom::thread;

    use super::{Shard, SlotAllocator};

    /// Stands in for a task: the reader reads it, the leaver frees it (a write, so loom checks that the read
    /// happens before it).
    struct Probe(UnsafeCell<u32>);

    fn probe(shard: &Shard<Probe>, allocator: &mut SlotAllocator) -> (usize, *mut Probe) {
        let probe = Box::into_raw(Box::new(Probe(UnsafeCell::new(7))));
        let index = allocator.take(shard);
        // SAFETY: just allocated, freed only by `free`.
        shard.publish(index, unsafe { &*probe });
        (index, probe)
    }

    fn free(probe: *mut Probe) {
        // SAFETY: allocated by `probe`, freed once, here.
        let probe = unsafe { Box::from_raw(probe) };
        // SAFETY: loom checks that no read of the reader is concurrent with this write.
        probe.0.with_mut(|value| unsafe { *value = 0 });
    }

    /// A task leaves its slot and is freed while a reader scans the shard: the reader either does not find
    /// it or reads it before the free; a task registered meanwhile in the freed slot is found alive or not at all.
    #[test]
    fn leave_vs_read() {
        loom::model(|| {
            let shard = Arc::new(Shard::<Probe>::new());
            let mut allocator = SlotAllocator::default();
            let (first, first_probe) = probe(&shard, &mut allocator);
            let (_, kept) = probe(&shard, &mut allocator);
            let reader = {
                let shard = shard.clone();
                thread::spawn(move || {
                    let mut found = 0;
                    // SAFETY: loom checks the read against the free.
                    shard.read(|probe| found += probe.0.with(|value| unsafe { *value }));
                    found
                })
            };
            shard.leave([first]);
            allocator.free.push(first);
            free(first_probe);
            let (_, reused) = probe(&shard, &mut allocator);
            let found = reader.join().unwrap();
            assert!([7, 14].contains(&found), "the reader found {found}");
            shard.leave((0..2).collect::<Vec<_>>());
            free(kept);
            free(reused);
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{FIRST, Shard, SlotAllocator, locate};

    fn found(shard: &Shard<usize>) -> Vec<usize> {
        let mut found = Vec::new();
        shard.read(|&item| found.push(item));
        found.sort_unstable();
        found
    }

    #[test]
    fn slots_map_onto_growing_segments() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(FIRST - 1), (0, FIRST - 1));
        assert_eq!(locate(FIRST), (1, 0));
        assert_eq!(locate(3 * FIRST - 1), (1, 2 * FIRST - 1));
        assert_eq!(locate(3 * FIRST), (2, 0));
    }

    /// Slots freed by other threads (only nulled) are found by the owner's sweep and reused; it grows only when
    /// fewer than a quarter of its slots are free. A reader finds exactly the items in slots.
    #[test]
    fn remote_frees_are_swept_up_and_reused() {
        let items: Vec<usize> = (0..4 * FIRST).collect();
        let shard = Shard::new();
        let mut allocator = SlotAllocator::default();
        let slots: Vec<usize> = items[..FIRST].iter().map(|item| publish(&shard, &mut allocator, item)).collect();
        assert_eq!(slots, (0..FIRST).collect::<Vec<_>>(), "fresh slots are handed out in order");
        shard.leave(slots[..FIRST / 2].iter().copied());
        assert_eq!(found(&shard), items[FIRST / 2..FIRST]);
        // Half of the slots are free: the sweep reuses them without growing.
        let reused = publish(&shard, &mut allocator, &items[FIRST]);
        assert_eq!((reused, allocator.capacity), (0, FIRST));
        for item in &items[FIRST + 1..FIRST + FIRST / 2] {
            assert!(publish(&shard, &mut allocator, item) < FIRST / 2);
        }
        // Full, nothing freed: it grows.
        assert_eq!(publish(&shard, &mut allocator, &items[2 * FIRST]), FIRST);
        assert_eq!(allocator.capacity, 3 * FIRST);
        assert_eq!(found(&shard).len(), FIRST + 1);
    }

    fn publish(shard: &Shard<usize>, allocator: &mut SlotAllocator, item: &usize) -> usize {
        let index = allocator.take(shard);
        shard.publish(index, item);
        index
    }
}
