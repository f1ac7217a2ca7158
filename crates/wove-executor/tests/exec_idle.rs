//! An idle engine burns no CPU (test plan 27): after a burst, the process's CPU time over 200 ms of idleness
//! stays under 20 ms.
#![cfg(target_os = "linux")]

use std::time::Duration;

use wove_executor::Engine;
use wove_testkit::{WORKER_COUNTS, watchdog};

/// The process's user + system CPU time, from `/proc/self/stat` (in clock ticks of 10 ms on Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the name and state.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

#[test]
fn idle_engine_burns_no_cpu() {
    watchdog("idle_engine_burns_no_cpu", || {
        for threads in WORKER_COUNTS {
            let engine = Engine::builder().threads(threads).build().unwrap();
            let group = engine.group();
            for i in 0..10_000u64 {
                group.spawn(move || std::hint::black_box(i * i)).detach();
            }
            group.wait().unwrap();
            std::thread::sleep(Duration::from_millis(10));
            let before = cpu_time();
            std::thread::sleep(Duration::from_millis(200));
            let burned = cpu_time() - before;
            assert!(burned < Duration::from_millis(20), "{threads} idle workers burned {burned:?} in 200 ms");
        }
    });
}
