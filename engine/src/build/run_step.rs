//! RUN: the command runs in a real container of the engine (the stage's image, its
//! environment plus the build args in scope, its user and working directory, the
//! build's network), its output streamed as events; what it changed becomes a layer.

use serde_json::json;

use super::builder::{arg_env, Builder};
use super::dockerfile::{Heredoc, Instruction, Run, ShellOrExec};
use super::event::BuildEvent;
use super::state::StageState;
use super::step_container::StepContainer;
use crate::container::attach::{read_frame, Kind};
use crate::container::create::CreateOptions;
use crate::error::{Error, Result};

impl Builder<'_> {
    pub(super) fn run_step(
        &self,
        n: usize,
        ins: &Instruction,
        run: &Run,
        state: &mut StageState,
    ) -> Result<()> {
        let argv = run_argv(&run.command, &run.heredocs, state);
        let args = arg_env(&state.args, &self.given(), &state.env());
        let network = run
            .network
            .clone()
            .or_else(|| self.opts.network.clone())
            .unwrap_or_else(|| "default".into());
        let mounts = self.run_mounts(ins, run, state)?;
        let created_by = created_by(&argv, &args);
        let mut key = self.key(state);
        key.part("RUN").part(&json!(argv).to_string());
        for a in &args {
            key.part(a);
        }
        key.part(&network);
        for m in &mounts.keys {
            key.part(m);
        }
        let key = key.finish();
        if self.cached(n, &key, state)? {
            return Ok(());
        }
        let parent = state.image.clone().ok_or_else(|| {
            self.at(
                ins,
                Error::invalid(
                    "RUN needs a filesystem: this stage is FROM scratch and has no files yet",
                ),
            )
        })?;
        let step = StepContainer::create(
            self.engine,
            &parent,
            CreateOptions {
                cmd: argv.clone(),
                entrypoint: Some(Vec::new()),
                env: args,
                network: Some(network),
                mounts: mounts.specs.clone(),
                ..Default::default()
            },
        )?;
        self.emit(BuildEvent::Container {
            n,
            id: step.id().to_string(),
        });
        let code = self.run_attached(n, &step)?;
        if code != 0 {
            return Err(Error::Runtime(format!(
                "{}:{}: {}: process \"{}\" did not complete successfully: exit code: {code}",
                self.file,
                ins.line,
                ins.text,
                argv.join(" ")
            )));
        }
        mounts.remove_stubs(self.engine, &step)?;
        let (tar, _hold) = step.layer()?;
        let config = state.config.clone();
        let made = self.commit(&key, state, config, Some(&tar), created_by);
        let _ = std::fs::remove_file(&tar);
        made
    }

    /// Start the step's container attached and forward its output; its exit code.
    fn run_attached(&self, n: usize, step: &StepContainer<'_>) -> Result<i32> {
        let s = self
            .engine
            .start(&step.c, true)
            .map_err(|e| Error::Runtime(e.message))?;
        let mut stream = s
            .stream
            .ok_or_else(|| Error::Runtime("the step's container gave no output stream".into()))?;
        loop {
            match read_frame(&mut stream) {
                Ok(Some((Kind::Stdout, data))) => self.emit(BuildEvent::Output {
                    n,
                    stderr: false,
                    data,
                }),
                Ok(Some((Kind::Stderr, data))) => self.emit(BuildEvent::Output {
                    n,
                    stderr: true,
                    data,
                }),
                Ok(Some((Kind::Exit, data))) => {
                    let code = data
                        .get(..4)
                        .and_then(|b| b.try_into().ok())
                        .map(i32::from_be_bytes)
                        .unwrap_or(-1);
                    return Ok(code);
                }
                Ok(Some((Kind::Error, msg))) => {
                    return Err(Error::Runtime(String::from_utf8_lossy(&msg).into_owned()))
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    // The monitor went away without an exit frame: ask the record.
                    return self.engine.wait(&step.c);
                }
                Err(e) => return Err(Error::Runtime(format!("reading the step's output: {e}"))),
            }
        }
    }
}

/// The command a RUN executes: the exec form as written; the shell form in the stage's
/// SHELL, with its heredocs handed to the shell as the shell's own heredocs (a RUN that
/// is only `<<EOF` runs the body as the script).
pub fn run_argv(cmd: &ShellOrExec, heredocs: &[Heredoc], s: &StageState) -> Vec<String> {
    match cmd {
        ShellOrExec::Exec(v) => v.clone(),
        ShellOrExec::Shell(line) => {
            let mut argv = s.shell();
            argv.push(shell_script(line, heredocs));
            argv
        }
    }
}

fn shell_script(line: &str, heredocs: &[Heredoc]) -> String {
    if let [only] = heredocs {
        let bare = line.trim().trim_start_matches("<<").trim_start_matches('-');
        let bare = bare.trim_matches(|c| c == '"' || c == '\'');
        if bare == only.name {
            return only.content.clone();
        }
    }
    let mut script = line.to_string();
    for h in heredocs {
        script.push('\n');
        script.push_str(&h.content);
        if !h.content.ends_with('\n') && !h.content.is_empty() {
            script.push('\n');
        }
        script.push_str(&h.name);
    }
    script
}

/// BuildKit's history line: `RUN |2 A=1 B=2 /bin/sh -c make # buildkit`.
fn created_by(argv: &[String], args: &[String]) -> String {
    let mut s = String::from("RUN ");
    if !args.is_empty() {
        s.push_str(&format!("|{} {} ", args.len(), args.join(" ")));
    }
    s.push_str(&argv.join(" "));
    s.push_str(" # buildkit");
    s
}
