//! The instructions whose arguments are plain words or text: FROM, ARG, ENV, LABEL,
//! EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL, SHELL, CMD, ENTRYPOINT and MAINTAINER,
//! with BuildKit's arity messages.

use super::types::{ArgDecl, Command, ShellOrExec};
use super::words::{parse_json, parse_words, split_blanks};

/// Shell form text or JSON exec form (RUN, CMD, ENTRYPOINT).
pub(crate) fn shell_or_exec(rest: &str) -> Result<ShellOrExec, String> {
    Ok(match parse_json(rest)? {
        Some(v) => ShellOrExec::Exec(v),
        None => ShellOrExec::Shell(rest.to_string()),
    })
}

/// JSON strings, or whitespace-separated words (VOLUME, COPY, ADD).
pub(crate) fn json_or_words(rest: &str) -> Result<Vec<String>, String> {
    Ok(parse_json(rest)?.unwrap_or_else(|| split_blanks(rest)))
}

pub(crate) fn from(rest: &str, platform: Option<String>) -> Result<Command, String> {
    let args = split_blanks(rest);
    let stage_name = match args.as_slice() {
        [_] => None,
        [_, as_, name] if as_.eq_ignore_ascii_case("as") => {
            let lower = name.to_lowercase();
            if !valid_stage_name(&lower) {
                return Err(format!(
                    "invalid name for build stage: {name:?}, name can't start with a number or contain symbols"
                ));
            }
            Some(lower)
        }
        _ => return Err("FROM requires either one or three arguments".into()),
    };
    Ok(Command::From {
        image: args[0].clone(),
        stage_name,
        platform,
    })
}

/// `^[a-z][a-z0-9-_.]*$`
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

pub(crate) fn arg(rest: &str, escape: char) -> Result<Command, String> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Err("ARG requires at least one argument".into());
    }
    let mut decls = Vec::new();
    for word in words {
        let decl = match word.split_once('=') {
            Some(("", _)) => return Err("ARG names can not be blank".into()),
            Some((name, default)) => ArgDecl {
                name: name.to_string(),
                default: Some(default.to_string()),
            },
            None => ArgDecl {
                name: word,
                default: None,
            },
        };
        decls.push(decl);
    }
    Ok(Command::Arg(decls))
}

/// ENV and LABEL: `K=V K2="V 2"`, or the legacy `K the rest of the line`.
pub(crate) fn key_values(
    rest: &str,
    escape: char,
    keyword: &str,
) -> Result<Vec<(String, String)>, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Err(format!("{keyword} requires at least one argument"));
    };
    if !first.contains('=') {
        // Legacy form: the first word is the key, everything after it the value.
        let split = rest
            .find(|c: char| c.is_whitespace())
            .map(|i| (&rest[..i], rest[i..].trim_start()));
        return match split {
            Some((k, v)) if !v.is_empty() => Ok(vec![(k.to_string(), v.to_string())]),
            _ => Err(format!("{keyword} must have two arguments")),
        };
    }
    let mut pairs = Vec::new();
    for word in &words {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        if k.is_empty() {
            return Err(format!("{keyword} names can not be blank"));
        }
        pairs.push((k.to_string(), v.to_string()));
    }
    Ok(pairs)
}

pub(crate) fn expose(rest: &str) -> Result<Command, String> {
    let ports = split_blanks(rest);
    if ports.is_empty() {
        return Err("EXPOSE requires at least one argument".into());
    }
    Ok(Command::Expose(ports))
}

/// USER, WORKDIR, STOPSIGNAL, MAINTAINER: the rest of the line, which must be there.
pub(crate) fn one(rest: &str, keyword: &str) -> Result<String, String> {
    if rest.is_empty() {
        return Err(format!("{keyword} requires exactly one argument"));
    }
    Ok(rest.to_string())
}

pub(crate) fn volume(rest: &str) -> Result<Command, String> {
    let vols = json_or_words(rest)?;
    if vols.is_empty() {
        return Err("VOLUME requires at least one argument".into());
    }
    vols.into_iter()
        .map(|v| {
            let v = v.trim().to_string();
            if v.is_empty() {
                Err("VOLUME specified can not be an empty string".to_string())
            } else {
                Ok(v)
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Command::Volume)
}

pub(crate) fn shell(rest: &str) -> Result<Command, String> {
    match parse_json(rest)? {
        Some(v) if v.is_empty() => Err("SHELL requires at least one argument".into()),
        Some(v) => Ok(Command::Shell(v)),
        None if rest.is_empty() => Err("SHELL requires at least one argument".into()),
        None => Err("SHELL requires the arguments to be in JSON form".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn env_forms() {
        assert_eq!(
            key_values(r#"A=1 B="two words" C=x\ y D="""#, '\\', "ENV"),
            Ok(kv(&[
                ("A", "1"),
                ("B", "\"two words\""),
                ("C", "x\\ y"),
                ("D", "\"\"")
            ]))
        );
        assert_eq!(
            key_values("NAME  value with   spaces", '\\', "ENV"),
            Ok(kv(&[("NAME", "value with   spaces")]))
        );
        let cases: &[(&str, &str)] = &[
            ("", "ENV requires at least one argument"),
            ("A", "ENV must have two arguments"),
            ("=x", "ENV names can not be blank"),
            (
                "A=1 B",
                "Syntax error - can't find = in \"B\". Must be of the form: name=value",
            ),
        ];
        for (rest, want) in cases {
            assert_eq!(
                key_values(rest, '\\', "ENV").err().as_deref(),
                Some(*want),
                "{rest}"
            );
        }
        assert_eq!(
            key_values("", '\\', "LABEL").err().as_deref(),
            Some("LABEL requires at least one argument")
        );
    }

    #[test]
    fn from_forms() {
        assert_eq!(
            from("golang:1.22 AS Build", None),
            Ok(Command::From {
                image: "golang:1.22".into(),
                stage_name: Some("build".into()),
                platform: None
            })
        );
        assert_eq!(
            from("a b", None).err().as_deref(),
            Some("FROM requires either one or three arguments")
        );
        assert_eq!(
            from("", None).err().as_deref(),
            Some("FROM requires either one or three arguments")
        );
        assert_eq!(
            from("a as 1st", None).err().as_deref(),
            Some("invalid name for build stage: \"1st\", name can't start with a number or contain symbols")
        );
    }

    #[test]
    fn arg_forms() {
        assert_eq!(
            arg("A B=2 C=\"x y\"", '\\'),
            Ok(Command::Arg(vec![
                ArgDecl {
                    name: "A".into(),
                    default: None
                },
                ArgDecl {
                    name: "B".into(),
                    default: Some("2".into())
                },
                ArgDecl {
                    name: "C".into(),
                    default: Some("\"x y\"".into())
                },
            ]))
        );
        assert_eq!(
            arg("", '\\').err().as_deref(),
            Some("ARG requires at least one argument")
        );
        assert_eq!(
            arg("=1", '\\').err().as_deref(),
            Some("ARG names can not be blank")
        );
    }

    #[test]
    fn shell_volume_and_json() {
        assert_eq!(
            shell("sh -c").err().as_deref(),
            Some("SHELL requires the arguments to be in JSON form")
        );
        assert_eq!(
            shell("[\"bash\", \"-c\"]"),
            Ok(Command::Shell(vec!["bash".into(), "-c".into()]))
        );
        assert_eq!(
            volume("/a /b"),
            Ok(Command::Volume(vec!["/a".into(), "/b".into()]))
        );
        assert_eq!(
            volume("[\"/a\", \" \"]").err().as_deref(),
            Some("VOLUME specified can not be an empty string")
        );
        assert_eq!(
            shell_or_exec("[ \"a\" "),
            Ok(ShellOrExec::Shell("[ \"a\" ".into()))
        );
        assert!(shell_or_exec("[\"a\", null]").is_err());
    }
}
