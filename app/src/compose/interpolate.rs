//! Compose variable interpolation of one string, as compose-go's `template` package does
//! it: `$VAR`, `${VAR}`, the `:-`/`-` defaults, `:?`/`?` requirements and `:+`/`+`
//! replacements (whose text may hold further substitutions), and `$$` for a literal `$`.
//! Walking the YAML tree and naming the key path in errors is the caller's job.
//!
//! compose-go finds substitutions with one regular expression and then trims the match by
//! counting braces; the scanner here reproduces what that pair accepts, including where it
//! is odd, so a file means the same thing to `berth compose` as to `docker compose`:
//! - a `$` that starts neither `$$`, a name nor `${` is kept as it is (`$1`, `a $ b`, `$}`);
//! - a `${...}` with an operator takes its text up to the last `}` on the line and then
//!   cuts it at the brace that closes the `${`; what lies between the two is interpolated
//!   on its own and appended (`${A:-x}}` gives `x}`);
//! - a substitution never spans a line break (`${A:-x` + newline + `}` is invalid);
//! - the text after an operator is only interpolated when it is used, so an unset
//!   variable or a malformed `${` there is ignored while the variable has a value.
//!
//! Names are ASCII (`[A-Za-z_][A-Za-z0-9_]*`); Go's case folding would also let U+017F
//! and U+212A into a name, which no real file relies on.

use std::fmt;

/// Why a string could not be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolateError {
    /// A `${` that does not start a well-formed substitution (`${}`, `${VAR`, `${VAR:x}`).
    /// `template` is the text being interpolated when it was met: the whole value, or
    /// the default or message it was nested in, as compose-go reports it.
    InvalidFormat { template: String },
    /// `${VAR:?reason}` with VAR unset or empty, or `${VAR?reason}` with VAR unset.
    /// `reason` is already interpolated and may be empty.
    MissingRequired { variable: String, reason: String },
}

impl InterpolateError {
    /// The message docker compose prints for this error in the value at `path`
    /// (e.g. `services.web.image`).
    pub fn at_path(&self, path: &str) -> String {
        match self {
            InterpolateError::InvalidFormat { template } => format!(
                "invalid interpolation format for {path}.\n\
                 You may need to escape any $ with another $.\n{template}"
            ),
            InterpolateError::MissingRequired { .. } => {
                format!("error while interpolating {path}: {self}")
            }
        }
    }
}

impl fmt::Display for InterpolateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpolateError::InvalidFormat { template } => {
                write!(f, "invalid interpolation format: {template:?}")
            }
            InterpolateError::MissingRequired { variable, reason } if reason.is_empty() => {
                write!(f, "required variable {variable} is missing a value")
            }
            InterpolateError::MissingRequired { variable, reason } => {
                write!(
                    f,
                    "required variable {variable} is missing a value: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for InterpolateError {}

/// Interpolates `input`, asking `lookup` for each variable (`None` means unset, which is
/// not the same as set to ""). A plain `$VAR`/`${VAR}` that is unset becomes "".
pub fn interpolate(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolateError> {
    interpolate_noting_missing(input, lookup, &mut Vec::new())
}

/// [`interpolate`], also pushing onto `missing` the name of every plain `$VAR`/`${VAR}`
/// that was unset and became "", once per occurrence and in order, so the caller can
/// warn as compose does ("The \"VAR\" variable is not set. Defaulting to a blank
/// string."). Variables with an operator (`${VAR:-x}`, ...) are never reported.
pub fn interpolate_noting_missing(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
) -> Result<String, InterpolateError> {
    Substituter { lookup, missing }.substitute(input)
}

/// What a `${VAR<op>text}` does with its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// `-`: the text replaces an unset variable.
    Default,
    /// `?`: an unset variable is an error whose message is the text.
    Require,
    /// `+`: the text replaces a set variable; an unset one gives "".
    Replace,
}

#[derive(Debug, Clone, Copy)]
struct Operator {
    action: Action,
    /// The `:` form: a variable set to "" counts as unset.
    empty_is_unset: bool,
}

impl Operator {
    /// The operator at the start of `s`, if there is one.
    fn parse(s: &str) -> Option<Operator> {
        let (empty_is_unset, rest) = match s.strip_prefix(':') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let action = match rest.as_bytes().first()? {
            b'-' => Action::Default,
            b'?' => Action::Require,
            b'+' => Action::Replace,
            _ => return None,
        };
        Some(Operator {
            action,
            empty_is_unset,
        })
    }

    fn len(self) -> usize {
        1 + usize::from(self.empty_is_unset)
    }
}

struct Substituter<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    missing: &'a mut Vec<String>,
}

impl Substituter<'_> {
    fn substitute(&mut self, template: &str) -> Result<String, InterpolateError> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let (text, used) = self.expression(template, &rest[at..])?;
            out.push_str(&text);
            rest = &rest[at + used..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands the expression at the start of `s` (which starts with `$`), returning its
    /// text and how many bytes of `s` it took.
    fn expression(&mut self, template: &str, s: &str) -> Result<(String, usize), InterpolateError> {
        let after = &s[1..];
        if after.starts_with('$') {
            return Ok(("$".to_string(), 2));
        }
        if after.starts_with('{') {
            return self.braced(template, s);
        }
        match name_len(after) {
            0 => Ok(("$".to_string(), 1)),
            len => Ok((self.plain(&after[..len]), 1 + len)),
        }
    }

    /// Expands the `${...}` at the start of `s`.
    fn braced(&mut self, template: &str, s: &str) -> Result<(String, usize), InterpolateError> {
        let invalid = || InterpolateError::InvalidFormat {
            template: template.to_string(),
        };
        let name_end = 2 + name_len(&s[2..]);
        if name_end == 2 {
            return Err(invalid());
        }
        let name = &s[2..name_end];
        if s[name_end..].starts_with('}') {
            return Ok((self.plain(name), name_end + 1));
        }
        let op = Operator::parse(&s[name_end..]).ok_or_else(invalid)?;
        let text_start = name_end + op.len();
        // compose-go's pattern takes everything up to the last `}` on the line...
        let line_end = s[text_start..]
            .find('\n')
            .map_or(s.len(), |n| text_start + n);
        let last_close = s[text_start..line_end]
            .rfind('}')
            .map(|n| text_start + n)
            .ok_or_else(invalid)?;
        // ...then cuts it at the brace closing the `${`; the part after that cut is
        // interpolated separately. Unbalanced braces leave the whole span as the text.
        let (text_end, tail) = match closing_brace(&s[..=last_close]) {
            Some(close) => (close, &s[close + 1..=last_close]),
            None => (last_close, ""),
        };
        let mut value = self.apply(name, op, &s[text_start..text_end])?;
        if !tail.is_empty() {
            value.push_str(&self.substitute(tail)?);
        }
        Ok((value, last_close + 1))
    }

    fn apply(&mut self, name: &str, op: Operator, text: &str) -> Result<String, InterpolateError> {
        let value = (self.lookup)(name);
        let unset = match &value {
            None => true,
            Some(v) => op.empty_is_unset && v.is_empty(),
        };
        // The text is interpolated only on the branch that uses it (compose-go v2.10.1+).
        match (op.action, unset) {
            (Action::Default, true) | (Action::Replace, false) => self.substitute(text),
            (Action::Require, true) => Err(InterpolateError::MissingRequired {
                variable: name.to_string(),
                reason: self.substitute(text)?,
            }),
            _ => Ok(value.unwrap_or_default()),
        }
    }

    /// A variable with no operator: unset gives "" and is noted.
    fn plain(&mut self, name: &str) -> String {
        match (self.lookup)(name) {
            Some(value) => value,
            None => {
                self.missing.push(name.to_string());
                String::new()
            }
        }
    }
}

/// Length in bytes of the variable name at the start of `s` (0 if there is none).
fn name_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(bytes.len()),
        _ => 0,
    }
}

/// Index of the `}` that brings the brace depth of `token` (starting `${`) back to zero,
/// counted as compose-go counts it: the character after each `{` is stepped over, so
/// `{}` and `{{` inside a default count as a single opening brace.
fn closing_brace(token: &str) -> Option<usize> {
    let bytes = token.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FOO is set, BAR is set to "", JSON holds braces; anything else is unset.
    fn env(name: &str) -> Option<String> {
        match name {
            "FOO" => Some("first".to_string()),
            "BAR" => Some(String::new()),
            "JSON" => Some(r#"{"json":2}"#.to_string()),
            _ => None,
        }
    }

    fn ok(input: &str) -> String {
        match interpolate(input, &env) {
            Ok(out) => out,
            Err(e) => panic!("{input:?} failed: {e}"),
        }
    }

    fn err(input: &str) -> InterpolateError {
        match interpolate(input, &env) {
            Ok(out) => panic!("{input:?} gave {out:?}, expected an error"),
            Err(e) => e,
        }
    }

    fn check_all(cases: &[(&str, &str)]) {
        for (input, expected) in cases {
            assert_eq!(ok(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn text_without_dollar_is_unchanged() {
        check_all(&[
            ("", ""),
            ("foo", "foo"),
            ("héllo wörld {}", "héllo wörld {}"),
        ]);
    }

    #[test]
    fn plain_variables() {
        check_all(&[
            ("$FOO", "first"),
            ("${FOO}", "first"),
            ("This $FOO var", "This first var"),
            ("This ${FOO} var", "This first var"),
            ("${FOO}bar", "firstbar"),
            // A bare name stops at the first character that cannot be in a name.
            ("$FOO-bar", "first-bar"),
            ("$FOO.x", "first.x"),
            ("$FOObar", ""),
            ("${FOO}${FOO}", "firstfirst"),
            ("é$FOO€", "éfirst€"),
        ]);
    }

    #[test]
    fn unset_and_empty_plain_variables_become_empty() {
        check_all(&[
            ("This ${missing} var", "This  var"),
            ("This ${BAR} var", "This  var"),
            ("This $missing var", "This  var"),
            ("$foo", ""),
            ("${_under_9}", ""),
        ]);
    }

    #[test]
    fn double_dollar_is_a_literal_dollar() {
        check_all(&[
            ("$$", "$"),
            ("$${FOO}", "${FOO}"),
            ("$$FOO", "$FOO"),
            ("$$$FOO", "$first"),
            ("$$$$", "$$"),
            ("a$$b", "a$b"),
        ]);
    }

    #[test]
    fn a_dollar_starting_nothing_is_kept() {
        check_all(&[
            ("$", "$"),
            ("a $ string", "a $ string"),
            ("^REGEX$", "^REGEX$"),
            ("$}", "$}"),
            ("$1", "$1"),
            ("$-x", "$-x"),
            ("$ {FOO}", "$ {FOO}"),
            ("$$$", "$$"),
            ("$é", "$é"),
        ]);
    }

    #[test]
    fn defaults() {
        check_all(&[
            ("ok ${missing:-def}", "ok def"),
            ("ok ${missing-def}", "ok def"),
            ("ok ${BAR:-def}", "ok def"),
            ("ok ${BAR-def}", "ok "),
            ("ok ${FOO:-def}", "ok first"),
            ("ok ${FOO-def}", "ok first"),
            ("${missing:-}", ""),
            ("${missing-}", ""),
            (
                "${missing:-with spaces and : - ? +}",
                "with spaces and : - ? +",
            ),
        ]);
    }

    #[test]
    fn replacements() {
        check_all(&[
            ("ok ${FOO:+presence}", "ok presence"),
            ("ok ${FOO+presence}", "ok presence"),
            ("ok ${BAR+presence}", "ok presence"),
            ("ok ${BAR:+presence}", "ok "),
            ("ok ${UNSET:+presence}", "ok "),
            ("ok ${UNSET+presence}", "ok "),
        ]);
    }

    #[test]
    fn required_variables_that_have_a_value() {
        check_all(&[
            ("ok ${FOO:?err}", "ok first"),
            ("ok ${FOO?err}", "ok first"),
            ("ok ${BAR?err}", "ok "),
            ("ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first"),
        ]);
    }

    #[test]
    fn the_first_operator_after_the_name_wins() {
        check_all(&[
            ("ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric"),
            ("${UNSET-myerror?msg}", "myerror?msg"),
            ("${UNSET:-a+b:?c}", "a+b:?c"),
            ("${FOO+x:-y}", "x:-y"),
        ]);
    }

    #[test]
    fn text_around_a_substitution_does_not_change_it() {
        check_all(&[
            ("-ok ${BAR:-defaultValue}", "-ok defaultValue"),
            (":-ok ${UNSET-defaultValue}", ":-ok defaultValue"),
            (":?ok ${BAR-defaultValue}", ":?ok "),
            ("+ok ${BAR-defaultValue}", "+ok "),
            ("?ok ${BAR:-defaultValue}", "?ok defaultValue"),
        ]);
    }

    #[test]
    fn nested_substitutions_in_defaults_and_replacements() {
        check_all(&[
            ("${A:-${B:-x}}", "x"),
            ("${A:-${FOO:-x}}", "first"),
            ("${A:-${B:-${C:-deep}}}", "deep"),
            ("ok ${UNSET_VAR-$FOO}", "ok first"),
            ("ok ${UNSET_VAR-${FOO}}", "ok first"),
            ("ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first"),
            ("ok ${BAR:-$FOO}", "ok first"),
            ("ok ${BAR:-${FOO} ${FOO}}", "ok first first"),
            ("ok ${BAR+$FOO}", "ok first"),
            ("ok ${BAR+$FOO ${FOO:+second}}", "ok first second"),
            ("+ok ${UNSET:-${BAR-defaultValue}}", "+ok "),
            ("${A:-$$}", "$"),
            ("${A:-$${B}}", "${B}"),
        ]);
    }

    #[test]
    fn braces_inside_a_default() {
        check_all(&[
            (r#"ok ${missing:-{"json":1}}"#, r#"ok {"json":1}"#),
            (r#"ok ${missing-{"json":1}}"#, r#"ok {"json":1}"#),
            (r#"ok ${JSON:-{"json":1}}"#, r#"ok {"json":2}"#),
            (r#"ok ${JSON-{"json":1}}"#, r#"ok {"json":2}"#),
        ]);
    }

    #[test]
    fn text_after_the_closing_brace_is_interpolated_on_its_own() {
        check_all(&[
            ("${UNSET:-a}}", "a}"),
            ("${UNSET:-a}${OTHER:-b}", "ab"),
            ("${UNSET-a} and ${FOO} and $FOO}", "a and first and first}"),
            ("${UNSET:-a} $$FOO }", "a $FOO }"),
            ("${FOO:+x}-${BAR:-y}-${JSON:+z}", "x-y-z"),
        ]);
    }

    #[test]
    fn substitutions_on_separate_lines() {
        check_all(&[
            ("${FOO}\n${UNSET:-x}", "first\nx"),
            ("${UNSET:-a}\n}", "a\n}"),
            ("line1\n$FOO\r\nline3", "line1\nfirst\r\nline3"),
        ]);
    }

    // compose-go counts braces stepping over the character after each `{`; these pin the
    // results that follows from that, which a plain depth count would reject or split.
    #[test]
    fn brace_counting_matches_compose_go() {
        check_all(&[
            ("${UNSET:-{}", "{"),
            ("${UNSET:-{{}}", "{{}"),
            ("${FOO:-{}", "first"),
        ]);
    }

    #[test]
    fn unused_text_after_an_operator_is_not_interpolated() {
        // Neither the malformed `${` nor the required B are looked at while FOO has a value.
        check_all(&[
            ("${FOO:-${}", "first"),
            ("${FOO?${B:?boom}}", "first"),
            ("${BAR:+${}}", ""),
        ]);
    }

    #[test]
    fn invalid_formats() {
        for input in [
            "${",
            "${}",
            "${ }",
            "${ foo}",
            "${foo }",
            "${foo!}",
            "${VAR",
            "${VAR:x}",
            "${VAR:}",
            "${VAR:-unclosed",
            "${1}",
            "${A-b c",
            "${A\n}",
            "${A:-x\n}",
            "ok $FOO ${",
            "${FOO}${",
        ] {
            assert_eq!(
                err(input),
                InterpolateError::InvalidFormat {
                    template: input.to_string()
                },
                "input {input:?}"
            );
        }
    }

    #[test]
    fn an_invalid_nested_default_reports_the_default() {
        assert_eq!(
            err("x ${UNSET:-${}}"),
            InterpolateError::InvalidFormat {
                template: "${}".to_string()
            }
        );
        assert_eq!(
            err("${UNSET:-a}${"),
            InterpolateError::InvalidFormat {
                template: "${UNSET:-a}${".to_string()
            }
        );
    }

    #[test]
    fn required_variables_without_a_value() {
        let cases = [
            (
                "not ok ${UNSET_VAR:?Mandatory Variable Unset}",
                "UNSET_VAR",
                "Mandatory Variable Unset",
            ),
            (
                "not ok ${BAR:?Mandatory Variable Empty}",
                "BAR",
                "Mandatory Variable Empty",
            ),
            ("not ok ${UNSET_VAR:?}", "UNSET_VAR", ""),
            (
                "not ok ${UNSET_VAR?Mandatory Variable Unset}",
                "UNSET_VAR",
                "Mandatory Variable Unset",
            ),
            ("not ok ${UNSET_VAR?}", "UNSET_VAR", ""),
            ("${UNSET_VAR?bar-baz}", "UNSET_VAR", "bar-baz"),
            (
                "${UNSET_VAR:?Mandatory ${FOO}}",
                "UNSET_VAR",
                "Mandatory first",
            ),
            (
                "${UNSET_VAR?Mandatory ${FOO}}",
                "UNSET_VAR",
                "Mandatory first",
            ),
            ("${A:-${B:?inner}}", "B", "inner"),
        ];
        for (input, variable, reason) in cases {
            let expected = InterpolateError::MissingRequired {
                variable: variable.to_string(),
                reason: reason.to_string(),
            };
            assert_eq!(err(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn the_first_error_wins() {
        assert_eq!(
            err("${A:?first} ${"),
            InterpolateError::MissingRequired {
                variable: "A".to_string(),
                reason: "first".to_string()
            }
        );
    }

    #[test]
    fn error_messages() {
        let required = err("${DB_PASSWORD:?set it in .env}");
        assert_eq!(
            required.to_string(),
            "required variable DB_PASSWORD is missing a value: set it in .env"
        );
        assert_eq!(
            required.at_path("services.db.environment.PASSWORD"),
            "error while interpolating services.db.environment.PASSWORD: \
             required variable DB_PASSWORD is missing a value: set it in .env"
        );
        assert_eq!(
            err("${X:?}").to_string(),
            "required variable X is missing a value"
        );
        let invalid = err("image: ${TAG");
        assert_eq!(
            invalid.to_string(),
            r#"invalid interpolation format: "image: ${TAG""#
        );
        assert_eq!(
            invalid.at_path("services.web.image"),
            "invalid interpolation format for services.web.image.\n\
             You may need to escape any $ with another $.\nimage: ${TAG"
        );
    }

    #[test]
    fn unset_plain_variables_are_noted_in_order() {
        let mut missing = Vec::new();
        let out = interpolate_noting_missing(
            "$A ${B} ${C:-x} ${D-${E}} $FOO ${BAR} $A",
            &env,
            &mut missing,
        );
        assert_eq!(out, Ok("  x  first  ".to_string()));
        assert_eq!(missing, ["A", "B", "E", "A"]);
    }

    #[test]
    fn variables_behind_unused_text_are_not_noted() {
        let mut missing = Vec::new();
        let out = interpolate_noting_missing("${A:+${A},}B ${FOO:-$C}", &env, &mut missing);
        assert_eq!(out, Ok("B first".to_string()));
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn the_lookup_decides_set_versus_empty() {
        let lookup = |name: &str| (name == "EMPTY").then(String::new);
        assert_eq!(
            interpolate("${EMPTY-d}|${NONE-d}", &lookup),
            Ok("|d".to_string())
        );
        assert_eq!(
            interpolate("${EMPTY:-d}|${NONE:-d}", &lookup),
            Ok("d|d".to_string())
        );
    }
}
