//! Command-line mistakes in Docker's words and exit codes, so scripts written against
//! the docker CLI read berth's the same way:
//! - an unknown flag: `unknown flag: --bogus` and `See 'berth run --help'.`, exit 125;
//! - missing arguments: `"berth exec" requires at least 2 arguments.`, the usage line
//!   and what the command does, exit 1;
//! - any other bad value: clap's message naming the flag, exit 125.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Command, CommandFactory};

/// A parse error turned into Docker's text and exit code.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError {
    pub code: u8,
    /// Where it goes: stdout for help and version, stderr otherwise.
    pub to_stdout: bool,
    pub text: String,
}

pub fn explain<C: CommandFactory>(err: &clap::Error, argv: &[String]) -> UsageError {
    let root = C::command();
    let (path, cmd) = subcommand_of(&root, argv);
    let name = path.join(" ");
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => UsageError {
            code: 0,
            to_stdout: err.kind() != ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
            text: err.render().to_string(),
        },
        ErrorKind::UnknownArgument => {
            let flag = match err.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => "?".into(),
            };
            UsageError {
                code: 125,
                to_stdout: false,
                text: format!("unknown flag: {flag}\nSee '{name} --help'.\n"),
            }
        }
        ErrorKind::MissingRequiredArgument
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => UsageError {
            code: 1,
            to_stdout: false,
            text: missing_arguments(&name, cmd),
        },
        _ => UsageError {
            code: 125,
            to_stdout: false,
            text: format!(
                "{}See '{name} --help'.\n",
                strip_usage(&err.render().to_string())
            ),
        },
    }
}

/// The deepest subcommand named in `argv` (flags and their values are skipped), with
/// its path from the binary's name.
fn subcommand_of<'a>(root: &'a Command, argv: &[String]) -> (Vec<String>, &'a Command) {
    let mut path = vec![root.get_name().to_string()];
    let mut cmd = root;
    for a in argv.iter().skip(1) {
        if a.starts_with('-') {
            continue;
        }
        match cmd.find_subcommand(a) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                cmd = sub;
            }
            // The first operand that is not a subcommand ends the walk (an image name).
            None if cmd.has_subcommands() && path.len() == 1 => continue,
            None => break,
        }
    }
    (path, cmd)
}

/// Docker's wording for too few operands, with the usage line and the command's purpose.
fn missing_arguments(name: &str, cmd: &Command) -> String {
    let positionals: Vec<&clap::Arg> = cmd.get_positionals().collect();
    let mut least = 0;
    let mut open_ended = false;
    let mut names = Vec::new();
    for p in &positionals {
        let range = p.get_num_args().unwrap_or_default();
        if p.is_required_set() {
            least += range.min_values().max(1);
        }
        open_ended |= range.max_values() == usize::MAX;
        let value = p
            .get_value_names()
            .map(|v| {
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| p.get_id().to_string().to_uppercase());
        names.push(if p.is_required_set() {
            value
        } else {
            format!("[{value}]")
        });
    }
    let how = if open_ended { "at least" } else { "exactly" };
    let plural = if least == 1 { "" } else { "s" };
    let about = cmd
        .get_about()
        .map(|a| format!("\n\n{a}"))
        .unwrap_or_default();
    format!(
        "\"{name}\" requires {how} {least} argument{plural}.\nSee '{name} --help'.\n\n\
         Usage:  {name} [OPTIONS] {}{about}\n",
        names.join(" ")
    )
}

/// clap's message without its own usage and help hints (Docker's replace them).
fn strip_usage(rendered: &str) -> String {
    let mut out = String::new();
    for line in rendered.lines() {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.trim().is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn explain_args(args: &[&str]) -> UsageError {
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let err = Cli::try_parse_from(&argv).expect_err("a parse error");
        explain::<Cli>(&err, &argv)
    }

    #[test]
    fn unknown_flags_are_named_with_exit_125() {
        for (args, name) in [
            (&["berth", "run", "--bogus", "img"][..], "berth run"),
            (&["berth", "exec", "--bogus", "c", "sh"][..], "berth exec"),
            (&["berth", "ps", "--bogus"][..], "berth ps"),
            (
                &["berth", "network", "ls", "--bogus"][..],
                "berth network ls",
            ),
        ] {
            let e = explain_args(args);
            assert_eq!(
                e,
                UsageError {
                    code: 125,
                    to_stdout: false,
                    text: format!("unknown flag: --bogus\nSee '{name} --help'.\n"),
                },
                "{args:?}"
            );
        }
    }

    #[test]
    fn a_flag_after_the_image_belongs_to_the_command() {
        let cli = Cli::try_parse_from(["berth", "run", "-d", "img", "ls", "-la", "--bogus"]);
        assert!(cli.is_ok(), "{cli:?}");
        assert!(Cli::try_parse_from(["berth", "exec", "c", "ls", "-la"]).is_ok());
    }

    #[test]
    fn missing_arguments_in_dockers_words() {
        let e = explain_args(&["berth", "exec", "c"]);
        assert_eq!(e.code, 1);
        assert!(
            e.text.starts_with(
                "\"berth exec\" requires at least 2 arguments.\nSee 'berth exec --help'.\n\n\
                 Usage:  berth exec [OPTIONS] CONTAINER COMMAND [ARG...]"
            ),
            "{}",
            e.text
        );
        let e = explain_args(&["berth", "run"]);
        assert!(
            e.text
                .starts_with("\"berth run\" requires at least 1 argument."),
            "{}",
            e.text
        );
    }
}
