//! A tree of threads counting down one latch, with a blocking and an async waiter — the wove replacement for
//! asyncio's "the last task sets a global `Event`".
//!
//! The tempting wrong way is a shared counter plus a flag that "the last one" sets: two threads can both think
//! they are last, or a child registered late is missed. Here every child is counted (a guard) before its
//! parent's own count is given back, so the latch can only open once the whole tree is done.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove::{Latch, LatchGuard};

/// Does one unit of work, then starts `fanout` children that do the same, `depth` levels down.
fn node(latch: Latch, done: Arc<AtomicUsize>, depth: u32, fanout: u32, guard: LatchGuard) {
    let children: Vec<_> = if depth == 0 {
        Vec::new()
    } else {
        (0..fanout)
            .map(|_| {
                let child_guard = latch.guard().expect("the latch is open while this node holds a count");
                let (latch, done) = (latch.clone(), done.clone());
                std::thread::spawn(move || node(latch, done, depth - 1, fanout, child_guard))
            })
            .collect()
    };
    done.fetch_add(1, Ordering::Relaxed);
    drop(guard); // children are counted already, so this cannot open the latch early
    for child in children {
        child.join().expect("a node panicked");
    }
}

fn main() {
    let (depth, fanout) = (4, 3);
    let expected: usize = (0..=depth).map(|level| (fanout as usize).pow(level)).sum();
    let latch = Latch::new(1);
    let done = Arc::new(AtomicUsize::new(0));

    let async_waiter = {
        let latch = latch.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            futures_lite::future::block_on(latch.wait_async());
            println!("async waiter: released after {} nodes", done.load(Ordering::Relaxed));
        })
    };

    let root_guard = latch.guard().expect("fresh latch");
    let root = {
        let (latch, done) = (latch.clone(), done.clone());
        std::thread::spawn(move || node(latch, done, depth, fanout, root_guard))
    };
    latch.count_down().expect("the creator's share");

    latch.wait();
    println!("blocking waiter: released after {} nodes", done.load(Ordering::Relaxed));
    assert_eq!(done.load(Ordering::Relaxed), expected);
    async_waiter.join().expect("async waiter");
    root.join().expect("root");
    println!("tree of {expected} nodes done");
}
