//! Waiting: blocking and async waiters together, timeouts, `Event` semantics, and the
//! per-thread wait hook.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wove_latch::{Blocker, Event, Latch, WaitHook, install_wait_hook};
use wove_testkit::watchdog;

const SHORT: Duration = Duration::from_millis(20);

#[test]
fn mixed_waiters_all_release() {
    watchdog("mixed_waiters_all_release", || {
        let latch = Latch::new(3);
        let returned = Arc::new(AtomicUsize::new(0));
        let mut waiters = Vec::new();
        for i in 0..16 {
            let latch = latch.clone();
            let returned = returned.clone();
            waiters.push(std::thread::spawn(move || {
                if i % 2 == 0 {
                    latch.wait();
                } else {
                    futures_lite::future::block_on(latch.wait_async());
                }
                assert!(latch.is_released(), "a waiter returned before the release");
                returned.fetch_add(1, Ordering::SeqCst);
            }));
        }
        latch.count_down().unwrap();
        latch.count_down().unwrap();
        std::thread::sleep(SHORT);
        assert_eq!(returned.load(Ordering::SeqCst), 0, "no waiter returns before the last count-down");
        latch.count_down().unwrap();
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(returned.load(Ordering::SeqCst), 16);
    });
}

#[test]
fn waiting_on_released_latch_returns_at_once() {
    watchdog("waiting_on_released_latch_returns_at_once", || {
        let latch = Latch::new(0);
        latch.wait();
        assert!(latch.wait_timeout(Duration::ZERO));
        assert!(latch.wait_deadline(Instant::now()));
        futures_lite::future::block_on(async {
            latch.wait_async().await;
            (&latch).await;
            latch.clone().await;
        });
    });
}

#[test]
fn wait_timeout_expires_on_open_latch() {
    watchdog("wait_timeout_expires_on_open_latch", || {
        let latch = Latch::new(1);
        let start = Instant::now();
        assert!(!latch.wait_timeout(SHORT));
        assert!(start.elapsed() >= SHORT);
        assert!(!latch.wait_deadline(Instant::now() + SHORT));
        let remote = latch.clone();
        std::thread::spawn(move || remote.count_down().unwrap());
        assert!(latch.wait_timeout(Duration::MAX), "a timeout too large for Instant waits without limit");
    });
}

#[test]
fn dropping_async_wait_early_is_harmless() {
    watchdog("dropping_async_wait_early_is_harmless", || {
        let latch = Latch::new(1);
        let mut wait = latch.wait_async();
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(Future::poll(Pin::new(&mut wait), &mut cx).is_pending());
        drop(wait);
        latch.count_down().unwrap();
        latch.wait();
    });
}

#[test]
fn event_set_wakes_every_waiter() {
    watchdog("event_set_wakes_every_waiter", || {
        let event = Event::new();
        let woken = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..8)
            .map(|i| {
                let event = event.clone();
                let woken = woken.clone();
                std::thread::spawn(move || {
                    if i % 2 == 0 {
                        event.wait();
                    } else {
                        futures_lite::future::block_on(event.wait_async());
                    }
                    woken.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        std::thread::sleep(SHORT);
        assert_eq!(woken.load(Ordering::SeqCst), 0);
        event.set();
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(woken.load(Ordering::SeqCst), 8);
    });
}

#[test]
fn event_clear_blocks_later_waits() {
    watchdog("event_clear_blocks_later_waits", || {
        let event = Event::new();
        event.set();
        assert!(event.wait_timeout(SHORT));
        event.clear();
        assert!(!event.is_set());
        assert!(!event.wait_timeout(SHORT));
        assert_eq!(format!("{event:?}"), "Event { set: false }");
    });
}

#[test]
fn event_waiter_woken_by_set_returns_even_if_cleared_at_once() {
    watchdog("event_waiter_woken_by_set_returns_even_if_cleared_at_once", || {
        let event = Event::new();
        let blocking = {
            let event = event.clone();
            std::thread::spawn(move || event.wait_timeout(Duration::from_secs(30)))
        };
        let future = event.wait_async();
        std::thread::sleep(SHORT);
        event.set();
        event.clear();
        assert!(blocking.join().unwrap(), "the blocking waiter saw the set");
        futures_lite::future::block_on(future);
        assert!(!event.is_set());
    });
}

struct CountingHook {
    blocks: Cell<usize>,
}

impl WaitHook for CountingHook {
    fn block(&self, blocker: &Blocker<'_>) {
        self.blocks.set(self.blocks.get() + 1);
        blocker.park_until(blocker.deadline());
    }
}

#[test]
fn blocking_waits_go_through_the_installed_hook() {
    watchdog("blocking_waits_go_through_the_installed_hook", || {
        let hook = Rc::new(CountingHook { blocks: Cell::new(0) });
        let latch = Latch::new(1);
        let event = Event::new();
        {
            let _guard = install_wait_hook(hook.clone());
            assert!(!latch.wait_timeout(Duration::from_millis(1)));
            assert!(!event.wait_timeout(Duration::from_millis(1)));
            assert_eq!(hook.blocks.get(), 2);
            event.set();
            event.wait(); // already set: the hook is not consulted
            assert_eq!(hook.blocks.get(), 2);
        }
        // Uninstalled: the wait parks on its own.
        assert!(!latch.wait_timeout(Duration::from_millis(1)));
        assert_eq!(hook.blocks.get(), 2);
    });
}

#[test]
fn hooks_nest_and_restore() {
    watchdog("hooks_nest_and_restore", || {
        let outer = Rc::new(CountingHook { blocks: Cell::new(0) });
        let inner = Rc::new(CountingHook { blocks: Cell::new(0) });
        let latch = Latch::new(1);
        let _outer_guard = install_wait_hook(outer.clone());
        {
            let _inner_guard = install_wait_hook(inner.clone());
            latch.wait_timeout(Duration::from_millis(1));
        }
        latch.wait_timeout(Duration::from_millis(1));
        assert_eq!((outer.blocks.get(), inner.blocks.get()), (1, 1));
    });
}
