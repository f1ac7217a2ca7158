//! asyncio's "schedule a follow-up task from the caller": `await task`, then, using its result,
//! `asyncio.create_task(followup(result))`.

fn main() {
    let engine = wove::Engine::new();
    let task = engine.spawn(|| {
        println!("Task starting");
        println!("Task done");
        7
    });
    let result = task.join().expect("the task succeeds");
    let follow_up = engine.spawn(move || {
        println!("Follow-up task starting with {result}");
        println!("Follow-up task done");
    });
    follow_up.join().expect("the follow-up succeeds");
}
