//! The subset of Graphviz DOT that graph files use: `digraph name { ... }` with node statements and their
//! attribute lists (`a [cost=3, label="load"]`), edge chains (`a -> b -> c`), `node [...]` defaults, graph
//! attributes (ignored), subgraphs (flattened), quoted ids, and `//`, `/* */` and `#` comments. A node's `cost`
//! is required; its `label`, if any, is its name.

use std::collections::HashMap;

use super::{FileNode, GraphFile, ParseError, cost};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// An id: a name, a number, or a quoted string (unquoted).
    Id(String),
    Arrow,
    Undirected,
    Open,
    Close,
    OpenList,
    CloseList,
    Equals,
    Separator,
}

/// The tokens of `text`, each with its line.
fn tokens(text: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let (mut at, mut line, mut tokens) = (0, 1, Vec::new());
    let mut line_start = true;
    while at < chars.len() {
        let c = chars[at];
        match c {
            '\n' => {
                line += 1;
                line_start = true;
                at += 1;
                continue;
            }
            c if c.is_whitespace() => at += 1,
            '#' if line_start => {
                while at < chars.len() && chars[at] != '\n' {
                    at += 1;
                }
            }
            '/' if chars.get(at + 1) == Some(&'/') => {
                while at < chars.len() && chars[at] != '\n' {
                    at += 1;
                }
            }
            '/' if chars.get(at + 1) == Some(&'*') => {
                let start = line;
                at += 2;
                while at < chars.len() && !(chars[at] == '*' && chars.get(at + 1) == Some(&'/')) {
                    line += usize::from(chars[at] == '\n');
                    at += 1;
                }
                if at >= chars.len() {
                    return Err(ParseError::at(start, "a /* comment is not closed"));
                }
                at += 2;
            }
            '"' => {
                let start = line;
                let mut id = String::new();
                at += 1;
                loop {
                    match chars.get(at) {
                        None => return Err(ParseError::at(start, "a quoted id is not closed")),
                        Some('"') => break,
                        Some('\\') if chars.get(at + 1) == Some(&'"') => {
                            id.push('"');
                            at += 1;
                        }
                        Some(&c) => {
                            line += usize::from(c == '\n');
                            id.push(c);
                        }
                    }
                    at += 1;
                }
                at += 1;
                tokens.push((Token::Id(id), start));
            }
            '-' if chars.get(at + 1) == Some(&'>') => {
                tokens.push((Token::Arrow, line));
                at += 2;
            }
            '-' if chars.get(at + 1) == Some(&'-') => {
                tokens.push((Token::Undirected, line));
                at += 2;
            }
            '{' | '}' | '[' | ']' | '=' | ';' | ',' => {
                let token = match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    '[' => Token::OpenList,
                    ']' => Token::CloseList,
                    '=' => Token::Equals,
                    _ => Token::Separator,
                };
                tokens.push((token, line));
                at += 1;
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                let start = at;
                while at < chars.len() && (chars[at].is_alphanumeric() || matches!(chars[at], '_' | '.' | '-')) {
                    if chars[at] == '-' && matches!(chars.get(at + 1), Some('>' | '-')) {
                        break;
                    }
                    at += 1;
                }
                tokens.push((Token::Id(chars[start..at].iter().collect()), line));
            }
            other => return Err(ParseError::at(line, format!("unexpected '{other}'"))),
        }
        line_start = false;
    }
    Ok(tokens)
}

/// A node while the file is read: its attributes so far, and where it was first seen.
struct Pending {
    line: usize,
    cost: Option<(String, usize)>,
    label: Option<String>,
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    nodes: Vec<(String, Pending)>,
    index: HashMap<String, usize>,
    edges: Vec<(usize, usize)>,
    /// `node [...]` defaults in force: name = value, with the line.
    defaults: Vec<(String, String, usize)>,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(token, _)| token)
    }

    /// The line of the current token (or the last one).
    fn line(&self) -> usize {
        self.tokens.get(self.at).or(self.tokens.last()).map_or(1, |&(_, line)| line)
    }

    fn next(&mut self) -> Result<(Token, usize), ParseError> {
        let token = self.tokens.get(self.at).cloned().ok_or_else(|| ParseError::at(self.line(), "unexpected end"))?;
        self.at += 1;
        Ok(token)
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), ParseError> {
        let (token, line) = self.next()?;
        if token != expected {
            return Err(ParseError::at(line, format!("expected {what}")));
        }
        Ok(())
    }

    /// The node named `id`, made with the defaults in force if it is new.
    fn node(&mut self, id: &str, line: usize) -> Result<usize, ParseError> {
        if let Some(&index) = self.index.get(id) {
            return Ok(index);
        }
        let index = self.nodes.len();
        self.index.insert(id.to_string(), index);
        self.nodes.push((id.to_string(), Pending { line, cost: None, label: None }));
        for (name, value, line) in self.defaults.clone() {
            self.set(index, &name, value, line);
        }
        Ok(index)
    }

    fn set(&mut self, node: usize, name: &str, value: String, line: usize) {
        match name {
            "cost" => self.nodes[node].1.cost = Some((value, line)),
            "label" => self.nodes[node].1.label = Some(value),
            _ => {}
        }
    }

    /// `[a=b, c=d][...]`, if there is one.
    fn attributes(&mut self) -> Result<Vec<(String, String, usize)>, ParseError> {
        let mut attributes = Vec::new();
        while self.peek() == Some(&Token::OpenList) {
            self.at += 1;
            loop {
                match self.next()? {
                    (Token::CloseList, _) => break,
                    (Token::Separator, _) => continue,
                    (Token::Id(name), line) => {
                        self.expect(Token::Equals, &format!("'=' after attribute '{name}'"))?;
                        match self.next()? {
                            (Token::Id(value), _) => attributes.push((name, value, line)),
                            (_, line) => return Err(ParseError::at(line, format!("attribute '{name}' has no value"))),
                        }
                    }
                    (_, line) => return Err(ParseError::at(line, "expected an attribute or ']'")),
                }
            }
        }
        Ok(attributes)
    }

    /// Statements until the `}` that closes the current block (consumed).
    fn statements(&mut self) -> Result<(), ParseError> {
        loop {
            let (token, line) = self.next()?;
            match token {
                Token::Close => return Ok(()),
                Token::Separator => {}
                Token::Open => self.statements()?,
                Token::Id(keyword) if keyword == "subgraph" => {
                    if let Some(Token::Id(_)) = self.peek() {
                        self.at += 1;
                    }
                    self.expect(Token::Open, "'{' after subgraph")?;
                    self.statements()?;
                }
                Token::Id(keyword) if keyword == "node" || keyword == "graph" || keyword == "edge" => {
                    let attributes = self.attributes()?;
                    if keyword == "node" {
                        self.defaults.extend(attributes);
                    }
                }
                Token::Id(id) => match self.peek() {
                    Some(Token::Equals) => {
                        // A graph attribute: `rankdir = LR`.
                        self.at += 1;
                        self.next()?;
                    }
                    Some(Token::Arrow) => {
                        let mut chain = vec![self.node(&id, line)?];
                        while self.peek() == Some(&Token::Arrow) {
                            self.at += 1;
                            match self.next()? {
                                (Token::Id(next), line) => chain.push(self.node(&next, line)?),
                                (Token::Open, line) => {
                                    return Err(ParseError::at(line, "edges to subgraphs are not supported"));
                                }
                                (_, line) => return Err(ParseError::at(line, "expected a node after '->'")),
                            }
                        }
                        self.attributes()?;
                        self.edges.extend(chain.windows(2).map(|pair| (pair[0], pair[1])));
                    }
                    Some(Token::Undirected) => {
                        return Err(ParseError::at(line, "'--' is an undirected edge: a task graph needs '->'"));
                    }
                    _ => {
                        let node = self.node(&id, line)?;
                        for (name, value, line) in self.attributes()? {
                            self.set(node, &name, value, line);
                        }
                    }
                },
                _ => return Err(ParseError::at(line, "expected a statement")),
            }
        }
    }
}

pub(crate) fn parse(text: &str) -> Result<GraphFile, ParseError> {
    let mut parser = Parser {
        tokens: tokens(text)?,
        at: 0,
        nodes: Vec::new(),
        index: HashMap::new(),
        edges: Vec::new(),
        defaults: Vec::new(),
    };
    if parser.peek() == Some(&Token::Id("strict".to_string())) {
        parser.at += 1;
    }
    match parser.next()? {
        (Token::Id(kind), _) if kind == "digraph" => {}
        (Token::Id(kind), line) if kind == "graph" => {
            return Err(ParseError::at(line, "an undirected 'graph': a task graph is a 'digraph'"));
        }
        (_, line) => return Err(ParseError::at(line, "expected 'digraph'")),
    }
    if let Some(Token::Id(_)) = parser.peek() {
        parser.at += 1;
    }
    parser.expect(Token::Open, "'{'")?;
    parser.statements()?;
    if parser.at < parser.tokens.len() {
        return Err(ParseError::at(parser.line(), "text after the graph's closing '}'"));
    }
    let mut graph = GraphFile { nodes: Vec::new(), edges: parser.edges };
    for (id, pending) in parser.nodes {
        let node_cost = match pending.cost {
            Some((text, line)) => cost(&text).map_err(|why| ParseError::at(line, format!("node '{id}': {why}")))?,
            None => return Err(ParseError::at(pending.line, format!("node '{id}' has no cost attribute"))),
        };
        graph.nodes.push(FileNode { name: pending.label.unwrap_or(id), cost: node_cost });
    }
    Ok(graph)
}
