//! The wove engine: a work-stealing scheduler that runs closures and futures on every core, with task handles,
//! done-callbacks, cancellation, panic isolation, groups that track whole trees of tasks, and fork-join.
//!
//! # Examples
//!
//! The asyncio patterns, across all cores:
//!
//! ```
//! use wove_executor::Engine;
//!
//! let engine = Engine::builder().threads(2).build()?;
//!
//! // create_task(coro(), name="MyTask") + add_done_callback + await
//! let task = engine
//!     .task()
//!     .name("MyTask")
//!     .on_done(|outcome: &Result<u32, _>| println!("done: {outcome:?}"))
//!     .spawn(|| 40 + 2);
//! assert_eq!(task.join().unwrap(), 42);
//!
//! // Wait for a whole tree, including follow-ups spawned by tasks and callbacks: no global Event.
//! let group = engine.group();
//! group.spawn(|| {
//!     wove_executor::spawn(|| println!("follow-up, tracked by the same group"));
//! });
//! group.wait().unwrap();
//! # Ok::<(), wove_executor::BuildError>(())
//! ```
//!
//! # Architecture
//!
//! - **Task cells** (`task/`): a closure task lives in one allocation holding its shared core and the closure;
//!   a future task runs in an `async-task` cell (carrying its id and name for traces) beside an `Arc` of its
//!   core. Both make the task current, check cancellation before each step, contain panics and drop the body
//!   before the outcome is published. The core holds the outcome, the done-callbacks and the task's group
//!   round; its state word and the completion protocol are written up in `task/state.rs` and `task/core.rs`.
//!   A task whose handle is gone before it finishes, with no callbacks, completes without taking its lock.
//! - **Queues** (`scheduler/`): a queued job is one tagged pointer (`queue.rs`); a next-task slot per worker for
//!   the task that the running task just readied (one atomic pointer; runs next on the same core, at most 3 in a
//!   row, stealable only from a worker stuck in a long job); a LIFO `crossbeam-deque` per worker (also where
//!   `join` offers its second half); a global injector for spawns from outside and for `yield_now`, looked at
//!   first every 61 looks; thieves steal in batches.
//! - **Sleep** (`scheduler/sleep.rs`): bounded spinning, then `thread::park`; a worker spinning counts as
//!   searching, and at most half the workers spin at once; a notify costs one fence and one load when nobody
//!   sleeps or somebody is already searching; a searcher that finds work wakes the next if more is in sight.
//!   Idle workers burn no CPU.
//! - **Help while waiting** (`context.rs`): every blocking wait on a worker — [`Task::join`], [`Group::wait`],
//!   a `wove_latch` wait through the latch's wait hook, `join`'s wait for a stolen half — runs queued jobs one
//!   at a time until its condition holds, so nested blocking never deadlocks. It checks the condition between
//!   jobs and registers its waker only before it could sleep. A task that blocks by other means (a `std`
//!   channel or lock, a spin) on a task it has just spawned is not helped: the last task it spawned waits in its
//!   worker's next-task slot, which another worker takes over only if it is awake to see that the blocked one
//!   makes no progress; with every other worker asleep, the spawned task waits for the blocked one (as a
//!   tokio task behind its LIFO slot does). Wait through wove instead: [`Task::join`], [`Group::wait`], a latch.
//! - **Admission and shutdown** (`admission.rs`, `shared.rs`): one atomic word holds the count of live tasks and
//!   the lifecycle flags, so a spawn racing a shutdown is either refused (closure handed back) or run; workers
//!   keep the counts of tasks they finish as credits for their own next spawns and give them back when they run
//!   dry, so the word is not written on every task. `shared.rs` holds the engine-side plumbing of spawning and
//!   shutting down.
//! - **Registry** (`registry.rs`): the live tasks, for `engine.tasks()` and `shutdown_now`: one shard of slots
//!   per worker (and one for outside spawns), each slot a task's header or null, holding no reference count. A
//!   worker registers and forgets the tasks of its own shard with plain stores and one read-modify-write of a
//!   line it owns; tasks of other shards leave in batches. Readers announce themselves, and a task leaving its
//!   slot waits for announced readers before it can be freed. A task stolen and finished by another worker is
//!   sent home to the worker that spawned it, which frees its cell; one spawned from outside goes to the
//!   outside shard's inbox, and each spawn from outside frees one of those (`registry/inbox.rs`).
//! - **Observability** (`metrics.rs`, `trace.rs`): per-worker cache-padded counters; Chrome trace events.
//! - **Loom**: the task state and completion, admission and sleep protocols take their primitives from
//!   `sync::model` and are model-checked by in-crate unit tests under `--cfg loom` (see the justfile's `loom`).
//!
//! # Decisions
//!
//! - A closure that is running when [`Task::cancel`] returns `true` runs on (unless it checks
//!   [`is_cancelled`]), but its value is dropped and the task ends as cancelled: `cancel()`'s answer always
//!   matches the outcome.
//! - [`Group::wait`] reports panics (of members and of their callbacks) as failures; cancelled members are not
//!   failures, since somebody asked for that. A fail-fast group cancels the rest the moment a failure is
//!   decided, before anyone can observe it.
//! - A task's [`join`](Task::join) returns after its done-callbacks have run, so a joiner sees their effects.
//! - During a graceful [`Engine::shutdown`], spawns from outside are refused, but follow-ups spawned by running
//!   tasks and callbacks are accepted: a shutdown finishes whole task trees.
//! - `engine.tasks()` snapshots have no age: reading the clock on every spawn would cost more than the spawn
//!   itself aims to.
//! - `Engine::new` uses `std::thread::available_parallelism` rather than the `num_cpus` crate: same answer,
//!   one dependency fewer.
//! - [`Engine`], [`Group`] and [`Task`] are `UnwindSafe`: every panic inside the engine is caught where it
//!   happens, and their state stays consistent.
//! - Each task is one allocation from the global allocator (a closure task: about 150 bytes and its closure);
//!   wove keeps no pool of its own. Under glibc's malloc, a cell allocated on one thread and freed on another
//!   (spawns from outside the engine, stolen children, a `then` chain built on another thread) takes malloc's
//!   arena lock, which these patterns contend for. The global allocator is the application's choice; one with
//!   per-thread free lists helps here: with mimalloc, a 100,000-link `then` chain built from outside ran at
//!   324–350 ns per link against 516–547 with glibc (2 workers on 2 cores). Handing cells back to the thread
//!   that allocated them, through the registry, was measured and did not pay. Nor would a pool of our own
//!   close the gap to the peers: a pool is a per-thread allocator, and with mimalloc under the whole of
//!   `wove bench --quick --threads 2` (five runs each), wove's spawn from outside took 521–729 ns per task with
//!   glibc and 572–846 with mimalloc, while async-executor's went from 666–1,253 to 349–577 and rayon's from
//!   354–433 to 319–356. What is left of wove's cost per task is its bookkeeping (registry, handle, group
//!   count), not the allocator. The contention itself is easy to see (`perf`, 2026-11-21): spawning from
//!   outside onto 2 workers makes 0.29 `futex` calls per task, nearly all of them malloc's arena lock, and a
//!   `then` chain built from outside onto 1 worker spends 31 % of its samples in them. Handing the cells back
//!   to the building thread through the registry cut those calls to 40 % but not the time per link (four
//!   alternating runs each at 1 worker: 457–538 ns before, 366–531 after), so it stays out for threads outside
//!   the engine. Between workers it pays, see the next entry. On the 2-core VM, the lock also makes spawning
//!   from outside onto 2 workers bimodal (repetitions of 100,000 tasks into a group): about 300 ns per task
//!   while the spawning thread shares a core with one worker, about 540 while the two workers share one —
//!   pinning the threads by hand gives 299–383 and 466–583 — and the OS moves between the two placements
//!   from run to run; with mimalloc both give about 260–300.
//! - A task that one worker spawned and another stole is freed by the spawner: the thief sends the task's last
//!   count home with the batch in which it leaves the registry, and the spawner drops what came home on its
//!   next spawn (`registry/inbox.rs`). With glibc, a cell freed by the thief went back to the spawner's arena
//!   under its lock, which the spawner took as it allocated the next children; freed at home, it lands in the
//!   spawner's per-thread cache and the next spawn takes it again. Measured with a scratch harness (a fan-out
//!   of 100,000 into a group from inside, 2 workers, best of 10, five alternating runs, ns per child, before
//!   first): 273–298 (median 275) against 235–278 (median 243); a chain of tasks that each spawn the next,
//!   which steals nothing, 104.9–108.0 against 106.2–107.8. In `cargo bench --bench engine` (same run, ns per
//!   child) the fan-out took 261 against async-executor's 569 and tokio's 678.
//! - Tasks spawned from outside are sent home too, to the outside shard's inbox, and each spawn from outside
//!   frees **one** of them, right after its own allocation, so that the next spawn's cell comes from the
//!   thread's per-thread cache (`registry/inbox.rs`). A first version freed each batch that came home at once:
//!   most of it overflowed that small cache into the arena, and a lone spawner feeding 1 worker went from 302
//!   to 380 ns per task. Shipped together with the spinning rule of `scheduler/sleep.rs` (a worker spinning
//!   counts as searching, at most half the workers spin, and a searcher wakes the next only if more work is in
//!   sight): with the inbox alone, the worker — no longer freeing — caught up with a caller building a `then`
//!   chain, and two spinning workers and the caller then shared the two cores. Measured with a scratch harness
//!   (100,000 units, best of 10, five alternating runs, 2 workers unless said, ns per unit, before first):
//!   spawning detached into a group from outside 299–505 (bimodal, see above) against 198–323 (four of five
//!   runs at 198–225); a `then` chain built by the caller 416–456 against 227–276, and on 1 worker 424–437
//!   against 264–292; a fan-out from inside 220–288 against 245–259; a chain of tasks that each spawn the
//!   next 107.3–108.2 against 107.3–108.5; 1 worker fed from outside 304–314 against 207–369 (noisy, median
//!   unchanged). `perf stat` of the `then` chain: 377,833 futex calls per 3,000,000 links before, 420 after.
//!   The price: up to two inboxes' worth (2,048) of finished, empty cells wait for the next spawn from outside,
//!   until a worker goes to sleep and frees them.
//! - The cell is not shrunk to fit glibc's fast bins either. Requests of up to 120 bytes are served from them:
//!   allocating 10,000 and then freeing them all costs 15–16 ns per block, against 61–79 ns at 128–176 bytes,
//!   and a closure cell is 136 bytes plus its closure. Getting under 120 would take a reference count of our
//!   own (no weak count) and the slot's lock folded into the state word, so it was measured first, by raising
//!   the fast-bin limit to 160 bytes (`GLIBC_TUNABLES=glibc.malloc.mxfast=160`; three runs each, ns per task,
//!   default first): fan-out did not change (1 worker 246–276 against 258–299, 2 workers 265–453 against
//!   208–507), nor did the chain (184–186 against 169–187; 169–189 against 170–208), and spawning from outside
//!   got slower (304–418 against 707–781; 480–581 against 547–878): fast bins are shared by all threads, and
//!   the cross-thread frees then contend on them.
//! - The registry holds no reference count of its tasks, and a worker's own shard takes no lock: a task leaves
//!   its slot with a store and waits for announced readers (`registry.rs`). Listing tasks is rare and a task
//!   is registered on every spawn, so the readers pay. Measured on 2 workers (best of 10 per run, 5 alternating
//!   runs, ns per task): the chain went from 166–169 to 140–143, a fan-out of 100,000 from 297–408 (median 389)
//!   to 351–416 (median 365), a `then` chain built by the caller from 430–479 to 405–444. Without any registry
//!   at all (an experiment, not a design) the chain took 125–127 and the fan-out 304–327: the registry still
//!   costs about 15 ns of a chain link.
//! - Fire-and-forget spawns have their own methods, `spawn_detached` (on [`Engine`], [`Group`], [`TaskBuilder`]
//!   and the free [`spawn_detached`]), beside `spawn(..).detach()`, which stays correct. The design has only
//!   the latter, but a handle made only to be dropped costs four read-modify-writes: the cell's count taken and
//!   dropped, the engine's count taken and dropped (a line every spawning thread writes), and the
//!   `fetch_or(DETACHED)`. A task born detached skips them all and always completes on the lock-free path.
//!   Measured with a scratch harness (100,000 units, best of 20, three alternating runs, 2 workers, ns per
//!   unit, handle-and-detach first): a chain of tasks that each spawn the next 145–145 against 107–108, spawning
//!   into a group from outside 245–247 against 211–212, a fan-out from inside 226–228 against 187–232 (noisy).
//!   Scopes and late done-callbacks spawn this way too, and so do wove's rows of `wove bench`, as rayon's
//!   `spawn` and tokio's dropped `JoinHandle` are the peers' cheapest spawns.
//! - A group counts every tracked task, but the cores that finish its members do not write the group per task:
//!   a worker keeps the counts of members that finished on it while it goes on running members of the same
//!   round, and gives them back in one count-down before it runs anything else or runs out of work; and a task
//!   refers to its round without a reference count, which only its handle takes (`round.rs`). Before, every
//!   tracked task wrote the round's line four times, from two cores. The price: [`Group::len`] may go on
//!   counting finished members while their worker runs another member, the header keeps the group's id by
//!   value (8 bytes), and every task pays a few instructions for the checks. Measured with a scratch harness
//!   (100,000 units, best of 10, eight alternating runs, 2 workers, medians in ns per unit, before first): with
//!   glibc's malloc, spawning into a group from outside 329–367 against 306–324, a fan-out from inside 307–315
//!   against 289–292, and a chain of untracked tasks 103–104 against 110–111; with mimalloc, which no longer
//!   hides the line's cost behind its own, the fan-out went from 297 to 177 and the spawn from 355 to 289.
//! - A continuation takes its predecessor's handle apart instead of keeping it whole: the new handle takes
//!   over the old one's count of the engine, and the waiting continuation keeps only the predecessor's cell
//!   (`task/continuation.rs`). The engine that finishes the predecessor schedules the continuation, so nothing
//!   in a waiting link needs a count of its own. Before, every link cloned the engine's `Arc` on the building
//!   thread and the worker dropped it with the predecessor's handle: `perf` put 11 % of a `then` chain's samples
//!   on that one `lock inc` and 12 % on the handle's drop. Measured with a scratch harness (a 100,000-link
//!   `then` chain built by the caller, 10 repetitions × 5 alternating runs, quartiles of the repetitions in ns
//!   per link, before first): 2 workers 310 / 337 / 349 against 244 / 278 / 289; 1 worker 303 / 412 / 457
//!   against 309 / 347 / 361.
//! - A worker that ran dry waits about a microsecond (31 spin hints) before it looks for work again
//!   (`QUIET_ROUNDS` in `scheduler/worker.rs`). Looking at once put it right behind a thread feeding the
//!   engine from outside: it took each task (or each link of a `then` chain) the moment it was queued, so the
//!   two threads wrote the same lines — the injector's, the previous link's slot, the cells — on every task.
//!   After the wait it takes what arrived meanwhile in one batch. Work it finds on its own deque or slot is
//!   still taken at once (the look before the spin). Measured with a scratch harness (100,000 units, 10
//!   repetitions × 3–4 alternating runs, 2 workers unless said, quartiles in ns per unit, before first): a
//!   `then` chain built by the caller 277 / 286 / 296 against 222 / 228 / 232, on 1 worker 325 / 349 / 359
//!   against 242 / 247 / 250; spawning into a group from outside 383 / 470 / 496 against 309 / 359 / 368, the
//!   same detached 275 / 346 / 371 against 260 / 280 / 296; a fan-out from inside 256 / 263 / 280 against
//!   260 / 274 / 279; a chain of tasks that each spawn the next, unchanged. `cargo bench --bench chain`, same
//!   run: wove's `then` 237.6 ns per link, rayon 193.0, tokio 248.9, async-executor 476.8.
//! - The finished cells waiting for spawns from outside (the entry on tasks spawned from outside, above) are freed by a
//!   worker only once it has slept 10 ms with nothing to do, not each time it goes to sleep. A worker sleeps between
//!   the links of a `then` chain built from outside, and emptying the inbox then freed up to 1,024 cells into the
//!   building thread's heap under its lock, while that thread allocated from it: `perf` counted 250,540 `futex` calls
//!   per 3,000,000 links, nearly all of them glibc's heap lock, and 4,310 after. Measured with a scratch harness
//!   (100,000 units, 10 repetitions × 3–4 alternating runs, 2 workers unless said, quartiles in ns per unit, before
//!   first): the `then` chain 205 / 246 / 251 against 195 / 201 / 207 (1 worker: unchanged, 241 / 243 / 246 against 240
//!   / 245 / 247); spawning into a group from outside 365 / 375 / 389 against 330 / 336 / 346, the same detached 247 /
//!   294 / 299 against 223 / 277 / 290. `cargo bench --bench chain`, same run: wove's `then` 189.8 ns per link, rayon
//!   201.0, tokio 244.4, async-executor 529.1.
//! - A continuation registers with its predecessor through a pointer kept from before the predecessor's cell
//!   moved into it, not through the continuation's own lock (`Shared::spawn_continuation`; the continuation
//!   cannot run, so cannot drop that cell, before this registration). Two atomic writes fewer per link, on
//!   lines just written: measured with a scratch harness (a 100,000-link `then` chain built by the caller,
//!   10 repetitions × 3–4 alternating runs, quartiles in ns per link, before first), 2 workers 193 / 196 /
//!   205 against 164 / 168 / 171, 1 worker 242 / 251 / 255 against 203 / 215 / 220. `cargo bench --bench
//!   chain`, same run: wove's `then` 161.4 ns per link, rayon 185.2, tokio 253.2, async-executor 511.4.
//! - A worker whose last steal brought back less than a full batch is *patient*: when its own deque and slot
//!   run dry it does not steal again at once, but waits out the quiet rounds of its spin first
//!   (`scheduler/worker.rs`, module docs). In a fan-out of tiny tasks the thief used to run its one or two
//!   stolen tasks and steal again right away, a few tasks behind the spawning worker: 112,787 steals per
//!   300,000 tasks, each (and each look that found little) on the lines the spawner was writing. The spawner
//!   spent 275 ns per spawn with the thief at work against 98 ns alone, so a fan-out ran slower on 2 workers
//!   than on 1 (264 against 181 ns per task). Now a steal brings back about a dozen. A full batch (the producer
//!   is far ahead) keeps the next steal immediate, and the waits that help always look everywhere. Measured
//!   with a scratch harness (100,000 units, 10 repetitions × 3–5 alternating runs, quartiles in ns per unit,
//!   before first): a fan-out from inside, 2 workers, 268 / 272 / 276 against 225 / 227 / 231; spawning
//!   detached from outside 226 / 270 / 277 against 188 / 196 / 205 (1 worker: 272 / 277 / 308 against 179 /
//!   181 / 183); a chain of tasks that each spawn the next 109 / 110 / 111 against 107 / 107 / 108; a `then`
//!   chain built by the caller 163 / 170 / 176 against 164 / 172 / 176 (1 worker: 205 / 209 / 217 against 194
//!   / 198 / 204). `cargo bench --bench engine`, before → after, ns per unit: spawn 255.5 → 209.4, fan-out
//!   288.9 → 242.9, chain 115.6 → 114.4, fib 6.3 → 6.3.
#![warn(clippy::undocumented_unsafe_blocks)]

mod admission;
mod builder;
mod context;
mod engine;
mod error;
mod global;
mod group;
mod id;
mod info;
mod join;
mod metrics;
mod registry;
mod round;
mod scheduler;
mod scope;
mod shared;
mod sync;
mod task;
mod trace;
mod yield_now;

pub use builder::Builder;
pub use engine::Engine;
pub use error::{BuildError, GroupError, SpawnError, TaskError};
pub use global::{current_task, is_cancelled, join, spawn, spawn_async, spawn_detached};
pub use group::{Group, GroupWait};
pub use id::{GroupId, TaskId};
pub use info::{TaskInfo, TaskState};
pub use metrics::{Metrics, WorkerMetrics};
pub use scope::Scope;
pub use task::{Task, TaskBuilder};
pub use yield_now::{YieldNow, yield_now};

use registry::Registry;
