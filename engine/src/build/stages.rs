//! A Dockerfile as stages: the global ARGs, each FROM and the instructions under it, the
//! stage `--target` names, and which stages that target needs (FROM an earlier stage,
//! COPY --from, RUN --mount from=). Stages nobody needs are never built, so a stage that
//! would fail cannot fail a build that does not use it.

use std::collections::BTreeSet;

use super::dockerfile::{Command, Dockerfile, Instruction, RunMount};
use super::scope::{self, Args, Given};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased as Docker compares them.
    pub name: Option<String>,
    /// The FROM instruction.
    pub from: Instruction,
    /// The base after global-ARG expansion: an image reference, `scratch`, or an
    /// earlier stage's name or index.
    pub base: String,
    pub steps: Vec<Instruction>,
}

impl Stage {
    /// BuildKit's label for a step: `[2/3]` alone, `[build 2/3]` or `[stage-1 2/3]`
    /// in a multi-stage build.
    pub fn label(&self, multi: bool, index: usize, total: usize) -> String {
        if !multi {
            return format!("[{index}/{total}]");
        }
        match &self.name {
            Some(n) => format!("[{n} {index}/{total}]"),
            None => format!("[stage-{} {index}/{total}]", self.index),
        }
    }
}

#[derive(Debug)]
pub struct Plan {
    pub escape: char,
    pub global: Args,
    pub stages: Vec<Stage>,
    /// Index of the stage the build produces.
    pub target: usize,
}

/// Instructions that change the filesystem, the ones BuildKit counts and shows.
pub fn is_fs_step(c: &Command) -> bool {
    matches!(
        c,
        Command::From { .. }
            | Command::Run(_)
            | Command::Copy(_)
            | Command::Add(_)
            | Command::Workdir(_)
    )
}

pub fn plan(df: &Dockerfile, file: &str, target: Option<&str>, given: &mut Given) -> Result<Plan> {
    let mut global = Args::global();
    let mut stages: Vec<Stage> = Vec::new();
    for ins in &df.instructions {
        match (&ins.command, stages.last_mut()) {
            (Command::From { image, stage_name, .. }, _) => {
                let base = scope::expand(image, df.escape, &[], &global)
                    .map_err(|e| at(file, ins, &e.to_string()))?;
                if base.is_empty() {
                    return Err(at(file, ins, "base name (\"\") should not be blank"));
                }
                let name = stage_name.as_ref().map(|n| n.to_lowercase());
                if let Some(n) = &name {
                    if stages.iter().any(|s| s.name.as_ref() == Some(n)) {
                        return Err(at(file, ins, &format!("duplicate stage name {n:?}")));
                    }
                }
                stages.push(Stage {
                    index: stages.len(),
                    name,
                    from: ins.clone(),
                    base,
                    steps: Vec::new(),
                });
            }
            (Command::Arg(decls), None) => {
                for d in decls {
                    let default = match &d.default {
                        Some(v) => Some(
                            scope::expand(v, df.escape, &[], &global)
                                .map_err(|e| at(file, ins, &e.to_string()))?,
                        ),
                        None => None,
                    };
                    global.declare(&d.name, default, given, None);
                }
            }
            (_, None) => {
                return Err(at(
                    file,
                    ins,
                    "no build stage in current context: the first instruction must be FROM (or ARG before it)",
                ))
            }
            (_, Some(stage)) => stage.steps.push(ins.clone()),
        }
    }
    if stages.is_empty() {
        return Err(Error::invalid(format!(
            "{file}: the Dockerfile has no FROM instruction"
        )));
    }
    let target = match target {
        None => stages.len() - 1,
        Some(t) => stages
            .iter()
            .position(|s| s.name.as_deref() == Some(&t.to_lowercase()))
            .ok_or_else(|| {
                Error::invalid(format!("target stage {t:?} could not be found in {file}"))
            })?,
    };
    Ok(Plan {
        escape: df.escape,
        global,
        stages,
        target,
    })
}

impl Plan {
    /// The stage a `FROM`/`--from` value names, if it names one defined before `before`.
    pub fn stage_named(&self, name: &str, before: usize) -> Option<usize> {
        let lower = name.to_lowercase();
        if let Some(i) = self.stages[..before]
            .iter()
            .position(|s| s.name.as_deref() == Some(&lower))
        {
            return Some(i);
        }
        match name.parse::<usize>() {
            Ok(i) if i < before => Some(i),
            _ => None,
        }
    }

    /// The stages the target needs, itself included.
    pub fn needed(&self) -> BTreeSet<usize> {
        let mut need = BTreeSet::new();
        let mut todo = vec![self.target];
        while let Some(i) = todo.pop() {
            if need.insert(i) {
                todo.extend(self.deps(i));
            }
        }
        need
    }

    /// The earlier stages stage `i` reads (its base, COPY --from, RUN --mount from=).
    pub fn deps(&self, i: usize) -> BTreeSet<usize> {
        let mut deps = BTreeSet::new();
        {
            let s = &self.stages[i];
            let mut refs = vec![s.base.clone()];
            for ins in &s.steps {
                match &ins.command {
                    Command::Copy(c) | Command::Add(c) => refs.extend(c.from.clone()),
                    Command::Run(r) => {
                        for m in &r.mounts {
                            if let Some(f) = mount_from(m) {
                                refs.push(f.to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
            for r in refs {
                let r = scope::expand(&r, self.escape, &[], &self.global).unwrap_or(r);
                if let Some(dep) = self.stage_named(&r, i) {
                    deps.insert(dep);
                }
            }
        }
        deps
    }
}

fn mount_from(m: &RunMount) -> Option<&str> {
    match m {
        RunMount::Bind { from, .. } | RunMount::Cache { from, .. } => from.as_deref(),
        _ => None,
    }
}

/// An error at an instruction: the file, its line, what is wrong.
pub fn at(file: &str, ins: &Instruction, msg: &str) -> Error {
    Error::invalid(format!("{file}:{}: {msg}", ins.line))
}
