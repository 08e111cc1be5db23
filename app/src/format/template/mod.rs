//! A subset of Go's `text/template` over `serde_json::Value`, as Docker's
//! `--format` flags use it.
//!
//! A template is parsed once, so a malformed `--format` is rejected before
//! any row is printed, and then rendered per row. Supported: text, `{{.}}`,
//! field chains, variables, `if`/`else if`/`with`/`range` (with `$k, $v :=`),
//! `{{- -}}` trimming, comments, pipelines, parenthesised arguments, and the
//! functions in [`funcs`] (Go's built-ins plus Docker's additions).
//! Methods: Docker's row contexts are Go values whose methods templates call
//! (`{{.Label "com.example"}}`); a renderer passes them as [`Methods`], and
//! they answer on the root value only, as they do on Docker's context.
//! Not supported: `define`/`template`/`block`, `break`/`continue`.

mod exec;
mod funcs;
mod lex;
mod parse;
mod printf;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use parse::{Arg, Node, Pipeline};

/// The methods the root value has besides its fields, as Go methods on the
/// formatter context Docker renders (`ContainerContext.Label`).
pub trait Methods {
    /// Call `name` with `args`; `None` when there is no method of that name.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
}

/// A root value without methods (inspect output, headers).
pub struct NoMethods;

impl Methods for NoMethods {
    fn call(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        None
    }
}

/// A parsed template, ready to render any number of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    nodes: Vec<Node>,
}

/// Whether an error came from reading the template or from running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateErrorKind {
    Parse,
    Exec,
}

/// A template error with the 1-based line and column it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    pub line: usize,
    pub column: usize,
    /// Byte offset into the template source that `line`/`column` describe.
    pub offset: usize,
    pub message: String,
}

impl TemplateError {
    /// Re-expresses the position against `source`, for callers that parsed
    /// a preprocessed copy of what the user typed.
    pub fn relocate(mut self, source: &str, offset: usize) -> TemplateError {
        self.offset = offset.min(source.len());
        self.line = parse::line(source, self.offset);
        self.column = parse::column(source, self.offset);
        self
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TemplateErrorKind::Parse => "template parsing error",
            TemplateErrorKind::Exec => "template error",
        };
        if self.line > 1 {
            write!(
                f,
                "{what} at line {}, column {}: {}",
                self.line, self.column, self.message
            )
        } else {
            write!(f, "{what} at column {}: {}", self.column, self.message)
        }
    }
}

impl std::error::Error for TemplateError {}

impl Template {
    /// Parses Go template source. Docker's `\t`/`\n` escapes are *not*
    /// applied here; see [`crate::format::table::Format`] for that.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let err = |(at, message): (usize, String)| TemplateError {
            kind: TemplateErrorKind::Parse,
            offset: at,
            line: parse::line(source, at),
            column: parse::column(source, at),
            message,
        };
        let toks = lex::lex(source).map_err(err)?;
        let nodes = parse::parse(source, toks).map_err(err)?;
        Ok(Template {
            source: source.to_string(),
            nodes,
        })
    }

    /// The source this template was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders the template with `data` as dot.
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        self.render_with(data, &NoMethods)
    }

    /// Renders the template with `data` as dot and `methods` callable on it.
    pub fn render_with(
        &self,
        data: &Value,
        methods: &dyn Methods,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        self.render_into(data, methods, false, &mut out)?;
        Ok(out)
    }

    /// Renders a table header: `headers` maps field names to column titles,
    /// and Docker's header functions (`upper`, `json`, ... as identity)
    /// apply. Like Docker, an error just ends the header where it happened.
    pub fn render_header(&self, headers: &Value) -> String {
        let mut out = String::new();
        let _ = self.render_into(headers, &NoMethods, true, &mut out);
        out
    }

    fn render_into(
        &self,
        data: &Value,
        methods: &dyn Methods,
        header: bool,
        out: &mut String,
    ) -> Result<(), TemplateError> {
        exec::Exec::new(data, methods, out, header)
            .walk(&self.nodes, data)
            .map_err(|(at, message)| TemplateError {
                kind: TemplateErrorKind::Exec,
                offset: at,
                line: parse::line(&self.source, at),
                column: parse::column(&self.source, at),
                message,
            })
    }

    /// The first name of every `.Field` chain in the template, for building
    /// a header row that covers each column.
    pub fn field_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        collect_nodes(&self.nodes, &mut names);
        names
    }
}

fn collect_nodes(nodes: &[Node], names: &mut BTreeSet<String>) {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Action(p) => collect_pipe(p, names),
            Node::If(b) | Node::With(b) | Node::Range(b) => {
                collect_pipe(&b.pipe, names);
                collect_nodes(&b.then, names);
                collect_nodes(&b.otherwise, names);
            }
        }
    }
}

fn collect_pipe(p: &Pipeline, names: &mut BTreeSet<String>) {
    for arg in p.cmds.iter().flat_map(|c| &c.args) {
        match arg {
            Arg::Field(path) => names.extend(path.first().cloned()),
            Arg::Sub(inner, _) => collect_pipe(inner, names),
            _ => {}
        }
    }
}
