//! The parsed Dockerfile as data: instructions with their lines and original text, and
//! one typed command per keyword. Words are kept raw (quotes and `$VARS` as written);
//! the builder expands them with [`expand_word`](super::expand_word) when it runs a step,
//! because what they expand to depends on the ARG and ENV values at that step.

use std::time::Duration;

/// A whole Dockerfile: its parser directives and its instructions in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// The escape character (`\` unless `# escape=` said a backtick).
    pub escape: char,
    /// The value of the `# syntax=` directive, if any (recorded, not acted on).
    pub syntax: Option<String>,
    /// The instructions, ARGs before the first FROM included.
    pub instructions: Vec<Instruction>,
}

/// One instruction with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// 1-based line where it ends (last continuation line or heredoc terminator).
    pub end_line: usize,
    /// The instruction as Docker shows it in build output and history: the original
    /// text, keyword as written, continuation lines joined with the escape characters
    /// removed, surrounding whitespace trimmed; a heredoc body is not part of it.
    /// For an ONBUILD trigger it is the trigger without `ONBUILD ` but with its heredoc
    /// bodies appended, which is what Docker stores in an image's `OnBuild` list.
    pub text: String,
    /// What the instruction does.
    pub command: Command,
}

/// The two forms of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq)]
pub enum ShellOrExec {
    /// Shell form: the raw text after the keyword and flags, run through the SHELL.
    Shell(String),
    /// Exec form: the strings of a JSON array, as written (not expanded by Docker).
    Exec(Vec<String>),
}

/// A here-document attached to RUN, COPY or ADD.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    /// The delimiter word with its quotes removed (`EOF` for `<<"EOF"`).
    pub name: String,
    /// The body: every line up to the delimiter line, each ending in `\n` (CRLF is
    /// turned into LF). When `chomp` is set, leading tabs are already removed.
    pub content: String,
    /// False when the delimiter was quoted: the body is then taken literally.
    pub expand: bool,
    /// True for `<<-`: leading tabs are stripped from the body and the delimiter line.
    pub chomp: bool,
}

/// One name of an ARG instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgDecl {
    /// The name, raw.
    pub name: String,
    /// The default value, raw (quotes kept); `None` for a bare `ARG NAME`.
    pub default: Option<String>,
}

/// RUN: the command, its mounts and its sandbox options.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The command. With a heredoc, the shell form holds the first line only
    /// (`<<EOF` or `python3 <<EOF`); the bodies are in `heredocs`.
    pub command: ShellOrExec,
    /// `--mount=` flags in order.
    pub mounts: Vec<RunMount>,
    /// `--network=` (`default`, `none` or `host`), if given.
    pub network: Option<String>,
    /// `--security=` (`sandbox` or `insecure`), if given.
    pub security: Option<String>,
    /// Heredocs found in the command, in order.
    pub heredocs: Vec<Heredoc>,
}

/// Cache mount sharing mode (`sharing=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sharing {
    /// Several writers at once (Docker's default).
    #[default]
    Shared,
    /// A new cache directory when the cache is in use.
    Private,
    /// Writers wait for each other.
    Locked,
}

/// One `RUN --mount=`. Values are raw words: BuildKit expands them with the step's
/// variables when it runs the step (except `from`, which may not use variables).
#[derive(Debug, Clone, PartialEq)]
pub enum RunMount {
    /// `type=bind` (the default type): a directory of the context or of a stage,
    /// read-only unless `rw`.
    Bind {
        /// Where it appears in the container.
        target: String,
        /// Path in the source (defaults to its root).
        source: Option<String>,
        /// A stage or image name (defaults to the build context).
        from: Option<String>,
        /// `rw`/`readwrite` was given.
        readwrite: bool,
    },
    /// `type=cache`: a directory kept between builds.
    Cache {
        /// Where it appears in the container.
        target: String,
        /// The cache's identity (Docker defaults it to the target).
        id: Option<String>,
        /// How concurrent builds share it.
        sharing: Sharing,
        /// A stage or image to seed the cache from.
        from: Option<String>,
        /// Path in `from` to seed from.
        source: Option<String>,
        /// Directory mode (octal in the flag; Docker's default 0755).
        mode: Option<u32>,
        /// Directory owner (Docker's default 0).
        uid: Option<u32>,
        /// Directory group (Docker's default 0).
        gid: Option<u32>,
        /// `ro` was given.
        readonly: bool,
    },
    /// `type=tmpfs`.
    Tmpfs {
        /// Where it appears in the container.
        target: String,
        /// `size=` in bytes (Docker's RAM units: 64m, 1g...).
        size: Option<u64>,
    },
    /// `type=secret`: a secret given to the build, as a file (or an env variable).
    Secret {
        /// The secret's id (`id=` or `source=`); see [`RunMount::secret_id`].
        id: Option<String>,
        /// Where the file appears; see [`RunMount::secret_target`].
        target: Option<String>,
        /// `env=`: expose the secret as this environment variable instead of a file
        /// (unless a target is also given).
        env: Option<String>,
        /// Fail the step when the secret is missing.
        required: bool,
        /// File mode (Docker's default 0400).
        mode: Option<u32>,
        /// File owner.
        uid: Option<u32>,
        /// File group.
        gid: Option<u32>,
    },
    /// `type=ssh`: the build's SSH agent socket.
    Ssh {
        /// Agent id (Docker's default `default`).
        id: Option<String>,
        /// Socket path (Docker's default `/run/buildkit/ssh_agent.N`).
        target: Option<String>,
        /// Fail the step when the agent is missing.
        required: bool,
        /// Socket mode (Docker's default 0600).
        mode: Option<u32>,
        /// Socket owner.
        uid: Option<u32>,
        /// Socket group.
        gid: Option<u32>,
    },
}

impl RunMount {
    /// A secret's id as Docker resolves it: `id=`/`source=`, else the base name of
    /// the target. `None` for other mount types.
    pub fn secret_id(&self) -> Option<String> {
        match self {
            RunMount::Secret { id: Some(id), .. } => Some(id.clone()),
            RunMount::Secret {
                target: Some(t), ..
            } => Some(base_name(t).to_string()),
            _ => None,
        }
    }

    /// A secret's file path as Docker resolves it: the target, else
    /// `/run/secrets/<id>` — unless only `env=` was asked for (then `None`).
    pub fn secret_target(&self) -> Option<String> {
        match self {
            RunMount::Secret {
                target: Some(t), ..
            } => Some(t.clone()),
            RunMount::Secret { env: Some(_), .. } => None,
            RunMount::Secret { .. } => self
                .secret_id()
                .map(|id| format!("/run/secrets/{}", base_name(&id))),
            _ => None,
        }
    }
}

fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rsplit('/').next() {
        Some(b) if !b.is_empty() => b,
        _ => "/",
    }
}

/// COPY and ADD.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CopySpec {
    /// Source words, raw (heredoc sources are in `heredocs` instead).
    pub sources: Vec<String>,
    /// Destination word, raw.
    pub dest: String,
    /// `--from=` (COPY only).
    pub from: Option<String>,
    /// `--chown=`.
    pub chown: Option<String>,
    /// `--chmod=`.
    pub chmod: Option<String>,
    /// `--link`.
    pub link: bool,
    /// `--parents` (COPY only).
    pub parents: bool,
    /// `--exclude=` patterns, in order.
    pub exclude: Vec<String>,
    /// `--checksum=` (ADD only).
    pub checksum: Option<String>,
    /// `--keep-git-dir` (ADD only).
    pub keep_git_dir: bool,
    /// `--unpack=` (ADD only): `None` keeps Docker's default (unpack local archives).
    pub unpack: Option<bool>,
    /// Heredoc sources (`COPY <<EOF /file`): each becomes a file named after it.
    pub heredocs: Vec<Heredoc>,
}

/// HEALTHCHECK.
#[derive(Debug, Clone, PartialEq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: disable any inherited check.
    None,
    /// `HEALTHCHECK [flags] CMD ...`. A duration of 0 and retries of 0 are `None`
    /// (inherit or default), as in Docker.
    Check {
        /// The test command (shell form means `CMD-SHELL`).
        test: ShellOrExec,
        /// `--interval=`.
        interval: Option<Duration>,
        /// `--timeout=`.
        timeout: Option<Duration>,
        /// `--start-period=`.
        start_period: Option<Duration>,
        /// `--start-interval=`.
        start_interval: Option<Duration>,
        /// `--retries=`.
        retries: Option<u32>,
    },
}

/// What an instruction does; one variant per Dockerfile keyword.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `FROM [--platform=p] image [AS name]`; raw words, the stage name lower-cased.
    From {
        /// The base image or stage, raw.
        image: String,
        /// The `AS` name, lower-cased as Docker does.
        stage_name: Option<String>,
        /// `--platform=`, raw.
        platform: Option<String>,
    },
    /// `ARG name[=default] ...`.
    Arg(Vec<ArgDecl>),
    /// `RUN`.
    Run(Run),
    /// `CMD`.
    Cmd(ShellOrExec),
    /// `ENTRYPOINT`.
    Entrypoint(ShellOrExec),
    /// `COPY`.
    Copy(CopySpec),
    /// `ADD`.
    Add(CopySpec),
    /// `ENV`: raw key and value words in order.
    Env(Vec<(String, String)>),
    /// `LABEL`: raw key and value words in order.
    Label(Vec<(String, String)>),
    /// `EXPOSE`: raw port words.
    Expose(Vec<String>),
    /// `USER`: the raw rest of the line.
    User(String),
    /// `WORKDIR`: the raw rest of the line.
    Workdir(String),
    /// `VOLUME`: JSON strings or whitespace-separated raw words.
    Volume(Vec<String>),
    /// `STOPSIGNAL`: the raw rest of the line.
    StopSignal(String),
    /// `HEALTHCHECK`.
    Healthcheck(Healthcheck),
    /// `SHELL`: always the JSON form.
    Shell(Vec<String>),
    /// `ONBUILD`: the trigger, parsed (its `text` is what Docker stores).
    Onbuild(Box<Instruction>),
    /// `MAINTAINER` (deprecated): the raw rest of the line.
    Maintainer(String),
}
