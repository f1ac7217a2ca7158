//! The Standard Task Graph format (Kasahara's set): a first line with the task count n, then one line per task
//! `id cost npred pred...` for ids 0..=n+1 in order (0 and n+1 are zero-cost entry and exit dummies, each
//! predecessor comes earlier), then `#` comment lines. Fields are whitespace-separated integers.

use super::{FileNode, GraphFile, ParseError};

pub(crate) fn parse(text: &str) -> Result<GraphFile, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    let (first, count) = lines.next().ok_or_else(|| ParseError::whole("no task count"))?;
    let tasks: usize =
        count.parse().map_err(|_| ParseError::at(first, format!("the task count '{count}' is not a number")))?;
    let mut graph = GraphFile::default();
    for expected in 0..tasks + 2 {
        let (line, text) = lines.next().ok_or_else(|| {
            ParseError::whole(format!("{} task lines, expected {} (ids 0 to {})", expected, tasks + 2, tasks + 1))
        })?;
        let fields: Vec<&str> = text.split_whitespace().collect();
        let number = |position: usize, what: &str| -> Result<u64, ParseError> {
            let field = fields.get(position).ok_or_else(|| ParseError::at(line, format!("no {what}")))?;
            field.parse().map_err(|_| ParseError::at(line, format!("{what} '{field}' is not a non-negative integer")))
        };
        let id = number(0, "task id")? as usize;
        if id != expected {
            return Err(ParseError::at(line, format!("task id {id}, expected {expected} (ids in order)")));
        }
        let cost = number(1, "cost")?;
        let npred = number(2, "predecessor count")? as usize;
        if fields.len() != 3 + npred {
            return Err(ParseError::at(
                line,
                format!("task {id} lists {} predecessors, its count says {npred}", fields.len().saturating_sub(3)),
            ));
        }
        for position in 3..3 + npred {
            let pred = number(position, "predecessor")? as usize;
            if pred >= id {
                return Err(ParseError::at(line, format!("task {id}: predecessor {pred} is not an earlier task")));
            }
            graph.edges.push((pred, id));
        }
        let name = match id {
            0 => "entry".to_string(),
            id if id == tasks + 1 => "exit".to_string(),
            id => id.to_string(),
        };
        graph.nodes.push(FileNode { name, cost: cost as f64 });
    }
    if let Some((line, text)) = lines.next() {
        return Err(ParseError::at(line, format!("'{text}' after the last task (comments start with #)")));
    }
    Ok(graph)
}
