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

/// The tests of this file measure the whole process's CPU time: they run one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn idle_engine_burns_no_cpu() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    each_engine("idle_engine_burns_no_cpu", |engine, threads| {
        let group = engine.group();
        for i in 0..10_000u64 {
            group.spawn(move || std::hint::black_box(i * i)).detach();
        }
        group.wait().unwrap();
        std::thread::sleep(Duration::from_millis(10));
        let before = cpu_time();
        std::thread::sleep(Duration::from_millis(200));
        let burned = cpu_time().saturating_sub(before);
        assert!(burned < Duration::from_millis(20), "{threads} idle workers burned {burned:?} in 200 ms");
    });
}

#[test]
fn an_engine_waiting_on_a_timer_burns_no_cpu() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    each_engine("an_engine_waiting_on_a_timer_burns_no_cpu", |engine, threads| {
        let sleeper = engine.spawn_async(wove_executor::sleep(Duration::from_millis(400)));
        std::thread::sleep(Duration::from_millis(20));
        let before = cpu_time();
        std::thread::sleep(Duration::from_millis(300));
        let burned = cpu_time().saturating_sub(before);
        assert!(!sleeper.is_finished(), "still sleeping");
        // Under 10 % of a core while the only work is a pending timer.
        assert!(burned < Duration::from_millis(30), "{threads} workers waiting on a timer burned {burned:?} in 300 ms");
        sleeper.join().unwrap();
    });
}
