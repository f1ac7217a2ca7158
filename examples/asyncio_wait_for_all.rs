//! asyncio's "a task created in a done callback, with the caller waiting for all work to finish". In asyncio
//! the caller cannot see tasks that callbacks create later, so tutorials reach for a global `Event` that "the
//! last task" sets — fragile: whoever sets it must know it is last. A wove `Group` tracks every task spawned in
//! its members' bodies and callbacks, transitively, so the caller simply waits for the group.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn work(name: &'static str, done: Arc<AtomicUsize>) {
    println!("{name} running");
    done.fetch_add(1, Ordering::SeqCst);
}

fn main() {
    let engine = wove::Engine::new();
    let group = engine.group();
    let done = Arc::new(AtomicUsize::new(0));

    let counter = done.clone();
    let first = group.task().name("first").spawn(move || work("first task", counter));
    let counter = done.clone();
    first.on_done(move |_| {
        // A task created in a done-callback...
        let inner = counter.clone();
        let second = wove::spawn(move || work("second task", inner));
        second.on_done(move |_| {
            // ...whose own callback creates another. All three are tracked by the group.
            wove::spawn(move || work("third task", counter)).detach();
        });
    });

    group.wait().expect("nothing failed"); // instead of `await all_done_event.wait()`
    println!("Main: all {} tasks done", done.load(Ordering::SeqCst));
}
