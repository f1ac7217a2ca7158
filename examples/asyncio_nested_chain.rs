//! asyncio's "independent steps with a nested chain": `chain(task1(), chain(task2_sub1(), task2_sub2()),
//! task3())` runs the steps one after another and returns nested results.
//!
//! With wove each step runs as its own job, in order; nothing runs where `chain!` is written. Prints `>task1()`,
//! `>task2_sub1()`, `>task2_sub2()`, `>task3()`, then `Main: (1, (21, 22), 3)`.

use wove::chain;
use wove::prelude::*;

fn task1() -> u32 {
    println!(">task1()");
    1
}

fn task2_sub1() -> u32 {
    println!(">task2_sub1()");
    21
}

fn task2_sub2() -> u32 {
    println!(">task2_sub2()");
    22
}

fn task3() -> u32 {
    println!(">task3()");
    3
}

fn main() {
    let engine = Engine::new();
    let steps = chain!(task1, chain!(task2_sub1, task2_sub2), task3);
    let results = engine.spawn(steps).join().expect("no step fails");
    println!("Main: {results:?}");
}
