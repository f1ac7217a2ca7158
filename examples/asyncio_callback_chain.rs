//! asyncio's callback-driven dependent chain — `task1 → callback → task2 → callback → task3`, each result passed
//! along — ported directly: done-callbacks spawn the next task, and the caller waits on a group, since it
//! cannot get the end result from the chain (the idiomatic form, with `then`, is `asyncio_then_chain.rs`).
//!
//! Prints `>task1()`, `>task2() got 1`, `>task3() got 2`, `Main: chain is done`.

use wove::{Engine, Task};

fn task1() -> u32 {
    println!(">task1()");
    1
}

fn task2(value: u32) -> u32 {
    println!(">task2() got {value}");
    value + 1
}

fn task3(value: u32) {
    println!(">task3() got {value}");
}

fn main() {
    let engine = Engine::new();
    let group = engine.group();
    let first: Task<u32> = group.spawn(task1);
    first.on_done(|outcome| {
        let value = *outcome.as_ref().expect("task1 succeeds");
        let second = wove::spawn(move || task2(value)); // tracked: spawned in a member's callback
        second.on_done(|outcome| {
            let value = *outcome.as_ref().expect("task2 succeeds");
            wove::spawn(move || task3(value)).detach();
        });
    });
    group.wait().expect("no task fails");
    println!("Main: chain is done");
}
