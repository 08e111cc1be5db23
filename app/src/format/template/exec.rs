//! Walks a parsed template over a JSON value, the way Go's `text/template`
//! executes over Docker's data: dot rebinding in `range`/`with`, variables
//! scoped to their block, `<no value>` for missing fields.

use serde_json::Value;

use super::funcs;
use super::parse::{Arg, Branch, Command, Node, Pipeline};
use crate::format::gofmt::{go_type_name, is_true, print_value};

/// A failure while executing: byte offset in the source and the message.
pub type ExecError = (usize, String);

static NULL: Value = Value::Null;

pub struct Exec<'o> {
    /// Variables in scope, innermost last; `""` is `$`.
    vars: Vec<(String, Value)>,
    out: &'o mut String,
    /// Rendering a table header: Docker's identity functions apply.
    header: bool,
}

impl<'o> Exec<'o> {
    pub fn new(root: &Value, out: &'o mut String, header: bool) -> Self {
        Exec {
            vars: vec![(String::new(), root.clone())],
            out,
            header,
        }
    }

    pub fn walk(&mut self, nodes: &[Node], dot: &Value) -> Result<(), ExecError> {
        for node in nodes {
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipeline(dot, p)?;
                    if p.decl.is_empty() {
                        self.out.push_str(&print_value(&v));
                    }
                }
                Node::If(b) => self.scoped(|ex| {
                    let v = ex.pipeline(dot, &b.pipe)?;
                    ex.walk(if is_true(&v) { &b.then } else { &b.otherwise }, dot)
                })?,
                Node::With(b) => self.scoped(|ex| {
                    let v = ex.pipeline(dot, &b.pipe)?;
                    if is_true(&v) {
                        ex.walk(&b.then, &v)
                    } else {
                        ex.walk(&b.otherwise, dot)
                    }
                })?,
                Node::Range(b) => self.scoped(|ex| ex.range(b, dot))?,
            }
        }
        Ok(())
    }

    /// Runs `f` and then drops any variables it declared: a variable lives
    /// until the `{{end}}` of the block it was declared in.
    fn scoped(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), ExecError>,
    ) -> Result<(), ExecError> {
        let mark = self.vars.len();
        let result = f(self);
        self.vars.truncate(mark);
        result
    }

    fn range(&mut self, b: &Branch, dot: &Value) -> Result<(), ExecError> {
        let v = self.commands(dot, &b.pipe.cmds)?;
        // (key, element) pairs; maps iterate in sorted key order like Go.
        let items: Vec<(Value, Value)> = match v {
            Value::Array(a) => a
                .into_iter()
                .enumerate()
                .map(|(i, e)| (Value::from(i), e))
                .collect(),
            Value::Object(m) => {
                let mut pairs: Vec<(String, Value)> = m.into_iter().collect();
                pairs.sort_by(|x, y| x.0.cmp(&y.0));
                pairs
                    .into_iter()
                    .map(|(k, e)| (Value::String(k), e))
                    .collect()
            }
            // Go ranges over nothing for a nil value and over 0..n for an int.
            Value::Null => Vec::new(),
            Value::Number(n) if n.as_u64().is_some() => (0..n.as_u64().unwrap_or(0))
                .map(|i| (Value::from(i), Value::from(i)))
                .collect(),
            other => {
                let mut shown = String::new();
                crate::format::gofmt::write_nested(&other, &mut shown);
                return Err((
                    b.pipe.pos,
                    format!(
                        "range can't iterate over {shown} ({})",
                        go_type_name(&other)
                    ),
                ));
            }
        };
        if items.is_empty() {
            return self.walk(&b.otherwise, dot);
        }
        for (key, elem) in items {
            let mark = self.vars.len();
            match b.pipe.decl.as_slice() {
                [one] => self.vars.push((one.clone(), elem.clone())),
                [k, e] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((e.clone(), elem.clone()));
                }
                _ => {}
            }
            let result = self.walk(&b.then, &elem);
            self.vars.truncate(mark);
            result?;
        }
        Ok(())
    }

    /// Evaluates a pipeline and performs its declaration or assignment.
    fn pipeline(&mut self, dot: &Value, p: &Pipeline) -> Result<Value, ExecError> {
        let v = self.commands(dot, &p.cmds)?;
        for name in &p.decl {
            if p.assign {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    slot.1 = v.clone();
                }
            } else {
                self.vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    /// Runs `a | b | c`: each result becomes the last argument of the next.
    fn commands(&mut self, dot: &Value, cmds: &[Command]) -> Result<Value, ExecError> {
        let mut piped = None;
        for cmd in cmds {
            piped = Some(self.command(dot, cmd, piped)?);
        }
        Ok(piped.unwrap_or(Value::Null))
    }

    fn command(
        &mut self,
        dot: &Value,
        cmd: &Command,
        piped: Option<Value>,
    ) -> Result<Value, ExecError> {
        let Some(Arg::Func(name)) = cmd.args.first() else {
            // The parser only lets a non-function stand alone.
            return match cmd.args.first() {
                Some(arg) => self.arg(dot, arg, cmd.pos),
                None => Ok(Value::Null),
            };
        };
        let rest = &cmd.args[1..];
        // `and`/`or` stop evaluating at the deciding argument, as in Go, so
        // `{{if and .A (index .A 0)}}` is safe when .A is empty.
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut last = Value::Null;
            for arg in rest {
                last = self.arg(dot, arg, cmd.pos)?;
                if is_true(&last) == want {
                    return Ok(last);
                }
            }
            if let Some(p) = piped {
                last = p;
            } else if rest.is_empty() {
                return Err((
                    cmd.pos,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            return Ok(last);
        }
        let mut args = Vec::with_capacity(rest.len() + 1);
        for arg in rest {
            args.push(self.arg(dot, arg, cmd.pos)?);
        }
        args.extend(piped);
        funcs::call(name, &args, self.header)
            .map_err(|e| (cmd.pos, format!("error calling {name}: {e}")))
    }

    fn arg(&mut self, dot: &Value, arg: &Arg, pos: usize) -> Result<Value, ExecError> {
        match arg {
            Arg::Dot => Ok(dot.clone()),
            Arg::Field(path) => field(dot, path).map_err(|e| (pos, e)),
            Arg::Var(name, path) => {
                let v = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map_or(&NULL, |(_, v)| v);
                field(v, path).map_err(|e| (pos, e))
            }
            Arg::Func(name) => funcs::call(name, &[], self.header)
                .map_err(|e| (pos, format!("error calling {name}: {e}"))),
            Arg::Literal(v) => Ok(v.clone()),
            Arg::Nil => Ok(Value::Null),
            Arg::Sub(p, path) => {
                let v = self.pipeline(dot, p)?;
                field(&v, path).map_err(|e| (pos, e))
            }
        }
    }
}

/// Follows `.A.B` from `v`. A key that is missing is an error, as in Docker (its CLI
/// runs templates with `missingkey=error`); a key that holds null yields null
/// (`<no value>`), and so does anything below it.
fn field(v: &Value, path: &[String]) -> Result<Value, String> {
    let mut cur = v;
    for name in path {
        cur = match cur {
            Value::Object(map) => map
                .get(name)
                .ok_or_else(|| format!("map has no entry for key \"{name}\""))?,
            Value::Null => &NULL,
            other => {
                return Err(format!(
                    "can't evaluate field {name} in type {}",
                    go_type_name(other)
                ))
            }
        };
    }
    Ok(cur.clone())
}
