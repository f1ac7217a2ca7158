//! The live tasks of an engine, for `engine.tasks()` (the `asyncio.all_tasks()` analogue), group listings and
//! `shutdown_now`, which cancels them all.
//!
//! One shard per worker plus one for spawns from outside; a spawn inserts into its own thread's shard, so
//! spawning from every core takes uncontended locks. Each shard is a slab: insertion and removal are O(1) and
//! allocate nothing once the slab has grown, and the task's header remembers its slot.
//!
//! A worker removes a task it finishes at once if the task is in its own shard (uncontended,
//! [`remove_one`](Registry::remove_one)), and otherwise in batches ([`remove_all`](Registry::remove_all)): a task
//! spawned from outside (or on another core) lives in a shard whose lock and memory are hot on another core,
//! and touching them once per task made that cache line bounce between the cores on every task. A finished
//! task waiting in a batch is marked [`RELEASED`] and left out of every listing.

use crate::TaskInfo;
use crate::sync::{Arc, Mutex, Ordering};
use crate::task::core::{Header, TaskControl};
use crate::task::state::RELEASED;

pub(crate) struct Registry {
    shards: Box<[Mutex<Slab>]>,
}

#[derive(Default)]
struct Slab {
    entries: Vec<Option<Arc<dyn TaskControl>>>,
    vacant: Vec<u32>,
}

impl Slab {
    /// Frees the slot of `key` (this shard's), returning its entry.
    fn take(&mut self, key: u64) -> Option<Arc<dyn TaskControl>> {
        let slot = key as u32;
        self.vacant.push(slot);
        self.entries[slot as usize].take()
    }
}

impl Registry {
    /// A registry for `workers` workers (and the outside shard).
    pub(crate) fn new(workers: usize) -> Self {
        Self { shards: (0..=workers).map(|_| Mutex::new(Slab::default())).collect() }
    }

    /// Records a live task in the shard of worker `worker` (`None`: from outside the engine); returns its key,
    /// for the task's header.
    pub(crate) fn insert(&self, worker: Option<usize>, task: Arc<dyn TaskControl>) -> u64 {
        let shard = worker.map_or(self.shards.len() - 1, |index| index);
        let mut slab = self.shards[shard].lock();
        let slot = match slab.vacant.pop() {
            Some(slot) => {
                slab.entries[slot as usize] = Some(task);
                slot
            }
            None => {
                slab.entries.push(Some(task));
                (slab.entries.len() - 1) as u32
            }
        };
        ((shard as u64) << 32) | u64::from(slot)
    }

    /// Forgets the finished tasks whose registry keys are `keys` (the keys of their headers, read with
    /// [`key`](Self::key)), draining `keys`. Their entries go to `removed`, for the caller to drop outside the
    /// locks (dropping a task's cell may run user code that spawns).
    pub(crate) fn remove_all(&self, keys: &mut Vec<u64>, removed: &mut Vec<Arc<dyn TaskControl>>) {
        // A shard is locked once per run of its keys (a batch usually holds one or two shards' keys).
        let mut keys = keys.drain(..).peekable();
        while let Some(&first) = keys.peek() {
            let shard = Self::shard_of_key(first);
            let mut slab = self.shards[shard].lock();
            while let Some(key) = keys.next_if(|&key| Self::shard_of_key(key) == shard) {
                removed.extend(slab.take(key));
            }
        }
    }

    /// Forgets one finished task (see [`remove_all`](Self::remove_all)); returns its entry, for the caller to
    /// drop outside the lock.
    pub(crate) fn remove_one(&self, key: u64) -> Option<Arc<dyn TaskControl>> {
        self.shards[Self::shard_of_key(key)].lock().take(key)
    }

    /// The shard a key is in (a worker removes the tasks of its own shard at once: `WorkerContext::defer_release`).
    pub(crate) fn shard_of_key(key: u64) -> usize {
        (key >> 32) as usize
    }

    /// The key under which `header`'s task is registered.
    pub(crate) fn key(header: &Header) -> u64 {
        header.registry_key.load(Ordering::Relaxed)
    }

    /// Every live task, in id order; only those of one group if `group` is given.
    pub(crate) fn snapshot(&self, group: Option<crate::GroupId>) -> Vec<TaskInfo> {
        let mut tasks: Vec<TaskInfo> = self
            .all()
            .iter()
            .filter(|task| task.header().state.load(Ordering::Acquire) & RELEASED == 0)
            .map(|task| task.header().info())
            .filter(|info| group.is_none() || info.group() == group)
            .collect();
        tasks.sort_by_key(TaskInfo::id);
        tasks
    }

    /// Every registered task's control (finished ones waiting in a batch too), to act on outside the locks.
    pub(crate) fn all(&self) -> Vec<Arc<dyn TaskControl>> {
        self.shards
            .iter()
            .flat_map(|shard| shard.lock().entries.iter().flatten().cloned().collect::<Vec<_>>())
            .collect()
    }
}
