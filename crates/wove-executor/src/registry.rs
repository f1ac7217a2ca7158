//! The live tasks of an engine, for `engine.tasks()` (the `asyncio.all_tasks()` analogue), group listings and
//! `shutdown_now`, which cancels them all.
//!
//! One shard per worker plus one for spawns from outside; a spawn registers its task in its own thread's shard.
//! A shard is an array of slots, each the address of a live task's header or null. It grows by segments that
//! never move (segment `k` holds `FIRST << k` slots), so a slot's address is stable and a task's header keeps
//! its key. The registry holds no reference count of the tasks: a task leaves its slot before it can be freed
//! (protocol below), and a reader takes a count of each task it finds. So registering and forgetting a task on
//! its own worker costs one store each and one read-modify-write of a line that worker owns — where a locked
//! slab of counted entries cost six read-modify-writes, a quarter of a chain link's time.
//!
//! A shard's slots are handed out by its owner ([`SlotAllocator`]): a worker's own allocator lives in its
//! thread-local state, the outside shard's behind a lock. A slot freed by its owner goes back on the owner's
//! free list at once. One freed by another thread (a stolen task, a task spawned from outside) is only nulled;
//! its owner finds it when it next runs out of free slots and sweeps (or grows, if fewer than a quarter of its
//! slots are free: sweeping costs at most four loads per slot handed out). A worker that finishes another
//! shard's task leaves it in a batch (`WorkerContext::defer_release`), keeping a count of the task until then,
//! so that it reads the other shard's reader count once per batch, not once per task. A finished task waiting
//! in a batch is marked [`RELEASED`] and left out of every listing.
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

mod inbox;

use std::cell::{RefCell, UnsafeCell};
use std::ptr::{self, NonNull};

use crossbeam_utils::CachePadded;

use crate::TaskInfo;
use crate::sync::model::{AtomicPtr, AtomicUsize, yield_now};
use crate::sync::{Arc, Mutex, Ordering};
use crate::task::core::{Header, TaskControl};
use crate::task::state::RELEASED;
use inbox::Inbox;

/// Slots in a shard's first segment; segment `k` holds `FIRST << k`.
const FIRST: usize = if cfg!(loom) { 2 } else { 64 };
/// Segments per shard: room for `FIRST << SEGMENTS` live tasks in one shard.
const SEGMENTS: usize = if cfg!(loom) { 4 } else { 32 };
/// The bits of a key that hold the slot's index; the shard is above them.
const INDEX_BITS: u32 = 40;

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
    fn new() -> Self {
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
    fn publish(&self, index: usize, item: &T) {
        self.slot(index).store(ptr::from_ref(item).cast_mut(), Ordering::Release);
    }

    /// Empties the slots `indices` (of live items), then waits for readers that may have seen them (step 2).
    fn leave(&self, indices: impl IntoIterator<Item = usize>) {
        for index in indices {
            self.slot(index).store(ptr::null_mut(), Ordering::Release);
        }
        while self.readers.fetch_add(0, Ordering::AcqRel) != 0 {
            yield_now();
        }
    }

    /// Calls `each` with every item in a slot, as a reader (step 1).
    fn read(&self, mut each: impl FnMut(&T)) {
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
    /// A null slot of `shard` for a new item.
    fn take<T>(&mut self, shard: &Shard<T>) -> usize {
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
    pub(crate) fn new() -> Self {
        Self(UnsafeCell::new(None))
    }

    fn get(&self) -> (NonNull<dyn TaskControl>, u64) {
        // SAFETY: written before the header could reach the caller (see the `Send` impl).
        unsafe { *self.0.get() }.expect("the task is registered")
    }

    /// The key under which the task is registered.
    pub(crate) fn key(&self) -> u64 {
        self.get().1
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

/// The registry: every shard's slots, the outside shard's allocator (the workers own theirs), and each worker's
/// inbox of finished tasks sent home to be freed (`inbox.rs`).
pub(crate) struct Registry {
    /// Padded: each shard's reader count is written by its own worker.
    shards: Box<[CachePadded<Shard<Header>>]>,
    outside: CachePadded<Mutex<OutsideShard>>,
    inboxes: Box<[CachePadded<Inbox>]>,
}

/// What spawns from outside the engine share, under one lock: the outside shard's allocator, and the counts
/// sent home to the outside shard (`inbox.rs`), taken out of its inbox a batch at a time and handed out one per
/// spawn.
#[derive(Default)]
struct OutsideShard {
    slots: SlotAllocator,
    sent_home: Vec<Arc<dyn TaskControl>>,
}

impl Registry {
    /// A registry for `workers` workers (and the outside shard).
    pub(crate) fn new(workers: usize) -> Self {
        let shards = (0..=workers).map(|_| CachePadded::new(Shard::new())).collect();
        let inboxes = (0..=workers).map(|_| CachePadded::new(Inbox::new())).collect();
        Self { shards, outside: CachePadded::new(Mutex::new(OutsideShard::default())), inboxes }
    }

    /// Records the live task `cell` in the shard of worker `owner`, with that worker's allocator (`None`: from
    /// outside the engine). The cell must not be reachable by any other thread yet.
    ///
    /// From outside, it also returns one count sent home to the outside shard, if any, for the caller to drop:
    /// each spawn from outside frees one finished cell, which its thread's allocator hands out again to the
    /// next spawn (`inbox.rs`).
    pub(crate) fn insert<C: TaskControl + 'static>(
        &self,
        owner: Option<(usize, &RefCell<SlotAllocator>)>,
        cell: &Arc<C>,
    ) -> Option<Arc<dyn TaskControl>> {
        let (shard, index, sent_home) = match owner {
            Some((worker, allocator)) => (worker, allocator.borrow_mut().take(&self.shards[worker]), None),
            None => {
                let shard = self.shards.len() - 1;
                let mut outside = self.outside.lock();
                let index = outside.slots.take(&self.shards[shard]);
                if outside.sent_home.is_empty() && self.inboxes[shard].any() {
                    self.inboxes[shard].collect(&mut outside.sent_home);
                }
                (shard, index, outside.sent_home.pop())
            }
        };
        let header = cell.header();
        let control: *const dyn TaskControl = Arc::<C>::as_ptr(cell);
        let key = ((shard as u64) << INDEX_BITS) | index as u64;
        // SAFETY: nobody else can reach the header yet (see `Registration`).
        unsafe { *header.registration.0.get() = NonNull::new(control.cast_mut()).map(|control| (control, key)) };
        self.shards[shard].publish(index, header);
        sent_home
    }

    /// Forgets the finished task whose key is `key`, at once. `own`: the allocator of the shard's owner, when
    /// the caller is that worker (the slot goes back on its free list).
    pub(crate) fn remove(&self, key: u64, own: Option<&RefCell<SlotAllocator>>) {
        let (shard, index) = Self::split(key);
        self.shards[shard].leave([index]);
        if let Some(allocator) = own {
            allocator.borrow_mut().free.push(index);
        }
    }

    /// Forgets the finished tasks of `batch` (keys, and counts that kept the tasks alive meanwhile), draining it:
    /// one wait for readers per run of one shard's keys. The counts of tasks spawned on a worker are sent home
    /// to it (`inbox.rs`) while there is room; the others go to `counts`, for the caller to drop afterwards
    /// (dropping a task's cell may run user code that spawns).
    pub(crate) fn remove_all(
        &self,
        batch: &mut Vec<(u64, Arc<dyn TaskControl>)>,
        counts: &mut Vec<Arc<dyn TaskControl>>,
    ) {
        let mut batch = batch.drain(..).peekable();
        while let Some(&(first, _)) = batch.peek() {
            let shard = Self::split(first).0;
            let start = counts.len();
            let run = std::iter::from_fn(|| batch.next_if(|(key, _)| Self::split(*key).0 == shard));
            self.shards[shard].leave(run.map(|(key, count)| {
                counts.push(count);
                Self::split(key).1
            }));
            self.inboxes[shard].send(counts, start);
        }
    }

    /// Whether counts were sent home to worker `worker` since it last collected them (a hint: it may be late).
    #[inline]
    pub(crate) fn any_sent_home(&self, worker: usize) -> bool {
        self.inboxes[worker].any()
    }

    /// Worker `worker`: swaps the counts sent home to it, if any, into `into` (empty), for it to drop.
    pub(crate) fn collect_sent_home(&self, worker: usize, into: &mut Vec<Arc<dyn TaskControl>>) {
        self.inboxes[worker].collect(into);
    }

    /// Whether finished cells wait for spawns from outside (in the outside shard's inbox or stash).
    pub(crate) fn holds_outside_sent_home(&self) -> bool {
        self.inboxes[self.shards.len() - 1].any() || !self.outside.lock().sent_home.is_empty()
    }

    /// A worker that slept a while with nothing to do: moves every count sent home to the outside shard into
    /// `into` (empty), for it to drop — so an idle engine keeps no finished cells for spawns from outside that
    /// may never come.
    pub(crate) fn collect_outside_sent_home(&self, into: &mut Vec<Arc<dyn TaskControl>>) {
        let outside = self.shards.len() - 1;
        if self.inboxes[outside].any() {
            self.inboxes[outside].collect(into);
        }
        into.append(&mut self.outside.lock().sent_home);
    }

    /// The shard a key is in (a worker removes the tasks of its own shard at once: `WorkerContext::defer_release`).
    pub(crate) fn shard_of_key(key: u64) -> usize {
        Self::split(key).0
    }

    fn split(key: u64) -> (usize, usize) {
        ((key >> INDEX_BITS) as usize, (key & ((1 << INDEX_BITS) - 1)) as usize)
    }

    /// Every live task, in id order; only those of one group if `group` is given.
    pub(crate) fn snapshot(&self, group: Option<crate::GroupId>) -> Vec<TaskInfo> {
        let mut tasks = Vec::new();
        for shard in &self.shards {
            shard.read(|header| {
                if header.state.load(Ordering::Acquire) & RELEASED == 0 {
                    tasks.push(header.info());
                }
            });
        }
        tasks.retain(|info| group.is_none() || info.group() == group);
        tasks.sort_by_key(TaskInfo::id);
        tasks
    }

    /// Every registered task's control (finished ones waiting in a batch too), to act on.
    pub(crate) fn all(&self) -> Vec<Arc<dyn TaskControl>> {
        let mut tasks = Vec::new();
        for shard in &self.shards {
            // SAFETY: the task is in its slot and this reader is announced (protocol step 2).
            shard.read(|header| tasks.push(unsafe { header.registration.counted() }));
        }
        tasks
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
    use super::{FIRST, Registry, Shard, SlotAllocator, locate};
    use crate::sync::Arc;
    use crate::task::core::{Core, Header, TaskControl};

    fn cell() -> Arc<Core<u32>> {
        Arc::new(Core::new(Header::for_tests(), Vec::new()))
    }

    fn same(a: &Arc<dyn TaskControl>, b: &Arc<Core<u32>>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
    }

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

    /// A task spawned from outside and finished on a worker is sent home to the outside shard: the next spawn
    /// from outside gets its count back (to free its cell), one per spawn, and an idle worker takes whatever is
    /// left.
    #[test]
    fn outside_tasks_come_home_one_per_spawn_from_outside() {
        let registry = Registry::new(1);
        let cells: Vec<_> = (0..3).map(|_| cell()).collect();
        for cell in &cells {
            assert!(registry.insert(None, cell).is_none(), "nothing has come home yet");
        }
        // A worker finishes the first two and removes them in one batch: both go to the outside inbox.
        let mut batch: Vec<(u64, Arc<dyn TaskControl>)> =
            cells[..2].iter().map(|cell| (cell.header().registration.key(), cell.clone() as _)).collect();
        let mut counts = Vec::new();
        registry.remove_all(&mut batch, &mut counts);
        assert!(counts.is_empty(), "sent home, not left to the worker");
        let spawned = cell();
        let home = registry.insert(None, &spawned).expect("one count comes back with a spawn from outside");
        assert!(cells[..2].iter().any(|cell| same(&home, cell)));
        assert!(registry.holds_outside_sent_home());
        let mut left = Vec::new();
        registry.collect_outside_sent_home(&mut left);
        assert_eq!(left.len(), 1, "the other one, for an idle worker");
        assert!(!std::ptr::addr_eq(Arc::as_ptr(&left[0]), Arc::as_ptr(&home)));
        assert!(!registry.holds_outside_sent_home());
        left.clear();
        registry.collect_outside_sent_home(&mut left);
        assert!(left.is_empty());
    }

    /// The cells of tasks spawned from outside that came home are freed by a worker once the engine has been
    /// idle for a while: an idle engine keeps none.
    #[test]
    fn an_idle_engine_frees_the_cells_sent_home_to_the_outside() {
        wove_testkit::watchdog("outside cells freed when idle", || {
            let engine = crate::Engine::builder().threads(1).build().expect("engine starts");
            let group = engine.group();
            for _ in 0..200 {
                group.spawn_detached(|| ());
            }
            group.wait().expect("no task fails");
            while engine.shared().registry().holds_outside_sent_home() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
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
