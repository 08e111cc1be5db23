//! From a logical line to a typed [`Instruction`]: the keyword chosen, its flags
//! checked, and its arguments given to the parser for that keyword. RUN, COPY/ADD and
//! ONBUILD, which combine flags, heredocs and sub-parsers, live here.

use super::commands;
use super::flags::{Flags, Kind};
use super::healthcheck::parse_healthcheck;
use super::heredoc::heredoc_word;
use super::lines::LogicalLine;
use super::mount::parse_mount;
use super::suggest;
use super::types::{Command, CopySpec, Heredoc, Instruction, Run};
use super::words::split_command;

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Gives a logical line its meaning. Errors are bare messages; the caller adds the
/// file and the line.
pub(crate) fn parse_line(line: LogicalLine, escape: char) -> Result<Instruction, String> {
    let split = split_command(&line.text, escape);
    let keyword = split.keyword.to_ascii_uppercase();
    let flags = &split.flags;
    let rest = split.rest.as_str();
    // Instructions that take no flags still refuse unknown ones.
    let no_flags = || Flags::parse(flags, &[]).map(|_| ());
    let command = match keyword.as_str() {
        "FROM" => {
            let f = Flags::parse(flags, &[("platform", Kind::String)])?;
            commands::from(rest, f.string("platform"))?
        }
        "ARG" => {
            no_flags()?;
            commands::arg(rest, escape)?
        }
        "ENV" => {
            no_flags()?;
            Command::Env(commands::key_values(rest, escape, "ENV")?)
        }
        "LABEL" => {
            no_flags()?;
            Command::Label(commands::key_values(rest, escape, "LABEL")?)
        }
        "RUN" => Command::Run(run(flags, rest, line.heredocs.clone())?),
        "CMD" => {
            no_flags()?;
            Command::Cmd(commands::shell_or_exec(rest)?)
        }
        "ENTRYPOINT" => {
            no_flags()?;
            Command::Entrypoint(commands::shell_or_exec(rest)?)
        }
        "COPY" => Command::Copy(copy(flags, rest, &line.heredocs, false)?),
        "ADD" => Command::Add(copy(flags, rest, &line.heredocs, true)?),
        "EXPOSE" => {
            no_flags()?;
            commands::expose(rest)?
        }
        "USER" => {
            no_flags()?;
            Command::User(commands::one(rest, "USER")?)
        }
        "WORKDIR" => {
            no_flags()?;
            Command::Workdir(commands::one(rest, "WORKDIR")?)
        }
        "STOPSIGNAL" => {
            no_flags()?;
            Command::StopSignal(commands::one(rest, "STOPSIGNAL")?)
        }
        "MAINTAINER" => {
            no_flags()?;
            Command::Maintainer(commands::one(rest, "MAINTAINER")?)
        }
        "VOLUME" => {
            no_flags()?;
            commands::volume(rest)?
        }
        "SHELL" => {
            no_flags()?;
            commands::shell(rest)?
        }
        "HEALTHCHECK" => Command::Healthcheck(parse_healthcheck(flags, rest)?),
        "ONBUILD" => {
            no_flags()?;
            onbuild(&line, rest, escape)?
        }
        _ => return Err(unknown(&split.keyword)),
    };
    Ok(Instruction {
        line: line.start,
        end_line: line.end,
        text: line.text,
        command,
    })
}

fn unknown(keyword: &str) -> String {
    let msg = format!("unknown instruction: {keyword}");
    match suggest::closest(keyword, KEYWORDS, false) {
        Some(m) => format!("{msg} (did you mean {m}?)"),
        None => format!("{msg} (expected one of {})", KEYWORDS.join(", ")),
    }
}

fn run(flags: &[String], rest: &str, heredocs: Vec<Heredoc>) -> Result<Run, String> {
    let f = Flags::parse(
        flags,
        &[
            ("mount", Kind::Strings),
            ("network", Kind::String),
            ("security", Kind::String),
        ],
    )?;
    let mounts = f
        .strings("mount")
        .iter()
        .map(|m| parse_mount(m))
        .collect::<Result<Vec<_>, _>>()?;
    let network = f.string("network");
    if let Some(n) = network.as_deref() {
        if !matches!(n, "default" | "none" | "host") {
            return Err(format!("invalid network mode {n:?}"));
        }
    }
    let security = f.string("security");
    if let Some(s) = security.as_deref() {
        if !matches!(s, "sandbox" | "insecure") {
            return Err(format!("security {s:?} is not valid"));
        }
    }
    Ok(Run {
        command: commands::shell_or_exec(rest)?,
        mounts,
        network,
        security,
        heredocs,
    })
}

fn copy(flags: &[String], rest: &str, heredocs: &[Heredoc], add: bool) -> Result<CopySpec, String> {
    let name = if add { "ADD" } else { "COPY" };
    let mut known = vec![
        ("chown", Kind::String),
        ("chmod", Kind::String),
        ("link", Kind::Bool),
        ("exclude", Kind::Strings),
    ];
    if add {
        known.extend([
            ("keep-git-dir", Kind::Bool),
            ("checksum", Kind::String),
            ("unpack", Kind::Bool),
        ]);
    } else {
        known.extend([("from", Kind::String), ("parents", Kind::Bool)]);
    }
    // BuildKit counts the arguments before it looks at the flags.
    let mut args = commands::json_or_words(rest)?;
    if args.len() < 2 {
        return Err(format!(
            "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    let f = Flags::parse(flags, &known)?;
    let dest = args.pop().unwrap_or_default();
    if heredoc_word(&dest)?.is_some() {
        return Err(format!("{name} cannot accept a heredoc as a destination"));
    }
    let mut sources = Vec::new();
    let mut docs = Vec::new();
    for src in args {
        match heredoc_word(&src)? {
            Some(word) => docs.push(
                heredocs
                    .iter()
                    .find(|h| h.name == word.name)
                    .cloned()
                    .unwrap_or(word),
            ),
            None => sources.push(src),
        }
    }
    Ok(CopySpec {
        sources,
        dest,
        from: f.string("from"),
        chown: f.string("chown"),
        chmod: f.string("chmod"),
        link: f.bool("link"),
        parents: f.bool("parents"),
        exclude: f.strings("exclude"),
        checksum: f.string("checksum"),
        keep_git_dir: f.bool("keep-git-dir"),
        unpack: f.bool_opt("unpack"),
        heredocs: docs,
    })
}

/// ONBUILD: the trigger is parsed as an instruction of its own (so mistakes show now,
/// not in a child build), and its text is what Docker stores in the image: the line
/// without `ONBUILD`, followed by each heredoc body and delimiter.
fn onbuild(line: &LogicalLine, rest: &str, escape: char) -> Result<Command, String> {
    let trigger = rest
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase();
    match trigger.as_str() {
        "" => return Err("ONBUILD requires at least one argument".into()),
        "ONBUILD" => return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into()),
        "FROM" | "MAINTAINER" => {
            return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"))
        }
        _ => {}
    }
    let mut inner = parse_line(
        LogicalLine {
            start: line.start,
            end: line.end,
            text: rest.to_string(),
            heredocs: line.heredocs.clone(),
        },
        escape,
    )?;
    for doc in &line.heredocs {
        inner.text.push('\n');
        inner.text.push_str(&doc.content);
        inner.text.push_str(&doc.name);
    }
    Ok(Command::Onbuild(Box::new(inner)))
}
