//! asyncio's "create 20 tasks and await each": `tasks = [asyncio.create_task(task_coro(i)) for i in range(20)]`,
//! then `for task in tasks: await task`.
//!
//! The tasks run in parallel, so their own lines come in any order; the caller then reports each result in
//! creation order.

fn task_body(value: u32) -> u32 {
    println!(">task {value} executing");
    value * 10
}

fn main() {
    let engine = wove::Engine::new();
    println!("main starting");
    let tasks: Vec<_> = (0..20).map(|i| engine.spawn(move || task_body(i))).collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.join().expect("the task succeeds"); // await task
        println!(">got {result} from task {i}");
    }
    println!("main done");
}
