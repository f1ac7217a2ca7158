//! The live tasks of an engine, for `engine.tasks()` (the `asyncio.all_tasks()` analogue), group listings and
//! `shutdown_now`, which cancels them all.
//!
//! One shard per worker plus one for spawns from outside; a spawn inserts into its own thread's shard, so
//! spawning from every core takes uncontended locks. Each shard is a slab: insertion and removal are O(1) and
//! allocate nothing once the slab has grown, and the task's header remembers its slot.

use crate::TaskInfo;
use crate::sync::{Arc, Mutex, Ordering};
use crate::task::core::{Header, TaskControl};

pub(crate) struct Registry {
    shards: Box<[Mutex<Slab>]>,
}

#[derive(Default)]
struct Slab {
    entries: Vec<Option<Arc<dyn TaskControl>>>,
    vacant: Vec<u32>,
}

impl Registry {
    /// A registry for `workers` workers (and the outside shard).
    pub(crate) fn new(workers: usize) -> Self {
        Self { shards: (0..=workers).map(|_| Mutex::new(Slab::default())).collect() }
    }

    /// Records a live task in the shard of worker `worker` (`None`: from outside the engine).
    pub(crate) fn insert(&self, worker: Option<usize>, task: Arc<dyn TaskControl>) {
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
        // Read by `remove` on the worker that finishes the task, after the queue hand-off that ordered it.
        let key = ((shard as u64) << 32) | u64::from(slot);
        slab.entries[slot as usize].as_ref().expect("just stored").header().registry_key.store(key, Ordering::Relaxed);
    }

    /// Forgets a finished task.
    pub(crate) fn remove(&self, header: &Header) {
        let key = header.registry_key.load(Ordering::Relaxed);
        let (shard, slot) = ((key >> 32) as usize, key as u32);
        let removed = {
            let mut slab = self.shards[shard].lock();
            let removed = slab.entries[slot as usize].take();
            slab.vacant.push(slot);
            removed
        };
        drop(removed);
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
        self.shards
            .iter()
            .flat_map(|shard| shard.lock().entries.iter().flatten().cloned().collect::<Vec<_>>())
            .collect()
    }
}
