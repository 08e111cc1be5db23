//! Builds the template tree from tokens and rejects malformed templates up
//! front (unknown functions, undefined variables, unbalanced `{{end}}`), so a
//! bad `--format` fails before any output is written.

use serde_json::Value;

use super::funcs;
use super::lex::{Tok, Token};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    /// `{{pipeline}}`: printed unless it declares or assigns a variable.
    Action(Pipeline),
    If(Branch),
    With(Branch),
    Range(Branch),
}

/// The parts shared by `if`, `with` and `range`.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub pipe: Pipeline,
    pub then: Vec<Node>,
    pub otherwise: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Variables declared (`:=`) or assigned (`=`) by this pipeline.
    pub decl: Vec<String>,
    pub assign: bool,
    pub cmds: Vec<Command>,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub args: Vec<Arg>,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Dot,
    Field(Vec<String>),
    Var(String, Vec<String>),
    Func(String),
    Literal(Value),
    Nil,
    /// `(pipeline).Field...`
    Sub(Box<Pipeline>, Vec<String>),
}

/// Why a list of nodes stopped.
enum Stop {
    Eof,
    End,
    Else,
    /// `{{else if ...}}` / `{{else with ...}}`: the keyword and its offset.
    ElseChain(String, usize),
}

pub type ParseError = (usize, String);

pub fn parse(src: &str, toks: Vec<Token>) -> Result<Vec<Node>, ParseError> {
    let mut p = Parser {
        src,
        toks,
        i: 0,
        vars: vec![String::new()],
        last_open: 0,
    };
    let (nodes, stop) = p.list()?;
    match stop {
        Stop::Eof => Ok(nodes),
        Stop::End => Err((
            p.last_open,
            "unexpected {{end}}: no {{if}}, {{range}} or {{with}} to close".into(),
        )),
        Stop::Else | Stop::ElseChain(..) => Err((
            p.last_open,
            "unexpected {{else}}: not inside {{if}}, {{range}} or {{with}}".into(),
        )),
    }
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    i: usize,
    /// Variables in scope; `""` is `$`, the template's data.
    vars: Vec<String>,
    /// Offset of the most recent `{{`, for errors about a whole action.
    last_open: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }

    fn peek_kind(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.kind)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }

    /// Offset of the current token, or the end of the source.
    fn here(&self) -> usize {
        self.peek().map_or(self.src.len(), |t| t.start)
    }

    fn describe(&self, tok: Option<&Token>) -> String {
        match tok {
            None => "end of template".into(),
            Some(t) => format!("{:?}", &self.src[t.start..t.end]),
        }
    }

    fn expect_close(&mut self, what: &str) -> Result<(), ParseError> {
        match self.peek_kind() {
            Some(Tok::Close) => {
                self.i += 1;
                Ok(())
            }
            _ => Err((
                self.here(),
                format!(
                    "expected \"}}}}\" after {what}, found {}",
                    self.describe(self.peek())
                ),
            )),
        }
    }

    fn list(&mut self) -> Result<(Vec<Node>, Stop), ParseError> {
        let mut nodes = Vec::new();
        while let Some(tok) = self.next() {
            match tok.kind {
                Tok::Text(s) => nodes.push(Node::Text(s)),
                Tok::Open => {
                    self.last_open = tok.start;
                    let word = match self.peek_kind() {
                        Some(Tok::Ident(w)) => w.clone(),
                        _ => String::new(),
                    };
                    match word.as_str() {
                        "end" => {
                            self.i += 1;
                            self.expect_close("{{end")?;
                            return Ok((nodes, Stop::End));
                        }
                        "else" => {
                            self.i += 1;
                            if let Some(Tok::Ident(kw)) = self.peek_kind() {
                                if kw == "if" || kw == "with" {
                                    let kw = kw.clone();
                                    let at = self.here();
                                    self.i += 1;
                                    return Ok((nodes, Stop::ElseChain(kw, at)));
                                }
                            }
                            self.expect_close("{{else")?;
                            return Ok((nodes, Stop::Else));
                        }
                        "if" | "with" | "range" => {
                            self.i += 1;
                            nodes.push(self.control(&word, tok.start)?);
                        }
                        "define" | "template" | "block" | "break" | "continue" => {
                            return Err((
                                self.here(),
                                format!("{{{{{word}}}}} is not supported in Berth templates"),
                            ));
                        }
                        _ => {
                            let pipe = self.pipeline(false)?;
                            self.expect_close("the action")?;
                            nodes.push(Node::Action(pipe));
                        }
                    }
                }
                other => {
                    return Err((tok.start, format!("unexpected {other:?} outside an action")))
                }
            }
        }
        Ok((nodes, Stop::Eof))
    }

    /// Parses `if`/`with`/`range` after its keyword, through its `{{end}}`.
    fn control(&mut self, kw: &str, open: usize) -> Result<Node, ParseError> {
        let scope = self.vars.len();
        let pipe = self.pipeline(kw == "range")?;
        self.expect_close(&format!("{{{{{kw} pipeline"))?;
        let (then, stop) = self.list()?;
        let otherwise = match stop {
            Stop::End => Vec::new(),
            Stop::Else => match self.list()? {
                (nodes, Stop::End) => nodes,
                _ => {
                    return Err((
                        open,
                        format!("{{{{{kw}}}}} has an {{{{else}}}} but no matching {{{{end}}}}"),
                    ))
                }
            },
            // `{{else if x}}` is short for `{{else}}{{if x}}...{{end}}{{end}}`
            // sharing one `{{end}}`, so the nested control consumes it.
            Stop::ElseChain(kw2, at) => {
                if kw2 != kw {
                    return Err((at, format!("expected {{{{else}}}} or {{{{else {kw}}}}} inside {{{{{kw}}}}}, found {{{{else {kw2}}}}}")));
                }
                vec![self.control(&kw2, at)?]
            }
            Stop::Eof => {
                return Err((open, format!("{{{{{kw}}}}} is missing its {{{{end}}}}")));
            }
        };
        self.vars.truncate(scope);
        let branch = Branch {
            pipe,
            then,
            otherwise,
        };
        Ok(match kw {
            "if" => Node::If(branch),
            "with" => Node::With(branch),
            _ => Node::Range(branch),
        })
    }

    fn pipeline(&mut self, in_range: bool) -> Result<Pipeline, ParseError> {
        let pos = self.here();
        let (decl, assign) = self.declarations(in_range)?;
        let mut cmds = Vec::new();
        loop {
            let stage = cmds.len();
            let cmd = self.command()?;
            if stage > 0 && !matches!(cmd.args.first(), Some(Arg::Func(_))) {
                return Err((
                    cmd.pos,
                    "only a function can receive a piped value (after '|')".into(),
                ));
            }
            cmds.push(cmd);
            if self.peek_kind() == Some(&Tok::Pipe) {
                self.i += 1;
            } else {
                break;
            }
        }
        if !assign {
            self.vars.extend(decl.iter().cloned());
        }
        Ok(Pipeline {
            decl,
            assign,
            cmds,
            pos,
        })
    }

    /// `$x :=`, `$x =` or (in `range`) `$k, $v :=` at the start of a pipeline.
    fn declarations(&mut self, in_range: bool) -> Result<(Vec<String>, bool), ParseError> {
        let name_at = |p: &Self, k: usize| match p.toks.get(p.i + k).map(|t| &t.kind) {
            Some(Tok::Var(n, f)) if f.is_empty() => Some(n.clone()),
            _ => None,
        };
        let kind_at = |p: &Self, k: usize| p.toks.get(p.i + k).map(|t| t.kind.clone());
        let Some(first) = name_at(self, 0) else {
            return Ok((Vec::new(), false));
        };
        let (names, op_at) = match kind_at(self, 1) {
            Some(Tok::Declare) | Some(Tok::Assign) => (vec![first], 1),
            Some(Tok::Comma) => {
                let second = name_at(self, 2).filter(|_| in_range).ok_or_else(|| {
                    (
                        self.here(),
                        "two variables separated by ',' are only allowed in {{range}}".to_string(),
                    )
                })?;
                if !matches!(kind_at(self, 3), Some(Tok::Declare) | Some(Tok::Assign)) {
                    return Err((
                        self.here(),
                        "expected \":=\" after the range variables".into(),
                    ));
                }
                (vec![first, second], 3)
            }
            _ => return Ok((Vec::new(), false)),
        };
        let assign = kind_at(self, op_at) == Some(Tok::Assign);
        if assign {
            for n in &names {
                if !self.vars.contains(n) {
                    return Err((self.here(), format!("undefined variable \"${n}\"")));
                }
            }
        }
        self.i += op_at + 1;
        Ok((names, assign))
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let pos = self.here();
        let mut args = Vec::new();
        while let Some(tok) = self.peek().cloned() {
            let arg = match tok.kind {
                Tok::Pipe | Tok::Close | Tok::RParen => break,
                Tok::Dot => Arg::Dot,
                Tok::Field(f) => Arg::Field(f),
                Tok::Var(name, f) => {
                    if !self.vars.contains(&name) {
                        return Err((tok.start, format!("undefined variable \"${name}\"")));
                    }
                    Arg::Var(name, f)
                }
                Tok::Literal(v) => Arg::Literal(v),
                Tok::Ident(name) if name == "nil" => Arg::Nil,
                Tok::Ident(name) if funcs::is_builtin(&name) => Arg::Func(name),
                Tok::Ident(name) => {
                    return Err((tok.start, format!("function \"{name}\" not defined")));
                }
                Tok::LParen => {
                    self.i += 1;
                    let inner = self.pipeline(false)?;
                    let close = self.peek().cloned();
                    match close {
                        Some(Token {
                            kind: Tok::RParen,
                            end,
                            ..
                        }) => {
                            self.i += 1;
                            let mut fields = Vec::new();
                            if let Some(Token {
                                kind: Tok::Field(f),
                                start,
                                ..
                            }) = self.peek().cloned()
                            {
                                // Only `(x).A` chains; `(x) .A` is two arguments.
                                if start == end {
                                    fields = f;
                                    self.i += 1;
                                }
                            }
                            args.push(Arg::Sub(Box::new(inner), fields));
                            continue;
                        }
                        _ => {
                            return Err((
                                self.here(),
                                format!(
                                    "expected \")\" to close the \"(\" at column {}, found {}",
                                    column(self.src, tok.start),
                                    self.describe(close.as_ref())
                                ),
                            ))
                        }
                    }
                }
                _ => {
                    return Err((
                        tok.start,
                        format!("unexpected {} in command", self.describe(Some(&tok))),
                    ))
                }
            };
            self.i += 1;
            args.push(arg);
        }
        match args.first() {
            None => Err((
                pos,
                format!(
                    "missing value for command: expected a field, value or function before {}",
                    self.describe(self.peek())
                ),
            )),
            Some(Arg::Nil) => Err((pos, "nil is not a command".into())),
            Some(Arg::Func(_)) => Ok(Command { args, pos }),
            // A field chain may name a method (`.Label "x"`): whether it is one is known
            // only when the template runs, as in Go.
            Some(Arg::Field(_)) => Ok(Command { args, pos }),
            Some(Arg::Var(_, path)) | Some(Arg::Sub(_, path)) if !path.is_empty() => {
                Ok(Command { args, pos })
            }
            Some(_) if args.len() > 1 => Err((
                pos,
                "can't give argument to non-function: only a function can take arguments".into(),
            )),
            Some(_) => Ok(Command { args, pos }),
        }
    }
}

/// 1-based column (in characters) of a byte offset within its line.
pub fn column(src: &str, offset: usize) -> usize {
    let offset = offset.min(src.len());
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    src[line_start..offset].chars().count() + 1
}

/// 1-based line of a byte offset.
pub fn line(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::super::lex::lex;
    use super::*;

    fn parse_str(src: &str) -> Result<Vec<Node>, ParseError> {
        parse(src, lex(src).expect("lexes"))
    }

    fn err(src: &str) -> (usize, String) {
        let (at, msg) = parse_str(src).expect_err("should fail");
        (column(src, at), msg)
    }

    #[test]
    fn parses_pipeline_with_function_stage() {
        let nodes = parse_str("{{.Name | upper}}").expect("parses");
        let Node::Action(p) = &nodes[0] else {
            panic!("not an action: {nodes:?}")
        };
        assert_eq!(p.cmds.len(), 2);
        assert_eq!(p.cmds[0].args, vec![Arg::Field(vec!["Name".into()])]);
        assert_eq!(p.cmds[1].args, vec![Arg::Func("upper".into())]);
    }

    #[test]
    fn else_if_nests() {
        let nodes = parse_str("{{if .A}}a{{else if .B}}b{{else}}c{{end}}").expect("parses");
        let Node::If(b) = &nodes[0] else {
            panic!("{nodes:?}")
        };
        assert!(
            matches!(&b.otherwise[0], Node::If(inner) if inner.otherwise == vec![Node::Text("c".into())])
        );
    }

    #[test]
    fn paren_field_chain_needs_adjacency() {
        let nodes = parse_str("{{(index .M 0).Source}}").expect("parses");
        let Node::Action(p) = &nodes[0] else { panic!() };
        assert!(matches!(&p.cmds[0].args[0], Arg::Sub(_, f) if f == &vec!["Source".to_string()]));
    }

    #[test]
    fn errors_name_column_and_expectation() {
        assert_eq!(
            err("{{.Name | nosuch}}"),
            (11, "function \"nosuch\" not defined".into())
        );
        assert_eq!(
            err("ab {{\"a\" .B}}"),
            (
                6,
                "can't give argument to non-function: only a function can take arguments".into()
            )
        );
        let (col, msg) = err("{{if .A}}x");
        assert_eq!(col, 1);
        assert!(msg.contains("missing its {{end}}"), "{msg}");
        let (col, msg) = err("x{{end}}");
        assert_eq!(col, 2);
        assert!(msg.contains("unexpected {{end}}"), "{msg}");
        let (col, msg) = err("{{$x}}");
        assert_eq!(col, 3);
        assert!(msg.contains("undefined variable \"$x\""), "{msg}");
        let (col, msg) = err("{{(len .A}}");
        assert_eq!(col, 10);
        assert!(msg.contains("expected \")\""), "{msg}");
        let (_, msg) = err("{{}}");
        assert!(msg.contains("missing value for command"), "{msg}");
        let (_, msg) = err("{{.A | .B}}");
        assert!(msg.contains("piped value"), "{msg}");
        let (_, msg) = err("{{template \"x\"}}");
        assert!(msg.contains("not supported"), "{msg}");
    }

    #[test]
    fn variable_scope_ends_with_block() {
        assert!(parse_str("{{range $i, $e := .L}}{{$i}}{{end}}").is_ok());
        let (_, msg) = err("{{range $e := .L}}{{end}}{{$e}}");
        assert!(msg.contains("undefined variable \"$e\""), "{msg}");
        assert!(parse_str("{{$x := 1}}{{$x = 2}}{{$x}}").is_ok());
        let (_, msg) = err("{{$a, $b := .L}}");
        assert!(msg.contains("only allowed in {{range}}"), "{msg}");
    }
}
