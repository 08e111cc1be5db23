//! `Engine::build`: parse, plan the stages the target needs, and run them step by step.
//! Each step ends as an image whose parent is the step before (Docker's classic builder
//! keeps the same chain), so the cache is simply "the image this step made last time".

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};

use super::cache::{BuildCache, StepKey};
use super::context::Context;
use super::dockerfile::{self, Command, Instruction};
use super::event::BuildEvent;
use super::options::BuildOptions;
use super::scope::{Args, Given};
use super::stages::{self, is_fs_step, Plan, Stage};
use super::state::StageState;
use crate::error::{Error, Result};
use crate::image::{Derivation, ImageRecord};
use crate::Engine;

/// The comment BuildKit writes in every history entry of a Dockerfile build.
pub const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";

/// One build in progress.
pub(super) struct Builder<'a> {
    pub engine: &'a Engine,
    pub opts: &'a BuildOptions,
    pub ctx: Context,
    pub plan: Plan,
    pub file: String,
    given: Mutex<Given>,
    pub cache: BuildCache,
    emit: Mutex<&'a mut (dyn FnMut(BuildEvent) + Send)>,
    /// Steps started so far (BuildKit's `#N`).
    n: AtomicUsize,
    /// Results of the stages built so far.
    built: Mutex<BTreeMap<usize, StageState>>,
}

impl Engine {
    /// Build the Dockerfile `o.dockerfile` of the context directory `context`. Events
    /// describe progress; the result is the target stage's image, tagged as asked.
    pub fn build(
        &self,
        context: &Path,
        o: &BuildOptions,
        emit: &mut (dyn FnMut(BuildEvent) + Send),
    ) -> Result<ImageRecord> {
        if let Some(p) = &o.platform {
            crate::container::run_options::check_platform(p)?;
        }
        let file = o.dockerfile_name().to_string();
        let text = read_dockerfile(context, &file)?;
        let df = dockerfile::parse(&text, &file).map_err(|e| Error::invalid(e.to_string()))?;
        let mut given = Given::new(o.build_args.clone());
        let plan = stages::plan(&df, &file, o.target.as_deref(), &mut given)?;
        let b = Builder {
            engine: self,
            opts: o,
            ctx: Context::open(context)?,
            plan,
            file,
            given: Mutex::new(given),
            cache: BuildCache::new(&self.paths),
            emit: Mutex::new(emit),
            n: AtomicUsize::new(0),
            built: Mutex::new(BTreeMap::new()),
        };
        let needed = b.plan.needed();
        let steps: usize = needed
            .iter()
            .map(|i| 1 + b.plan.stages[*i].steps.len())
            .sum();
        b.emit(BuildEvent::Plan {
            instructions: steps,
        });
        b.run_stages(&needed)?;
        let target = b.plan.target;
        let state = b
            .built()
            .remove(&target)
            .ok_or_else(|| Error::Runtime("the target stage was not built".into()))?;
        let image = b.finish(state)?;
        let unconsumed = b.given().unconsumed();
        for name in unconsumed {
            b.emit(BuildEvent::Warning {
                message: format!("One or more build-args [{name}] were not consumed"),
            });
        }
        b.emit(BuildEvent::Built {
            id: image.id.to_string(),
            tags: o.tags.clone(),
        });
        Ok(image)
    }
}

/// The Dockerfile's text; its path may not leave the context.
fn read_dockerfile(context: &Path, file: &str) -> Result<String> {
    let rel = Path::new(file);
    if rel.is_absolute() || rel.components().any(|c| c.as_os_str() == "..") {
        return Err(Error::invalid(format!(
            "the Dockerfile ({file}) must be within the build context"
        )));
    }
    let path = context.join(rel);
    std::fs::read_to_string(&path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            _ => e.to_string(),
        };
        Error::invalid(format!("failed to read dockerfile: open {file}: {why}"))
    })
}

impl Builder<'_> {
    /// Build `needed` stages, each as soon as the stages it reads are built: stages that
    /// do not depend on each other run at the same time, each on a thread of its own.
    fn run_stages(&self, needed: &BTreeSet<usize>) -> Result<()> {
        let mut left: Vec<usize> = needed.iter().copied().collect();
        while !left.is_empty() {
            let ready: Vec<usize> = {
                let built = self.built();
                left.iter()
                    .copied()
                    .filter(|i| self.plan.deps(*i).iter().all(|d| built.contains_key(d)))
                    .collect()
            };
            if ready.is_empty() {
                return Err(Error::Runtime(
                    "build stages depend on each other in a circle".into(),
                ));
            }
            left.retain(|i| !ready.contains(i));
            // Each result with the moment it came, so a failure is reported as the
            // first that happened, not as another stage that then waited in vain.
            let results: Vec<(usize, Instant, Result<StageState>)> = if ready.len() == 1 {
                let r = self.stage(ready[0]);
                vec![(ready[0], Instant::now(), r)]
            } else {
                std::thread::scope(|s| {
                    let handles: Vec<_> = ready
                        .iter()
                        .map(|&i| {
                            (
                                i,
                                s.spawn(move || {
                                    let r = self.stage(i);
                                    (Instant::now(), r)
                                }),
                            )
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|(i, h)| {
                            let (at, r) = h.join().unwrap_or_else(|_| {
                                (
                                    Instant::now(),
                                    Err(Error::Runtime(format!("building stage {i} panicked"))),
                                )
                            });
                            (i, at, r)
                        })
                        .collect()
                })
            };
            let mut failed: Option<(Instant, Error)> = None;
            for (i, at, r) in results {
                match r {
                    Ok(state) => {
                        self.built().insert(i, state);
                    }
                    Err(e) => {
                        if failed.as_ref().is_none_or(|(t, _)| at < *t) {
                            failed = Some((at, e));
                        }
                    }
                }
            }
            if let Some((_, e)) = failed {
                return Err(e);
            }
        }
        Ok(())
    }

    pub(super) fn emit(&self, ev: BuildEvent) {
        let mut emit = self.emit.lock().unwrap_or_else(|p| p.into_inner());
        (*emit)(ev);
    }

    pub(super) fn given(&self) -> std::sync::MutexGuard<'_, Given> {
        self.given.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn built(&self) -> std::sync::MutexGuard<'_, BTreeMap<usize, StageState>> {
        self.built.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stage(&self, i: usize) -> Result<StageState> {
        let stage = self.plan.stages[i].clone();
        let total = 1 + stage
            .steps
            .iter()
            .filter(|s| is_fs_step(&s.command))
            .count();
        let multi = self.plan.stages.len() > 1;
        let started = Instant::now();
        let n = self.start_step(&stage, &stage.from, multi, 1, total, true);
        let mut state = self.base(&stage)?;
        self.done(n, &state, started);
        let triggers = state.take_onbuild();
        let mut index = 1;
        for text in triggers {
            let ins =
                dockerfile::parse_instruction(&text, &self.file, stage.from.line, self.plan.escape)
                    .map_err(|e| {
                        Error::invalid(format!("ONBUILD trigger of {}: {e}", stage.base))
                    })?;
            self.step(&stage, &ins, &mut state, multi, &mut index, total)?;
        }
        for ins in &stage.steps {
            self.step(&stage, ins, &mut state, multi, &mut index, total)?;
        }
        Ok(state)
    }

    /// The stage's starting point: scratch, an earlier stage, or an image.
    fn base(&self, stage: &Stage) -> Result<StageState> {
        if let Command::From {
            platform: Some(p), ..
        } = &stage.from.command
        {
            let p = super::scope::expand(p, self.plan.escape, &[], &self.plan.global)
                .map_err(|e| self.at(&stage.from, e))?;
            crate::container::run_options::check_platform(&p).map_err(|_| {
                let host = crate::container::run_options::host_platform();
                self.at(
                    &stage.from,
                    Error::invalid(format!(
                        "FROM --platform={p}: only this host's platform ({host}) can be built here"
                    )),
                )
            })?;
        }
        if stage.base == "scratch" {
            return Ok(StageState::scratch());
        }
        if let Some(dep) = self.plan.stage_named(&stage.base, stage.index) {
            let built = self.built();
            let dep = built.get(&dep).ok_or_else(|| {
                Error::Runtime(format!(
                    "stage {} was needed before it was built",
                    stage.base
                ))
            })?;
            return Ok(dep.fresh_stage());
        }
        let images = self.engine.images();
        // A base image not here is pulled, as Docker's builder does; `--pull` pulls
        // it even when it is here.
        let here = images.resolve(&stage.base).is_ok();
        if let (Some(fetch), true) = (&self.opts.fetch, !here || self.opts.pull) {
            (fetch.0)(&stage.base).map_err(|e| self.at(&stage.from, e))?;
        }
        let image = images.resolve(&stage.base).map_err(|e| match e {
            Error::NotFound { .. } => Error::not_found(
                "image",
                format!(
                    "{} (FROM at {}:{}; it is not in the local store: load, import or pull it first)",
                    stage.base, self.file, stage.from.line
                ),
            ),
            other => other,
        })?;
        let config = images.config_json(&image)?;
        Ok(StageState::from_image(image, config))
    }

    fn start_step(
        &self,
        stage: &Stage,
        ins: &Instruction,
        multi: bool,
        index: usize,
        total: usize,
        fs: bool,
    ) -> usize {
        let n = self.n.fetch_add(1, Ordering::SeqCst) + 1;
        let label = if fs {
            stage.label(multi, index, total)
        } else {
            String::new()
        };
        self.emit(BuildEvent::Step {
            n,
            label,
            index,
            total,
            fs,
            text: ins.text.clone(),
        });
        n
    }

    pub(super) fn done(&self, n: usize, state: &StageState, started: Instant) {
        self.emit(BuildEvent::Done {
            n,
            image: state.image_id(),
            millis: started.elapsed().as_millis() as u64,
        });
    }

    fn step(
        &self,
        stage: &Stage,
        ins: &Instruction,
        state: &mut StageState,
        multi: bool,
        index: &mut usize,
        total: usize,
    ) -> Result<()> {
        let fs = is_fs_step(&ins.command);
        if fs {
            *index += 1;
        }
        let started = Instant::now();
        let n = self.start_step(stage, ins, multi, *index, total, fs);
        let escape = self.plan.escape;
        match &ins.command {
            Command::Arg(decls) => {
                for d in decls {
                    let default = match &d.default {
                        Some(v) => Some(state.expand(v, escape).map_err(|e| self.at(ins, e))?),
                        None => None,
                    };
                    let global = self.plan.global.clone();
                    state
                        .args
                        .declare(&d.name, default, &mut self.given(), Some(&global));
                }
            }
            Command::Run(run) => self.run_step(n, ins, run, state)?,
            Command::Copy(spec) => self.copy_step(n, ins, spec, false, state)?,
            Command::Add(spec) => self.copy_step(n, ins, spec, true, state)?,
            Command::Workdir(dir) => self.workdir_step(n, ins, dir, state)?,
            Command::From { .. } => return Err(self.at(ins, Error::invalid("unexpected FROM"))),
            _ => self.meta_step(n, ins, state)?,
        }
        self.done(n, state, started);
        Ok(())
    }

    /// Look a step up in the cache; on a hit the state moves to the cached image.
    pub(super) fn cached(&self, n: usize, key: &str, state: &mut StageState) -> Result<bool> {
        if self.opts.no_cache {
            return Ok(false);
        }
        let images = self.engine.images();
        let Some(img) = self.cache.lookup(key, &images) else {
            return Ok(false);
        };
        let config = images.config_json(&img)?;
        state.moved_to(img, config);
        self.emit(BuildEvent::Cached { n });
        Ok(true)
    }

    /// Register a step's result and remember it under `key`.
    pub(super) fn commit(
        &self,
        key: &str,
        state: &mut StageState,
        config: Value,
        layer: Option<&Path>,
        created_by: String,
    ) -> Result<()> {
        let images = self.engine.images();
        let img = images.derive(
            state.image.as_ref(),
            Derivation {
                config: config.clone(),
                layer,
                created_by,
                comment: Some(HISTORY_COMMENT.into()),
                tags: Vec::new(),
            },
        )?;
        self.cache.record(key, &img.id)?;
        let config = images.config_json(&img)?;
        state.moved_to(img, config);
        Ok(())
    }

    /// A key for a step of this state, starting with its parent.
    pub(super) fn key(&self, state: &StageState) -> StepKey {
        StepKey::new(state.image.as_ref().map(|i| &i.id))
    }

    pub(super) fn at(&self, ins: &Instruction, e: Error) -> Error {
        match e {
            Error::InvalidArgument(m) => stages::at(&self.file, ins, &m),
            other => other,
        }
    }

    /// The result: `--label`s on the target's config, the tags pointed at it.
    fn finish(&self, mut state: StageState) -> Result<ImageRecord> {
        if !self.opts.labels.is_empty() {
            let mut config = state.config.clone();
            let labels = &mut config["config"]["Labels"];
            if !labels.is_object() {
                *labels = json!({});
            }
            for (k, v) in &self.opts.labels {
                labels[k] = json!(v);
            }
            let mut key = self.key(&state);
            key.part("--label");
            for (k, v) in &self.opts.labels {
                key.part(k).part(v);
            }
            let key = key.finish();
            let n = self.n.load(Ordering::SeqCst);
            if !self.cached(n, &key, &mut state)? {
                self.commit(&key, &mut state, config, None, String::new())?;
            }
        }
        let images = self.engine.images();
        let img = match state.image {
            Some(img) => img,
            // `FROM scratch` and nothing else: an image with no layers.
            None => images.derive(
                None,
                Derivation {
                    config: state.config.clone(),
                    layer: None,
                    created_by: String::new(),
                    comment: None,
                    tags: Vec::new(),
                },
            )?,
        };
        images.tag_image(&img, &self.opts.tags)?;
        Ok(img)
    }
}

/// What a RUN sees of the build arguments: those in scope with a value, and the
/// predefined proxy ones given, as `K=V`, leaving out any the ENV sets.
pub(super) fn arg_env(args: &Args, given: &Given, env: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (k, v) in args.values().into_iter().chain(given.predefined()) {
        let in_env = env
            .iter()
            .any(|e| e.split_once('=').map(|(ek, _)| ek) == Some(k.as_str()));
        if !in_env {
            out.push(format!("{k}={v}"));
        }
    }
    out
}
