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

use std::cell::RefCell;

use crossbeam_utils::CachePadded;

use crate::id::GroupId;
use crate::info::TaskInfo;
use crate::registry::inbox::Inbox;
use crate::registry::shard::{Shard, SlotAllocator};
use crate::sync::{Arc, Mutex};
use crate::task::header::{Header, TaskControl};

/// The bits of a key that hold the slot's index; the shard is above them.
const INDEX_BITS: u32 = 40;

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
    #[inline]
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
        unsafe { header.registration.set(control, key) };
        self.shards[shard].publish(index, header);
        sent_home
    }

    /// Forgets the finished task whose key is `key`, at once. `own`: the allocator of the shard's owner, when
    /// the caller is that worker (the slot goes back on its free list).
    pub(crate) fn remove(&self, key: u64, own: Option<&RefCell<SlotAllocator>>) {
        let (shard, index) = Self::split(key);
        self.shards[shard].leave([index]);
        if let Some(allocator) = own {
            allocator.borrow_mut().give_back(index);
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
    pub(crate) fn snapshot(&self, group: Option<GroupId>) -> Vec<TaskInfo> {
        let mut tasks = Vec::new();
        for shard in &self.shards {
            shard.read(|header| {
                if !header.state.load().is_released() {
                    tasks.push(header.info());
                }
            });
        }
        tasks.retain(|info| group.is_none() || info.group() == group);
        tasks.sort_by_key(TaskInfo::id);
        tasks
    }

    /// Cancels every registered member of group `group` (`Group::cancel`, a fail-fast group's failure); returns
    /// how many this call cancelled.
    pub(crate) fn cancel_group(&self, group: GroupId) -> usize {
        self.all().iter().filter(|task| task.header().group == Some(group)).filter(|task| task.cancel()).count()
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Registry;
    use crate::sync::Arc;
    use crate::task::core::Core;
    use crate::task::header::{Header, TaskControl};

    fn cell() -> Arc<Core<u32>> {
        Arc::new(Core::new(Header::for_tests(), Vec::new()))
    }

    fn same(a: &Arc<dyn TaskControl>, b: &Arc<Core<u32>>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
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
            cells[..2].iter().map(|cell| (cell.header().registration.key().unwrap(), cell.clone() as _)).collect();
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
}
