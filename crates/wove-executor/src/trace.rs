//! Execution traces in the Chrome trace-event format (open them in Perfetto or `chrome://tracing`): one
//! track per worker, one slice per job it ran — a task's run or poll, with its name and id, or a `join` /
//! `install` job. Recording happens only with [`Builder::trace`](crate::Builder::trace); otherwise the cost is
//! one branch per job.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Instant;

use crate::TaskId;
use crate::sync::Mutex;

/// What a slice shows.
pub(crate) enum What {
    Task { id: TaskId, name: Option<Arc<str>> },
    Join,
}

struct Slice {
    start_ns: u64,
    duration_ns: u64,
    what: What,
}

/// The recorded slices, one lane per worker (each lane written by its worker only).
pub(crate) struct Tracer {
    start: Instant,
    lanes: Box<[Mutex<Vec<Slice>>]>,
}

impl Tracer {
    pub(crate) fn new(workers: usize) -> Self {
        Self { start: Instant::now(), lanes: (0..workers).map(|_| Mutex::new(Vec::new())).collect() }
    }

    /// Runs `job` on worker `lane`, recording it as a slice.
    pub(crate) fn record<R>(&self, lane: usize, what: impl FnOnce() -> What, job: impl FnOnce() -> R) -> R {
        let start = Instant::now();
        let result = job();
        let end = Instant::now();
        let slice = Slice {
            start_ns: start.duration_since(self.start).as_nanos() as u64,
            duration_ns: end.duration_since(start).as_nanos() as u64,
            what: what(),
        };
        self.lanes[lane].lock().push(slice);
        result
    }

    /// Writes every slice so far as a trace-event JSON document; `thread_names[i]` names lane `i`.
    pub(crate) fn write(&self, out: &mut impl Write, thread_names: &[String]) -> io::Result<()> {
        write!(out, "{{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")?;
        let mut first = true;
        let mut separator = |out: &mut dyn Write| -> io::Result<()> {
            if !std::mem::take(&mut first) {
                out.write_all(b",\n")?;
            }
            Ok(())
        };
        for (lane, name) in thread_names.iter().enumerate() {
            separator(out)?;
            write!(out, "{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":{lane},\"args\":{{\"name\":")?;
            write_json_string(out, name)?;
            write!(out, "}}}}")?;
        }
        for (lane, slices) in self.lanes.iter().enumerate() {
            for slice in slices.lock().iter() {
                separator(out)?;
                let (ts, dur) = (slice.start_ns as f64 / 1000.0, slice.duration_ns as f64 / 1000.0);
                write!(out, "{{\"ph\":\"X\",\"pid\":1,\"tid\":{lane},\"ts\":{ts:.3},\"dur\":{dur:.3},")?;
                match &slice.what {
                    What::Task { id, name } => {
                        write!(out, "\"cat\":\"task\",\"name\":")?;
                        write_json_string(out, name.as_deref().unwrap_or("task"))?;
                        write!(out, ",\"args\":{{\"id\":{id}}}}}")?;
                    }
                    What::Join => write!(out, "\"cat\":\"join\",\"name\":\"join\"}}")?,
                }
            }
        }
        writeln!(out, "]}}")
    }
}

/// Writes `text` as a JSON string literal.
fn write_json_string(out: &mut dyn Write, text: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    for c in text.chars() {
        match c {
            '"' => out.write_all(b"\\\"")?,
            '\\' => out.write_all(b"\\\\")?,
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32)?,
            c => write!(out, "{c}")?,
        }
    }
    out.write_all(b"\"")
}
