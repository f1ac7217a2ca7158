//! asyncio's "schedule a follow-up task from the task itself": the task calls `asyncio.create_task(followup())`
//! before it finishes.
//!
//! Inside a task, `wove::spawn` uses the task's own engine. The task returns the follow-up's handle so the caller
//! can wait for it too.

fn followup() {
    println!("Follow-up task starting");
    println!("Follow-up task done");
}

fn main() {
    let engine = wove::Engine::new();
    let task = engine.spawn(|| {
        println!("Task starting");
        let follow_up = wove::spawn(followup); // scheduled from inside the task
        println!("Task done");
        follow_up
    });
    let follow_up = task.join().expect("the task succeeds");
    follow_up.join().expect("the follow-up succeeds");
}
