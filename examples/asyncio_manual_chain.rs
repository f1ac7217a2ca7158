//! asyncio's "manual chaining": `func1` awaits `func2`, which awaits `func3`; each adds to the result.
//!
//! With wove each step is its own task, started when the one before it has finished, and the caller gets the
//! end result from the tail: `>func3()`, `>func2()`, `>func1()`, `Main: 103`.

use wove::prelude::*;

fn func3() -> u32 {
    println!(">func3()");
    100
}

fn func2(value: u32) -> u32 {
    println!(">func2()");
    value + 2
}

fn func1(value: u32) -> u32 {
    println!(">func1()");
    value + 1
}

fn main() {
    let engine = Engine::new();
    let result = engine.spawn(func3).then(func2).then(func1).join().expect("no step fails");
    println!("Main: {result}");
}
