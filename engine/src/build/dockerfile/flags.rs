//! An instruction's `--flags`, checked against the flags that instruction knows, with
//! BuildKit's messages for unknown, repeated and malformed ones.

use super::suggest;

/// What values a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `--link`, `--link=true`, `--link=false`.
    Bool,
    /// `--from=x`, at most once.
    String,
    /// `--mount=x`, any number of times.
    Strings,
}

/// The flags given, by name.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    values: Vec<(&'static str, String)>,
}

impl Flags {
    /// Checks `given` (as split from the line, `--name[=value]`) against `known`.
    pub fn parse(given: &[String], known: &[(&'static str, Kind)]) -> Result<Self, String> {
        let mut flags = Flags::default();
        for arg in given {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let flag_name = format!("--{name}");
            let Some(&(known_name, kind)) = known.iter().find(|(k, _)| *k == name) else {
                let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
                return Err(suggest::wrap(
                    format!("unknown flag: {flag_name}"),
                    name,
                    &names,
                    true,
                ));
            };
            if kind != Kind::Strings && flags.values.iter().any(|(n, _)| *n == known_name) {
                return Err(format!("duplicate flag specified: {flag_name}"));
            }
            let value = match (kind, value) {
                (Kind::Bool, Some("")) | (Kind::String | Kind::Strings, None) => {
                    return Err(format!("missing a value on flag: {flag_name}"))
                }
                (Kind::Bool, None) => "true".to_string(),
                (Kind::Bool, Some(v)) => match v.to_ascii_lowercase().as_str() {
                    "true" => "true".to_string(),
                    "false" => "false".to_string(),
                    _ => {
                        return Err(format!(
                            "expecting boolean value for flag {flag_name}, not: {v}"
                        ))
                    }
                },
                (_, Some(v)) => v.to_string(),
            };
            flags.values.push((known_name, value));
        }
        Ok(flags)
    }

    /// A string flag's value, if given.
    pub fn string(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    /// A bool flag: `None` when not given.
    pub fn bool_opt(&self, name: &str) -> Option<bool> {
        self.string(name).map(|v| v == "true")
    }

    /// A bool flag, false when not given.
    pub fn bool(&self, name: &str) -> bool {
        self.bool_opt(name).unwrap_or(false)
    }

    /// Every value of a repeatable flag, in order.
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(&str, Kind)] = &[
        ("from", Kind::String),
        ("link", Kind::Bool),
        ("exclude", Kind::Strings),
    ];

    fn parse(args: &[&str]) -> Result<Flags, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        Flags::parse(&args, KNOWN)
    }

    #[test]
    fn reads_each_kind() {
        let f = parse(&["--from=a", "--link", "--exclude=x", "--exclude=y"]).unwrap_or_default();
        assert_eq!(f.string("from").as_deref(), Some("a"));
        assert!(f.bool("link"));
        assert_eq!(f.strings("exclude"), ["x", "y"]);
        let f = parse(&["--link=FALSE"]).unwrap_or_default();
        assert_eq!(f.bool_opt("link"), Some(false));
        assert_eq!(f.string("from"), None);
    }

    #[test]
    fn refuses_bad_flags_in_buildkit_words() {
        let cases: &[(&[&str], &str)] = &[
            (&["--form=a"], "unknown flag: --form (did you mean from?)"),
            (&["--platform=x"], "unknown flag: --platform"),
            (
                &["--from=a", "--from=b"],
                "duplicate flag specified: --from",
            ),
            (&["--from"], "missing a value on flag: --from"),
            (&["--link="], "missing a value on flag: --link"),
            (
                &["--link=yes"],
                "expecting boolean value for flag --link, not: yes",
            ),
        ];
        for (args, want) in cases {
            assert_eq!(parse(args).err().as_deref(), Some(*want), "{args:?}");
        }
    }
}
