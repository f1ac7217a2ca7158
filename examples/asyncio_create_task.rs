//! asyncio's "create a task and await it": `asyncio.create_task(task_coroutine())` then `await task`.
//!
//! Prints `main coroutine started`, `executing the task`, `main coroutine done`. The task runs on an engine
//! worker in the background; the caller never blocks until it joins.

fn task_body() {
    println!("executing the task");
}

fn main() {
    let engine = wove::Engine::new();
    println!("main coroutine started");
    let task = engine.spawn(task_body); // asyncio.create_task(task_coroutine())
    task.join().expect("the task succeeds"); // await task
    println!("main coroutine done");
}
