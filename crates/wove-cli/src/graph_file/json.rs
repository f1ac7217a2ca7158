//! JSON graph files: `{"nodes": [{"id": "a", "name": "load", "cost": 3, "deps": ["b", ...]}, ...]}`. Ids are
//! strings or numbers; `name` is optional (the id stands in).

use std::collections::HashMap;

use serde_json::Value;

use super::{FileNode, GraphFile, ParseError, cost};

pub(crate) fn parse(text: &str) -> Result<GraphFile, ParseError> {
    let document: Value =
        serde_json::from_str(text).map_err(|error| ParseError::at(error.line(), format!("not valid JSON: {error}")))?;
    let nodes = document
        .get("nodes")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::whole("no \"nodes\" list at the top level"))?;
    let id_of = |node: &Value, position: usize| -> Result<String, ParseError> {
        match node.get("id") {
            Some(Value::String(id)) => Ok(id.clone()),
            Some(Value::Number(id)) => Ok(id.to_string()),
            _ => Err(ParseError::whole(format!("node {} has no \"id\" (a string or a number)", position + 1))),
        }
    };
    let mut graph = GraphFile::default();
    let mut index = HashMap::new();
    for (position, node) in nodes.iter().enumerate() {
        let id = id_of(node, position)?;
        if index.insert(id.clone(), position).is_some() {
            return Err(ParseError::whole(format!("node '{id}' is defined twice")));
        }
        let node_cost = match node.get("cost") {
            Some(Value::Number(number)) => cost(&number.to_string()),
            Some(other) => cost(&other.to_string()),
            None => Err("no \"cost\"".to_string()),
        }
        .map_err(|why| ParseError::whole(format!("node '{id}': {why}")))?;
        let name = match node.get("name") {
            Some(Value::String(name)) => name.clone(),
            _ => id,
        };
        graph.nodes.push(FileNode { name, cost: node_cost });
    }
    for (position, node) in nodes.iter().enumerate() {
        let id = id_of(node, position)?;
        let deps = match node.get("deps") {
            None => continue,
            Some(Value::Array(deps)) => deps,
            Some(_) => return Err(ParseError::whole(format!("node '{id}': \"deps\" is not a list"))),
        };
        for dep in deps {
            let dep_id = match dep {
                Value::String(dep) => dep.clone(),
                Value::Number(dep) => dep.to_string(),
                other => return Err(ParseError::whole(format!("node '{id}': dependency {other} is not an id"))),
            };
            let &before = index
                .get(&dep_id)
                .ok_or_else(|| ParseError::whole(format!("node '{id}' depends on unknown node '{dep_id}'")))?;
            graph.edges.push((before, position));
        }
    }
    Ok(graph)
}
