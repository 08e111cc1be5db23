//! Built-in template functions: Go's own (`len`, `index`, `printf`, `eq`...)
//! and the ones Docker's CLI adds (`json`, `join`, `split`, `upper`,
//! `lower`, `title`, `pad`, `truncate`).

use std::cmp::Ordering;

use serde_json::Value;

use super::printf::sprintf;
use crate::format::gofmt::{go_type_name, is_true, write_nested};

const BUILTINS: &[&str] = &[
    "and", "eq", "ge", "gt", "index", "join", "json", "le", "len", "lower", "lt", "ne", "not",
    "or", "pad", "print", "printf", "println", "split", "title", "truncate", "upper",
];

/// Docker renders table headers through the same template with these
/// functions replaced by identity, so `{{.Names | upper}}` still heads its
/// column `NAMES` rather than a transformed or JSON-quoted header.
const HEADER_IDENTITY: &[&str] = &[
    "json", "split", "join", "title", "lower", "upper", "truncate",
];

pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

/// Calls function `name`; the piped value, if any, is already the last
/// argument. Errors are plain messages; the caller adds where it happened.
pub fn call(name: &str, args: &[Value], header: bool) -> Result<Value, String> {
    if header && HEADER_IDENTITY.contains(&name) {
        return Ok(args.first().cloned().unwrap_or(Value::Null));
    }
    let s = |s: String| Ok(Value::String(s));
    match name {
        "json" => {
            let [v] = arity(name, args)?;
            s(serde_json::to_string(v).map_err(|e| format!("cannot encode as JSON: {e}"))?)
        }
        "upper" => s(string_arg(name, arity::<1>(name, args)?[0])?.to_uppercase()),
        "lower" => s(string_arg(name, arity::<1>(name, args)?[0])?.to_lowercase()),
        "title" => s(title(string_arg(name, arity::<1>(name, args)?[0])?)),
        "split" => {
            let [text, sep] = arity(name, args)?;
            Ok(split(string_arg(name, text)?, string_arg(name, sep)?))
        }
        "join" => {
            let [list, sep] = arity(name, args)?;
            let Value::Array(items) = list else {
                return Err(format!(
                    "wrong type for value; expected []string; got {}",
                    go_type_name(list)
                ));
            };
            let parts: Vec<String> = items.iter().map(plain).collect();
            s(parts.join(string_arg(name, sep)?))
        }
        "pad" => {
            let [text, before, after] = arity(name, args)?;
            let text = string_arg(name, text)?;
            if text.is_empty() {
                return s(String::new());
            }
            let (before, after) = (count_arg(name, before)?, count_arg(name, after)?);
            s(format!("{}{text}{}", " ".repeat(before), " ".repeat(after)))
        }
        "truncate" => {
            let [text, n] = arity(name, args)?;
            s(string_arg(name, text)?
                .chars()
                .take(count_arg(name, n)?)
                .collect())
        }
        "len" => {
            let [v] = arity(name, args)?;
            let n = match v {
                Value::String(t) => t.len(),
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                Value::Null => return Err("len of nil pointer".into()),
                other => return Err(format!("len of type {}", go_type_name(other))),
            };
            Ok(Value::from(n))
        }
        "index" => {
            let (first, keys) = args
                .split_first()
                .ok_or("wrong number of args for index: want at least 1 got 0")?;
            keys.iter().try_fold(first.clone(), |v, k| index(&v, k))
        }
        "printf" => {
            let (format, rest) = args
                .split_first()
                .ok_or("wrong number of args for printf: want at least 1 got 0")?;
            s(sprintf(string_arg(name, format)?, rest))
        }
        "print" => {
            // fmt.Sprint puts a space between operands when neither is a string.
            let mut out = String::new();
            for (i, a) in args.iter().enumerate() {
                if i > 0 && !a.is_string() && !args[i - 1].is_string() {
                    out.push(' ');
                }
                write_nested(a, &mut out);
            }
            s(out)
        }
        "println" => {
            let parts: Vec<String> = args.iter().map(plain).collect();
            s(format!("{}\n", parts.join(" ")))
        }
        "not" => Ok(Value::Bool(!is_true(arity::<1>(name, args)?[0]))),
        // Reached only when called without the short-circuit path in exec.
        "and" => Ok(args
            .iter()
            .find(|a| !is_true(a))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null)),
        "or" => Ok(args
            .iter()
            .find(|a| is_true(a))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null)),
        "eq" => {
            let (first, rest) = args
                .split_first()
                .ok_or("missing argument for comparison")?;
            if rest.is_empty() {
                return Err("missing argument for comparison".into());
            }
            for other in rest {
                if equal(first, other)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        "ne" => {
            let [a, b] = arity(name, args)?;
            Ok(Value::Bool(!equal(a, b)?))
        }
        "lt" | "le" | "gt" | "ge" => {
            let [a, b] = arity(name, args)?;
            let ord = order(a, b)?;
            Ok(Value::Bool(match name {
                "lt" => ord == Ordering::Less,
                "le" => ord != Ordering::Greater,
                "gt" => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }))
        }
        other => Err(format!("function \"{other}\" not defined")),
    }
}

fn arity<'a, const N: usize>(name: &str, args: &'a [Value]) -> Result<[&'a Value; N], String> {
    let refs: Vec<&Value> = args.iter().collect();
    refs.try_into().map_err(|_| {
        format!(
            "wrong number of args for {name}: want {N} got {}",
            args.len()
        )
    })
}

fn string_arg<'a>(name: &str, v: &'a Value) -> Result<&'a str, String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Err(format!("invalid value for {name}; expected string")),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            go_type_name(other)
        )),
    }
}

fn count_arg(name: &str, v: &Value) -> Result<usize, String> {
    v.as_f64()
        .filter(|x| x.fract() == 0.0 && *x >= 0.0)
        .map(|x| x as usize)
        .ok_or_else(|| {
            format!("wrong type for value in {name}; expected a non-negative integer; got {v}")
        })
}

/// A value as `fmt.Sprint` shows it on its own (strings unquoted).
fn plain(v: &Value) -> String {
    let mut out = String::new();
    write_nested(v, &mut out);
    out
}

/// Go's `strings.Split`: an empty separator splits into characters.
fn split(text: &str, sep: &str) -> Value {
    let parts: Vec<Value> = if sep.is_empty() {
        text.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        text.split(sep)
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    Value::Array(parts)
}

/// Go's `strings.Title`: upper-cases the first letter of each word, where
/// words are separated by anything but letters, digits and `_`.
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for c in text.chars() {
        if at_word_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = !(c.is_alphanumeric() || c == '_');
    }
    out
}

fn index(v: &Value, key: &Value) -> Result<Value, String> {
    match (v, key) {
        (Value::Array(items), k) => {
            let i = k
                .as_f64()
                .filter(|x| x.fract() == 0.0)
                .ok_or_else(|| format!("cannot index slice/array with type {}", go_type_name(k)))?;
            if i < 0.0 || i as usize >= items.len() {
                return Err(format!("index out of range: {i}"));
            }
            Ok(items[i as usize].clone())
        }
        // Docker's typed label maps are map[string]string, whose zero value
        // is "", so a missing label prints as nothing rather than <no value>.
        (Value::Object(map), Value::String(k)) => {
            Ok(map.get(k).cloned().unwrap_or(Value::String(String::new())))
        }
        (Value::Object(_), k) => Err(format!(
            "value has type {}; should be string",
            go_type_name(k)
        )),
        (Value::Null, _) => Err("index of untyped nil".into()),
        (other, _) => Err(format!("can't index item of type {}", go_type_name(other))),
    }
}

fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Ok(x.as_f64() == y.as_f64()),
        (Value::String(x), Value::String(y)) => Ok(x == y),
        (Value::Bool(x), Value::Bool(y)) => Ok(x == y),
        // Go errors on nil here; rows built from JSON often lack a field, and
        // "missing is not equal to x" is the useful answer.
        (Value::Null, other) | (other, Value::Null) => Ok(other.is_null()),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            Err("non-comparable type".into())
        }
        _ => Err(format!(
            "incompatible types for comparison: {} and {}",
            go_type_name(a),
            go_type_name(b)
        )),
    }
}

fn order(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .ok_or_else(|| "cannot compare NaN".to_string()),
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => Err(format!(
            "incompatible types for comparison: {} and {}",
            go_type_name(a),
            go_type_name(b)
        )),
        _ => Err(format!(
            "invalid type for comparison: {} and {}",
            go_type_name(a),
            go_type_name(b)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(name: &str, args: &[Value]) -> Result<Value, String> {
        call(name, args, false)
    }

    #[test]
    fn string_functions() {
        assert_eq!(c("upper", &[json!("web")]), Ok(json!("WEB")));
        assert_eq!(c("lower", &[json!("WeB")]), Ok(json!("web")));
        assert_eq!(
            c("title", &[json!("hello big-world x_y")]),
            Ok(json!("Hello Big-World X_y"))
        );
        assert_eq!(
            c("split", &[json!("a,b"), json!(",")]),
            Ok(json!(["a", "b"]))
        );
        assert_eq!(c("split", &[json!("ab"), json!("")]), Ok(json!(["a", "b"])));
        assert_eq!(
            c("join", &[json!(["a", "b", 3]), json!(", ")]),
            Ok(json!("a, b, 3"))
        );
        assert_eq!(
            c("pad", &[json!("x"), json!(1), json!(2)]),
            Ok(json!(" x  "))
        );
        assert_eq!(c("pad", &[json!(""), json!(1), json!(2)]), Ok(json!("")));
        assert_eq!(
            c("truncate", &[json!("abcdef"), json!(3)]),
            Ok(json!("abc"))
        );
        assert_eq!(c("truncate", &[json!("ab"), json!(3)]), Ok(json!("ab")));
        assert_eq!(
            c("json", &[json!({"a": [1, "<b>"]})]),
            Ok(json!(r#"{"a":[1,"<b>"]}"#))
        );
        assert_eq!(c("json", &[json!(null)]), Ok(json!("null")));
    }

    #[test]
    fn len_and_index() {
        assert_eq!(
            c("len", &[json!("héllo")]),
            Ok(json!(6)),
            "len counts bytes, as Go does"
        );
        assert_eq!(c("len", &[json!([1, 2])]), Ok(json!(2)));
        assert_eq!(c("len", &[json!({"a": 1})]), Ok(json!(1)));
        assert!(c("len", &[json!(3)])
            .unwrap_err()
            .contains("len of type float64"));
        let labels = json!({"com.example": "yes"});
        assert_eq!(
            c("index", &[labels.clone(), json!("com.example")]),
            Ok(json!("yes"))
        );
        assert_eq!(c("index", &[labels, json!("nope")]), Ok(json!("")));
        assert_eq!(
            c("index", &[json!([[1, 2], [3]]), json!(0), json!(1)]),
            Ok(json!(2))
        );
        assert_eq!(
            c("index", &[json!([1]), json!(4)]),
            Err("index out of range: 4".into())
        );
        assert!(c("index", &[json!("s"), json!(0)]).is_err());
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(
            c("eq", &[json!("a"), json!("b"), json!("a")]),
            Ok(json!(true))
        );
        assert_eq!(c("eq", &[json!(1), json!(1.0)]), Ok(json!(true)));
        assert_eq!(c("ne", &[json!(true), json!(false)]), Ok(json!(true)));
        assert_eq!(c("eq", &[json!(null), json!("x")]), Ok(json!(false)));
        assert!(c("eq", &[json!(1), json!("1")])
            .unwrap_err()
            .contains("incompatible types"));
        assert_eq!(c("lt", &[json!(1), json!(2)]), Ok(json!(true)));
        assert_eq!(c("ge", &[json!("b"), json!("a")]), Ok(json!(true)));
        assert_eq!(c("not", &[json!("")]), Ok(json!(true)));
        assert_eq!(c("and", &[json!(1), json!(0), json!(2)]), Ok(json!(0)));
        assert_eq!(c("or", &[json!(0), json!(""), json!("x")]), Ok(json!("x")));
    }

    #[test]
    fn print_family() {
        assert_eq!(
            c("print", &[json!("a"), json!(1), json!(2), json!("b")]),
            Ok(json!("a1 2b"))
        );
        assert_eq!(c("println", &[json!("a"), json!(1)]), Ok(json!("a 1\n")));
        assert_eq!(
            c("printf", &[json!("%s=%d"), json!("n"), json!(2)]),
            Ok(json!("n=2"))
        );
    }

    #[test]
    fn wrong_arguments_say_what_was_expected() {
        assert_eq!(
            c("upper", &[]),
            Err("wrong number of args for upper: want 1 got 0".into())
        );
        assert_eq!(
            c("upper", &[json!(1)]),
            Err("wrong type for value; expected string; got float64".into())
        );
        assert!(c("join", &[json!("a"), json!(",")])
            .unwrap_err()
            .contains("expected []string"));
    }

    #[test]
    fn header_mode_keeps_headers_intact() {
        assert_eq!(call("upper", &[json!("NAMES")], true), Ok(json!("NAMES")));
        assert_eq!(call("json", &[json!("LABELS")], true), Ok(json!("LABELS")));
        assert_eq!(
            call("join", &[json!("NAMES"), json!(",")], true),
            Ok(json!("NAMES"))
        );
        assert_eq!(
            call("pad", &[json!("ID"), json!(1), json!(0)], true),
            Ok(json!(" ID"))
        );
    }
}
