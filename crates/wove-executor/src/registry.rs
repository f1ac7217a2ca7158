//! The live tasks of an engine, for `engine.tasks()` (the `asyncio.all_tasks()` analogue) and for
//! `shutdown_now`, which cancels them all. Sharded by task id so that spawning from every core does not
//! serialize on one lock.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::sync::{Arc, Mutex};
use crate::task::core::TaskControl;
use crate::{TaskId, TaskInfo};

const SHARDS: usize = 64;

/// Task ids are already unique integers: hash them as themselves.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Shard = HashMap<TaskId, Arc<dyn TaskControl>, BuildHasherDefault<IdHasher>>;

pub(crate) struct Registry {
    shards: Box<[Mutex<Shard>]>,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self { shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect() }
    }

    fn shard(&self, id: TaskId) -> &Mutex<Shard> {
        &self.shards[(id.as_u64() as usize) % SHARDS]
    }

    pub(crate) fn insert(&self, task: Arc<dyn TaskControl>) {
        let id = task.header().id;
        self.shard(id).lock().insert(id, task);
    }

    pub(crate) fn remove(&self, id: TaskId) {
        let removed = self.shard(id).lock().remove(&id);
        drop(removed);
    }

    /// Every live task, in id order.
    pub(crate) fn snapshot(&self) -> Vec<TaskInfo> {
        let mut tasks: Vec<TaskInfo> = self
            .shards
            .iter()
            .flat_map(|shard| shard.lock().values().map(|t| t.header().info()).collect::<Vec<_>>())
            .collect();
        tasks.sort_by_key(TaskInfo::id);
        tasks
    }

    /// Every live task's control, to act on outside the locks.
    pub(crate) fn all(&self) -> Vec<Arc<dyn TaskControl>> {
        self.shards.iter().flat_map(|shard| shard.lock().values().cloned().collect::<Vec<_>>()).collect()
    }
}
