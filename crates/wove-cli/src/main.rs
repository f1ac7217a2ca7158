//! `wove`: the command line of the wove job engine. `wove bench` measures wove against rayon, tokio and
//! async-executor on the standard workloads, in one process, across thread counts; `wove graph FILE` runs a
//! task-graph file and reports how close each run came to the lower bound.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use wove_cli::{Format, GraphFile, GraphPlan, Peer, Plan, Pool, Report, Sizes, Workload};

#[derive(Parser)]
#[command(name = "wove", version, about = "The wove job engine's command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure wove against rayon, tokio and async-executor on the standard workloads, across thread counts.
    Bench(BenchArgs),
    /// Run a task-graph file (DOT, JSON or STG) whose nodes carry costs, as busy work of that length, and report
    /// makespan, work, critical path and how close each run came to the lower bound max(CP, W / threads).
    Graph(GraphArgs),
}

#[derive(clap::Args)]
struct GraphArgs {
    /// The graph file: `.dot`/`.gv` (node attribute `cost`), `.json` ({"nodes": [{"id", "name"?, "cost",
    /// "deps"}]}) or `.stg` (the Standard Task Graph format).
    file: PathBuf,
    /// The file's format, if its extension does not say: dot, json or stg.
    #[arg(long)]
    format: Option<String>,
    /// Thread counts, comma-separated, or `max` for all cores only (default: 1, 2, 4, … up to the cores).
    #[arg(long)]
    threads: Option<String>,
    /// Microseconds of busy work per unit of cost.
    #[arg(long, default_value_t = 1000)]
    unit_us: u64,
    /// Timed runs per thread count, after a warm-up; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a Chrome trace (open in Perfetto) of one run at the most threads: a slice per node.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Write the graph in DOT with one run's measured times (colour by time, the critical path marked).
    #[arg(long)]
    dot: Option<PathBuf>,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Workloads to run, comma-separated: spawn, fanout, fib, chain, wavefront, graph_wavefront, graph_levels,
    /// graph_rerun, cpu (the default set), graph_chain, dag_chain, graph_tree, dag_tree, dag_levels, or
    /// `taskflow` for the shapes of Taskflow's benchmarks, each as a graph and hand-coded.
    #[arg(long, value_delimiter = ',')]
    workload: Vec<String>,
    /// Thread counts, comma-separated, or `max` for all cores only (default: 1, 2, 4, … up to the cores).
    #[arg(long)]
    threads: Option<String>,
    /// Engines, comma-separated: wove, rayon, tokio, async-executor (default: all).
    #[arg(long, value_delimiter = ',')]
    peers: Vec<String>,
    /// Timed runs per measurement, after a warm-up run (default: 5, or 3 with --quick).
    #[arg(long)]
    reps: Option<usize>,
    /// Smaller workloads and fewer runs, at 1 and 2 threads unless --threads says otherwise: under 30 s on two
    /// cores.
    #[arg(long)]
    quick: bool,
    /// Taskflow's sizes for the DAG workloads (chain and tree of 2^22 nodes, 1024 x 1024 grid, 1024 levels of
    /// 1024): seconds per run.
    #[arg(long)]
    taskflow_sizes: bool,
    /// Write every measurement as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a plot of throughput against threads (one panel per workload) as SVG to this file.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Write a Chrome trace (open in Perfetto) of one run of the first workload on wove, at the most threads.
    #[arg(long)]
    trace: Option<PathBuf>,
}

fn main() -> ExitCode {
    let (command, outcome) = match Cli::parse().command {
        Command::Bench(args) => ("bench", bench(args)),
        Command::Graph(args) => ("graph", graph(args)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wove {command}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Checks, before any work, that each output file can be written (creating it).
fn check_outputs(paths: &[&Option<PathBuf>]) -> Result<(), String> {
    for path in paths.iter().filter_map(|path| path.as_ref()) {
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn progress_bar(total: u64) -> ProgressBar {
    let progress = if std::io::stderr().is_terminal() { ProgressBar::new(total) } else { ProgressBar::hidden() };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("a valid template").progress_chars("=> "),
    );
    progress
}

fn graph(args: GraphArgs) -> Result<(), String> {
    let format = match &args.format {
        Some(name) => Some(Format::parse(name).ok_or_else(|| format!("unknown format '{name}' (dot, json or stg)"))?),
        None => None,
    };
    if args.runs == 0 {
        return Err("--runs must be at least 1".to_string());
    }
    if args.unit_us == 0 {
        return Err("--unit-us must be at least 1".to_string());
    }
    check_outputs(&[&args.json, &args.trace, &args.dot])?;
    let file = GraphFile::read(&args.file, format)?;
    let threads = thread_counts(args.threads.as_deref(), false)?;
    let plan = GraphPlan { threads, unit: std::time::Duration::from_micros(args.unit_us), runs: args.runs };
    let progress = progress_bar(plan.threads.len() as u64);
    let report = wove_cli::run_graph_file(&file, &plan, &progress)?;
    progress.finish_and_clear();
    println!("wove graph {}: {}", args.file.display(), report.table().trim_end());
    if let Some(path) = &args.json {
        std::fs::write(path, report.json()).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    }
    if args.trace.is_some() || args.dot.is_some() {
        let threads = *plan.threads.last().expect("at least one thread count");
        wove_cli::write_profiled_run(&file, plan.unit, threads, args.trace.as_deref(), args.dot.as_deref())?;
    }
    Ok(())
}

fn parse_list<T>(
    names: &[String],
    all: &[T],
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
    valid: &str,
) -> Result<Vec<T>, String>
where
    T: Copy,
{
    if names.is_empty() {
        return Ok(all.to_vec());
    }
    names.iter().map(|name| parse(name.trim()).ok_or_else(|| format!("unknown {what} '{name}' ({valid})"))).collect()
}

fn thread_counts(spec: Option<&str>, quick: bool) -> Result<Vec<usize>, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = match spec {
        Some("max") => vec![cores],
        Some(list) => list
            .split(',')
            .map(|t| t.trim().parse::<usize>().ok().filter(|&t| t > 0).ok_or(format!("bad thread count '{t}'")))
            .collect::<Result<Vec<_>, _>>()?,
        None if quick => vec![1, 2],
        None => {
            let mut counts: Vec<usize> =
                std::iter::successors(Some(1), |&t| Some(t * 2)).take_while(|&t| t < cores).collect();
            counts.push(cores);
            counts
        }
    };
    counts.sort_unstable();
    counts.dedup();
    Ok(counts)
}

fn bench(args: BenchArgs) -> Result<(), String> {
    let mut names = Vec::new();
    for name in &args.workload {
        match name.trim() {
            "taskflow" => names.extend(Workload::TASKFLOW.iter().map(|workload| workload.name().to_string())),
            name => names.push(name.to_string()),
        }
    }
    let valid_workloads = format!(
        "one of: {}, {}, or taskflow",
        Workload::ALL.iter().map(|workload| workload.name()).collect::<Vec<_>>().join(", "),
        Workload::TASKFLOW
            .iter()
            .filter(|w| !Workload::ALL.contains(w))
            .map(|w| w.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let workloads = parse_list(&names, &Workload::ALL, Workload::parse, "workload", &valid_workloads)?;
    let valid_peers = format!("one of: {}", Peer::ALL.iter().map(|peer| peer.name()).collect::<Vec<_>>().join(", "));
    let peers = parse_list(&args.peers, &Peer::ALL, Peer::parse, "engine", &valid_peers)?;
    let threads = thread_counts(args.threads.as_deref(), args.quick)?;
    let reps = args.reps.unwrap_or(if args.quick { 3 } else { 5 });
    if reps == 0 {
        return Err("--reps must be at least 1".to_string());
    }
    check_outputs(&[&args.json, &args.svg, &args.trace])?;
    let sizes = match (args.taskflow_sizes, args.quick) {
        (true, _) => Sizes::taskflow(),
        (false, true) => Sizes::quick(),
        (false, false) => Sizes::full(),
    };
    let plan = Plan { workloads, peers, threads, reps, sizes };

    let progress = progress_bar((plan.workloads.len() * plan.peers.len() * plan.threads.len()) as u64);
    let measurements = wove_cli::sweep(&plan, &progress)?;
    progress.finish_and_clear();

    let report = Report::new(plan, measurements);
    println!(
        "wove bench: {} workloads x {} engines x threads {:?}, {} timed runs each after a warm-up, {} CPUs{}",
        report.plan.workloads.len(),
        report.plan.peers.len(),
        report.plan.threads,
        report.plan.reps,
        report.cpus,
        if args.quick { " (quick)" } else { "" }
    );
    print!("{}", report.table());
    println!("\nall results verified");
    if let Some(path) = &args.json {
        std::fs::write(path, report.json()).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.svg {
        wove_cli::write_svg(&report, path)?;
    }
    if let Some(path) = &args.trace {
        let threads = *report.plan.threads.last().expect("at least one thread count");
        let workload = report.plan.workloads[0];
        let pool = Pool::traced(threads)?;
        workload.run(&pool, &report.plan.sizes)?;
        pool.write_trace(path)?;
        println!("trace of one {workload} run on wove at {threads} threads: {}", path.display());
    }
    Ok(())
}
