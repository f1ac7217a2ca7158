//! A million-link `then` chain: no recursion, every link released, and — extended while it runs — memory that
//! stays at a few MB. Alone in its test binary, so the process's resident memory is this test's.

use wove_chain::TaskExt;
use wove_executor::Engine;
use wove_testkit::watchdog_with_limit;

/// The resident set size of this process, from `/proc/self/status`.
#[cfg(target_os = "linux")]
fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_million_links_complete_without_recursion_and_are_freed() {
    watchdog_with_limit(
        "a_million_links_complete_without_recursion_and_are_freed",
        std::time::Duration::from_secs(300),
        || {
            let engine = Engine::builder().threads(2).build().unwrap();
            // Extended while it runs, as a program that keeps adding steps would: finished links are freed as the
            // chain advances, so memory stays at a few MB however long it gets.
            #[cfg(target_os = "linux")]
            let before = rss_kib();
            let mut tail = engine.spawn(|| 0u64);
            for i in 0..1_000_000 {
                tail = tail.then(|n| n + 1);
                if i % 1000 == 0 {
                    while engine.tasks().len() > 10_000 {
                        std::thread::yield_now();
                    }
                }
            }
            assert_eq!(tail.join().unwrap(), 1_000_000);
            #[cfg(target_os = "linux")]
            {
                let grown = rss_kib().saturating_sub(before);
                assert!(grown < 16 * 1024, "resident memory grew by {grown} KiB over a million links");
            }
            // Built all at once before it runs: a million pending links, no recursion when they run or are freed.
            let mut tail = engine.spawn(|| 0u64);
            for _ in 0..1_000_000 {
                tail = tail.then(|n| n + 1);
            }
            assert_eq!(tail.join().unwrap(), 1_000_000);
            engine.wait_idle();
            assert!(engine.tasks().is_empty(), "every finished link was released");
        },
    );
}
