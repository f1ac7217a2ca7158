//! asyncio's "a named task": `asyncio.create_task(coro(), name='MyTask')`, `task.get_name()`, and
//! `asyncio.current_task().get_name()` inside it.

fn main() {
    let engine = wove::Engine::new();
    let task = engine.task().name("MyTask").spawn(|| {
        let me = wove::current_task().expect("running inside a task");
        println!("Task running, my name is {}", me.name().unwrap_or("?"));
    });
    println!("Created task {}", task.name().unwrap_or("?"));
    task.join().expect("the task succeeds");
}
