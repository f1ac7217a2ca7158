//! asyncio's "run a task in the background while the caller does other work".
//!
//! The background task and the caller run at the same time, on different threads; the caller joins the task
//! only when it needs the result. (The tempting wrong way — calling the work directly — would run it on the
//! caller's thread and do nothing in parallel.)

use std::time::Duration;

fn main() {
    let engine = wove::Engine::new();
    println!("Main starting");
    let background = engine.task().name("background").spawn_async(async {
        println!("Background task starting");
        wove::sleep(Duration::from_millis(50)).await; // await asyncio.sleep(0.05): the worker is free meanwhile
        println!("Background task done");
        "background result"
    });
    println!("Main doing other work");
    std::thread::sleep(Duration::from_millis(10));
    println!("Main waiting for the background task");
    let result = background.join().expect("the background task succeeds");
    println!("Main got: {result}");
}
