//! Loom model checks of the count-down / wait protocol, of which count-down releases, and
//! of `Event::set` against a waiter. Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test
//! --release -p wove-latch --test latch_loom`. Each model spawns loom threads that race the waiter; the data
//! writes are `Relaxed`, so only the latch's own ordering can make them visible to the waiter.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use wove_latch::{Event, Latch};

#[test]
fn count_down_releases_blocking_waiter() {
    loom::model(|| {
        let latch = Latch::new(2);
        let written = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let threads: Vec<_> = (0..2)
            .map(|i| {
                let latch = latch.clone();
                let written = written.clone();
                thread::spawn(move || {
                    written[i].store(i + 1, Ordering::Relaxed);
                    latch.count_down().unwrap();
                })
            })
            .collect();
        latch.wait();
        assert!(latch.is_released());
        assert_eq!(written[0].load(Ordering::Relaxed), 1, "thread 0's write is visible after wait");
        assert_eq!(written[1].load(Ordering::Relaxed), 2, "thread 1's write is visible after wait");
        for t in threads {
            t.join().unwrap();
        }
    });
}

/// Two count-downs by more than one race for the release: exactly one of them is told it released the latch.
#[test]
fn exactly_one_count_down_by_releases() {
    loom::model(|| {
        let latch = Latch::new(5);
        let other = {
            let latch = latch.clone();
            thread::spawn(move || latch.count_down_by(3).unwrap())
        };
        let mine = latch.count_down_by(2).unwrap();
        let theirs = other.join().unwrap();
        assert!(mine != theirs, "exactly one call releases");
        assert!(latch.is_released());
    });
}

#[test]
fn async_wait_vs_final_count_down() {
    loom::model(|| {
        let latch = Latch::new(1);
        let written = Arc::new(AtomicUsize::new(0));
        let counter = {
            let latch = latch.clone();
            let written = written.clone();
            thread::spawn(move || {
                written.store(7, Ordering::Relaxed);
                latch.count_down().unwrap();
            })
        };
        loom::future::block_on(latch.wait_async());
        assert_eq!(written.load(Ordering::Relaxed), 7);
        counter.join().unwrap();
    });
}

#[test]
fn guard_drop_vs_blocking_waiter() {
    loom::model(|| {
        let latch = Latch::new(1);
        let guard = latch.guard().unwrap();
        let holder = thread::spawn(move || drop(guard));
        latch.count_down().unwrap();
        latch.wait();
        assert_eq!(latch.count(), 0);
        holder.join().unwrap();
    });
}

#[test]
fn event_set_vs_waiter() {
    loom::model(|| {
        let event = Event::new();
        let written = Arc::new(AtomicUsize::new(0));
        let setter = {
            let event = event.clone();
            let written = written.clone();
            thread::spawn(move || {
                written.store(1, Ordering::Relaxed);
                event.set();
            })
        };
        event.wait();
        assert_eq!(written.load(Ordering::Relaxed), 1);
        setter.join().unwrap();
    });
}
