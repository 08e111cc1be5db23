//! Walks a parsed template over a JSON value, the way Go's `text/template`
//! executes over Docker's data: dot rebinding in `range`/`with`, variables
//! scoped to their block, `<no value>` for missing fields, and the root
//! value's methods (`.Label "x"`) called with their arguments.

use serde_json::Value;

use super::funcs;
use super::parse::{Arg, Branch, Command, Node, Pipeline};
use super::Methods;
use crate::format::gofmt::{go_type_name, is_true, print_value};

/// A failure while executing: byte offset in the source and the message.
pub type ExecError = (usize, String);

static NULL: Value = Value::Null;

pub struct Exec<'o> {
    /// Variables in scope, innermost last; `""` is `$`.
    vars: Vec<(String, Value)>,
    /// The value the template was started on: the only one with methods.
    root: &'o Value,
    methods: &'o dyn Methods,
    out: &'o mut String,
    /// Rendering a table header: Docker's identity functions apply.
    header: bool,
}

impl<'o> Exec<'o> {
    pub fn new(
        root: &'o Value,
        methods: &'o dyn Methods,
        out: &'o mut String,
        header: bool,
    ) -> Self {
        Exec {
            vars: vec![(String::new(), root.clone())],
            root,
            methods,
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
                        // A bare field prints as Docker's typed value would.
                        let printed = match last_field(p) {
                            Some(name) => crate::format::gotypes::print_field(&v, name),
                            None => print_value(&v),
                        };
                        self.out.push_str(&printed);
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
            return match cmd.args.first() {
                // A field chain given arguments (or a piped value) is a method call.
                Some(first) if cmd.args.len() > 1 || piped.is_some() => {
                    self.method_call(dot, first, &cmd.args[1..], piped, cmd.pos)
                }
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

    /// `.A.Method arg...`: the chain up to the last name gives the receiver, and only
    /// the root value has methods. Anything else given arguments fails as Go's does.
    fn method_call(
        &mut self,
        dot: &Value,
        first: &Arg,
        rest: &[Arg],
        piped: Option<Value>,
        pos: usize,
    ) -> Result<Value, ExecError> {
        let (receiver, name, on_root) = match first {
            Arg::Field(path) => {
                let (name, head) = path.split_last().ok_or((pos, non_function()))?;
                let on_root = head.is_empty() && std::ptr::eq(dot, self.root);
                (field(dot, head).map_err(|e| (pos, e))?, name, on_root)
            }
            Arg::Var(var, path) => {
                let (name, head) = path.split_last().ok_or((pos, non_function()))?;
                let v = self.var(var).clone();
                let on_root = var.is_empty() && head.is_empty();
                (field(&v, head).map_err(|e| (pos, e))?, name, on_root)
            }
            Arg::Sub(p, path) => {
                let (name, head) = path.split_last().ok_or((pos, non_function()))?;
                let v = self.pipeline(dot, p)?;
                (field(&v, head).map_err(|e| (pos, e))?, name, false)
            }
            _ => return Err((pos, non_function())),
        };
        let mut args = Vec::with_capacity(rest.len() + 1);
        for arg in rest {
            args.push(self.arg(dot, arg, pos)?);
        }
        args.extend(piped);
        if on_root {
            if let Some(result) = self.methods.call(name, &args) {
                return result.map_err(|e| (pos, e));
            }
        }
        Err((
            pos,
            match &receiver {
                // Docker's row fields are methods without parameters.
                Value::Object(m) if on_root && m.contains_key(name) => {
                    format!("wrong number of args for {name}: want 0 got {}", args.len())
                }
                Value::Object(m) if m.contains_key(name) => {
                    format!("{name} is not a method but has arguments")
                }
                Value::Object(_) => format!("map has no entry for key \"{name}\""),
                other => format!(
                    "can't evaluate field {name} in type {}",
                    go_type_name(other)
                ),
            },
        ))
    }

    fn var(&self, name: &str) -> &Value {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map_or(&NULL, |(_, v)| v)
    }

    /// `.Name` alone: a field, or else a method of the root called without arguments.
    fn field_or_method(
        &self,
        dot: &Value,
        path: &[String],
        pos: usize,
    ) -> Result<Value, ExecError> {
        match field(dot, path) {
            Ok(v) => Ok(v),
            Err(e) => match path {
                [name] if std::ptr::eq(dot, self.root) => match self.methods.call(name, &[]) {
                    Some(r) => r.map_err(|m| (pos, m)),
                    None => Err((pos, e)),
                },
                _ => Err((pos, e)),
            },
        }
    }

    fn arg(&mut self, dot: &Value, arg: &Arg, pos: usize) -> Result<Value, ExecError> {
        match arg {
            Arg::Dot => Ok(dot.clone()),
            Arg::Field(path) => self.field_or_method(dot, path, pos),
            Arg::Var(name, path) if name.is_empty() => {
                // `$` is the root: `$.Label` may be a method.
                let root = self.root;
                self.field_or_method(root, path, pos)
            }
            Arg::Var(name, path) => field(self.var(name), path).map_err(|e| (pos, e)),
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

fn non_function() -> String {
    "can't give argument to non-function".into()
}

/// The field a pipeline ends in when it is only a field chain (`.A.B`, `$x.A`,
/// `(...).A`): its Go type decides how a nil or a struct prints.
fn last_field(p: &Pipeline) -> Option<&str> {
    match p.cmds.as_slice() {
        [c] => match c.args.as_slice() {
            [Arg::Field(path)] | [Arg::Var(_, path)] | [Arg::Sub(_, path)] => {
                path.last().map(String::as_str)
            }
            _ => None,
        },
        _ => None,
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
