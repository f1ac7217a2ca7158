//! The callback-driven chain of `asyncio_callback_chain.rs`, the idiomatic way: `then` passes each result to the
//! next step (each its own job), and the caller gets the end result — which the asyncio callback chain cannot
//! give it.
//!
//! Prints `>task1()`, `>task2() got 1`, `>task3() got 2`, `Main: chain is done`.

use wove::prelude::*;

fn task1() -> u32 {
    println!(">task1()");
    1
}

fn task2(value: u32) -> u32 {
    println!(">task2() got {value}");
    value + 1
}

fn task3(value: u32) -> &'static str {
    println!(">task3() got {value}");
    "chain is done"
}

fn main() {
    let engine = Engine::new();
    let result = engine.spawn(task1).then(task2).then(task3).join().expect("no step fails");
    println!("Main: {result}");
}
