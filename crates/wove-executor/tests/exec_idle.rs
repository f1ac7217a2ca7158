//! An idle engine burns no CPU: after a burst, the process's CPU time over 200 ms of idleness
//! stays under 20 ms.
#![cfg(target_os = "linux")]

use std::time::Duration;

use wove_testkit::each_engine;

/// The CPU time all of the process's threads have run, from each thread's `/proc/self/task/*/schedstat`
/// (nanoseconds, where `/proc/self/stat` counts whole 10 ms ticks and can charge a tick for a microsecond).
fn cpu_time() -> Duration {
    let mut total = 0;
    for thread in std::fs::read_dir("/proc/self/task").unwrap() {
        // A thread that exited between the listing and the read no longer counts.
        if let Ok(stat) = std::fs::read_to_string(thread.unwrap().path().join("schedstat")) {
            total += stat.split_whitespace().next().unwrap().parse::<u64>().unwrap();
        }
    }
    Duration::from_nanos(total)
}

#[test]
fn idle_engine_burns_no_cpu() {
    each_engine("idle_engine_burns_no_cpu", |engine, threads| {
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
    });
}
