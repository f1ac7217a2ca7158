//! The engines under test and a pool of each, with a given number of worker threads.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// An engine `wove bench` measures.
///
/// # Examples
///
/// ```
/// use wove_cli::Peer;
/// assert_eq!(Peer::parse("tokio"), Some(Peer::Tokio));
/// assert_eq!(Peer::AsyncExecutor.name(), "async-executor");
/// assert_eq!(Peer::ALL.len(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Peer {
    /// wove's engine.
    Wove,
    /// rayon's thread pool.
    Rayon,
    /// tokio's multi-threaded runtime.
    Tokio,
    /// async-executor's `Executor`, run by as many threads.
    AsyncExecutor,
}

impl Peer {
    /// Every engine, wove first.
    pub const ALL: [Peer; 4] = [Peer::Wove, Peer::Rayon, Peer::Tokio, Peer::AsyncExecutor];

    /// The engine's name on the command line and in reports.
    ///
    /// # Examples
    ///
    /// See [`Peer`].
    pub fn name(self) -> &'static str {
        match self {
            Peer::Wove => "wove",
            Peer::Rayon => "rayon",
            Peer::Tokio => "tokio",
            Peer::AsyncExecutor => "async-executor",
        }
    }

    /// The engine with this name.
    ///
    /// # Examples
    ///
    /// See [`Peer`].
    pub fn parse(name: &str) -> Option<Peer> {
        Peer::ALL.into_iter().find(|peer| peer.name() == name)
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One engine with `threads` workers, ready to run workloads.
///
/// # Examples
///
/// ```
/// use wove_cli::{Peer, Pool};
/// let pool = Pool::new(Peer::Rayon, 2)?;
/// assert_eq!((pool.peer(), pool.threads()), (Peer::Rayon, 2));
/// # Ok::<(), String>(())
/// ```
pub struct Pool {
    threads: usize,
    pub(crate) engine: Engine,
}

/// The engine inside a [`Pool`].
pub(crate) enum Engine {
    Wove(wove_executor::Engine),
    Rayon(rayon::ThreadPool),
    Tokio(tokio::runtime::Runtime),
    AsyncExecutor(ExecutorPool),
}

impl Pool {
    /// Starts `peer` with `threads` workers.
    ///
    /// # Errors
    ///
    /// If the engine cannot be built (zero threads, or the OS refuses threads).
    ///
    /// # Examples
    ///
    /// See [`Pool`].
    pub fn new(peer: Peer, threads: usize) -> Result<Self, String> {
        Self::build(peer, threads, false)
    }

    /// Starts wove with `threads` workers and tracing on, for `wove bench --trace`.
    ///
    /// # Errors
    ///
    /// If the engine cannot be built.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = wove_cli::Pool::traced(1)?;
    /// assert_eq!(pool.threads(), 1);
    /// # Ok::<(), String>(())
    /// ```
    pub fn traced(threads: usize) -> Result<Self, String> {
        Self::build(Peer::Wove, threads, true)
    }

    fn build(peer: Peer, threads: usize, trace: bool) -> Result<Self, String> {
        let engine = match peer {
            Peer::Wove => Engine::Wove(
                wove_executor::Engine::builder().threads(threads).trace(trace).build().map_err(|e| e.to_string())?,
            ),
            Peer::Rayon => {
                Engine::Rayon(rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| e.to_string())?)
            }
            Peer::Tokio => Engine::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads)
                    .build()
                    .map_err(|e| e.to_string())?,
            ),
            Peer::AsyncExecutor => Engine::AsyncExecutor(ExecutorPool::new(threads)),
        };
        Ok(Self { threads, engine })
    }

    /// Which engine this is.
    ///
    /// # Examples
    ///
    /// See [`Pool`].
    pub fn peer(&self) -> Peer {
        match self.engine {
            Engine::Wove(_) => Peer::Wove,
            Engine::Rayon(_) => Peer::Rayon,
            Engine::Tokio(_) => Peer::Tokio,
            Engine::AsyncExecutor(_) => Peer::AsyncExecutor,
        }
    }

    /// Its number of worker threads.
    ///
    /// # Examples
    ///
    /// See [`Pool`].
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Writes wove's trace (see [`Pool::traced`]) to `path`, once every job has finished.
    ///
    /// # Errors
    ///
    /// If this is not a traced wove pool, or the file cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = wove_cli::Pool::traced(1)?;
    /// wove_cli::Workload::Fib.run(&pool, &wove_cli::Sizes::quick())?;
    /// let path = std::env::temp_dir().join(format!("wove-cli-doc-{}.json", std::process::id()));
    /// pool.write_trace(&path)?;
    /// # std::fs::remove_file(path).ok();
    /// # Ok::<(), String>(())
    /// ```
    pub fn write_trace(self, path: &std::path::Path) -> Result<(), String> {
        match self.engine {
            Engine::Wove(engine) => {
                engine.shutdown();
                engine.write_trace(path).map_err(|e| format!("could not write the trace to {}: {e}", path.display()))
            }
            _ => Err("only wove records traces".to_string()),
        }
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool").field("peer", &self.peer()).field("threads", &self.threads).finish()
    }
}

/// async-executor has no thread pool of its own: `threads` threads run one executor until the pool is dropped.
pub(crate) struct ExecutorPool {
    pub(crate) executor: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl ExecutorPool {
    fn new(threads: usize) -> Self {
        let executor = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..threads)
            .map(|_| {
                let (executor, stopped) = (executor.clone(), stopped.clone());
                std::thread::spawn(move || {
                    let _ = futures_lite::future::block_on(executor.run(stopped.recv()));
                })
            })
            .collect();
        Self { executor, stop: Some(stop), threads }
    }
}

impl Drop for ExecutorPool {
    fn drop(&mut self) {
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
