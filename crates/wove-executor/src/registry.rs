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
//!
//! A batch **retires** its tasks rather than dropping them: each slot goes back on the vacant list with its
//! finished task still in it, and the next insert into that slot drops the task — on the spawning thread,
//! which allocated it. So the task's memory goes back to the allocator of the thread that will allocate the
//! next one (glibc's per-thread cache takes it without a lock and hands it straight back), where a drop on
//! the worker freed it into another thread's arena, under that arena's lock, contended by the spawner's own
//! allocations (a chain of `then` built on one thread and run on another spent about a third of its time in
//! that lock's futex). A shard keeps at most [`RETIRED_MAX`] such tasks; beyond that a batch drops them.

use crate::TaskInfo;
use crate::sync::{Arc, Mutex, Ordering};
use crate::task::core::{Header, TaskControl};
use crate::task::state::RELEASED;

pub(crate) struct Registry {
    shards: Box<[Mutex<Slab>]>,
}

/// The most finished tasks a shard keeps in vacant slots for its next inserts to drop (see the module docs):
/// a bound on the memory a burst leaves behind.
const RETIRED_MAX: usize = 1024;

#[derive(Default)]
struct Slab {
    entries: Vec<Option<Arc<dyn TaskControl>>>,
    vacant: Vec<u32>,
    /// How many vacant slots still hold a retired task.
    retired: usize,
}

impl Slab {
    /// Frees the slot of `key` (this shard's), returning its entry.
    fn take(&mut self, key: u64) -> Option<Arc<dyn TaskControl>> {
        let slot = key as u32;
        self.vacant.push(slot);
        self.entries[slot as usize].take()
    }

    /// Frees the slot of `key`, leaving its task in it for the next insert there to drop; returns the task
    /// instead if the shard keeps [`RETIRED_MAX`] already.
    fn retire(&mut self, key: u64) -> Option<Arc<dyn TaskControl>> {
        if self.retired == RETIRED_MAX {
            return self.take(key);
        }
        self.retired += 1;
        self.vacant.push(key as u32);
        None
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
        let (slot, retired) = {
            let mut slab = self.shards[shard].lock();
            match slab.vacant.pop() {
                Some(slot) => {
                    let retired = slab.entries[slot as usize].replace(task);
                    slab.retired -= usize::from(retired.is_some());
                    (slot, retired)
                }
                None => {
                    slab.entries.push(Some(task));
                    ((slab.entries.len() - 1) as u32, None)
                }
            }
        };
        // Outside the lock, here, on the thread that allocates the next tasks (module docs).
        drop(retired);
        ((shard as u64) << 32) | u64::from(slot)
    }

    /// Forgets the finished tasks whose registry keys are `keys` (the keys of their headers, read with
    /// [`key`](Self::key)), draining `keys`: retires them (module docs). The entries a full shard cannot keep go
    /// to `removed`, for the caller to drop outside the locks (dropping a task's cell may run user code that
    /// spawns).
    pub(crate) fn remove_all(&self, keys: &mut Vec<u64>, removed: &mut Vec<Arc<dyn TaskControl>>) {
        // A shard is locked once per run of its keys (a batch usually holds one or two shards' keys).
        let mut keys = keys.drain(..).peekable();
        while let Some(&first) = keys.peek() {
            let shard = Self::shard_of_key(first);
            let mut slab = self.shards[shard].lock();
            while let Some(key) = keys.next_if(|&key| Self::shard_of_key(key) == shard) {
                removed.extend(slab.retire(key));
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
            .map(|task| task.header().info())
            .filter(|info| group.is_none() || info.group() == group)
            .collect();
        tasks.sort_by_key(TaskInfo::id);
        tasks
    }

    /// Every live task's control, to act on outside the locks.
    pub(crate) fn all(&self) -> Vec<Arc<dyn TaskControl>> {
        let live = |task: &&Arc<dyn TaskControl>| task.header().state.load(Ordering::Acquire) & RELEASED == 0;
        self.shards
            .iter()
            .flat_map(|shard| shard.lock().entries.iter().flatten().filter(live).cloned().collect::<Vec<_>>())
            .collect()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;

    use super::{RETIRED_MAX, Registry};
    use crate::task::core::Core;
    use crate::task::state::{COMPLETE, RELEASED};

    fn task() -> Arc<Core<()>> {
        Arc::new(Core::bare())
    }

    fn finish(task: &Core<()>) {
        task.header.state.fetch_or(COMPLETE | RELEASED, std::sync::atomic::Ordering::Release);
    }

    /// A batch keeps finished tasks in their slots for the next inserts to drop, at most `RETIRED_MAX` per
    /// shard, and never lists them.
    #[test]
    fn retired_tasks_are_kept_up_to_a_bound_and_dropped_by_the_next_inserts() {
        let registry = Registry::new(1);
        let tasks: Vec<_> = (0..RETIRED_MAX + 10).map(|_| task()).collect();
        let mut keys: Vec<u64> = tasks.iter().map(|task| registry.insert(None, task.clone())).collect();
        let live = task();
        registry.insert(None, live.clone());
        tasks.iter().for_each(|task| finish(task));

        let mut removed = Vec::new();
        registry.remove_all(&mut keys, &mut removed);
        assert_eq!(removed.len(), 10, "a shard keeps {RETIRED_MAX} retired tasks, the batch drops the rest");
        drop(removed);
        let held = tasks.iter().filter(|task| Arc::strong_count(task) == 2).count();
        assert_eq!(held, RETIRED_MAX);
        let listed: Vec<_> = registry.snapshot(None).iter().map(|info| info.id()).collect();
        assert_eq!(listed, [live.header.id], "retired tasks are not listed");
        assert_eq!(registry.all().len(), 1);

        // Each insert into a vacated slot drops the task retired there (if any: the batch emptied ten).
        for _ in 0..RETIRED_MAX + 10 {
            registry.insert(None, task());
        }
        assert!(tasks.iter().all(|task| Arc::strong_count(task) == 1), "every retired task was dropped");
    }
}
