//! The template `printf` function: Go's `fmt.Sprintf` verbs that format
//! strings use in practice (`%s %d %v %q %f %g %x %t %%`, with flags, width
//! and precision).

use serde_json::Value;

use crate::format::gofmt::{format_float_g, format_number, go_quote, go_type_name, write_nested};

/// Go's `fmt.Sprintf` over JSON values. Misuse renders inline the way Go
/// does (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA ...)`) instead of failing.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next_arg = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' | '#' => {}
                _ => break,
            }
            chars.next();
        }
        spec.width = read_number(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(read_number(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        let body = format_one(verb, &spec, arg);
        out.push_str(&spec.pad(body, matches!(arg, Value::Number(_))));
    }
    if next_arg < args.len() {
        let extra: Vec<String> = args[next_arg..].iter().map(bad_arg).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    /// Pads to the width: left-justified with `-`, zero-filled for numbers
    /// with `0`, right-justified with spaces otherwise.
    fn pad(&self, body: String, numeric: bool) -> String {
        let len = body.chars().count();
        let Some(width) = self.width.filter(|w| *w > len) else {
            return body;
        };
        let fill = width - len;
        if self.minus {
            format!("{body}{}", " ".repeat(fill))
        } else if self.zero && numeric {
            let (sign, digits) = match body.strip_prefix(['-', '+']) {
                Some(d) => (&body[..1], d),
                None => ("", body.as_str()),
            };
            format!("{sign}{}{digits}", "0".repeat(fill))
        } else {
            format!("{}{body}", " ".repeat(fill))
        }
    }
}

fn read_number(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    n
}

/// `type=value` as Go spells a mismatched argument.
fn bad_arg(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        other => {
            let mut s = format!("{}=", go_type_name(other));
            write_nested(other, &mut s);
            s
        }
    }
}

fn bad_verb(verb: char, v: &Value) -> String {
    format!("%!{verb}({})", bad_arg(v))
}

fn as_integer(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|x| x.fract() == 0.0 && x.abs() < 9.2e18)
            .map(|x| x as i64)
    })
}

fn format_one(verb: char, spec: &Spec, arg: &Value) -> String {
    let sign = |s: String, negative: bool| {
        if spec.plus && !negative {
            format!("+{s}")
        } else {
            s
        }
    };
    match verb {
        // Strings print as is; other values print as %v, which is kinder
        // than Go's `%!s(float64=1)` and what users mean.
        's' | 'v' => {
            let mut s = String::new();
            match arg {
                Value::Number(n) => s = sign(format_number(n), n.as_f64().is_some_and(|x| x < 0.0)),
                other => write_nested(other, &mut s),
            }
            match spec.precision {
                Some(p) if verb == 's' => s.chars().take(p).collect(),
                _ => s,
            }
        }
        'd' => match as_integer(arg) {
            Some(i) => sign(i.to_string(), i < 0),
            None => bad_verb(verb, arg),
        },
        'q' => match arg {
            Value::String(s) => go_quote(s),
            other => {
                let mut s = String::new();
                write_nested(other, &mut s);
                go_quote(&s)
            }
        },
        'f' | 'F' | 'g' | 'e' => match arg.as_f64() {
            Some(x) => {
                let s = match verb {
                    'g' => format_float_g(x, spec.precision),
                    'e' => format!("{:.*e}", spec.precision.unwrap_or(6), x),
                    _ => format!("{:.*}", spec.precision.unwrap_or(6), x),
                };
                sign(s, x < 0.0)
            }
            None => bad_verb(verb, arg),
        },
        'x' | 'X' => {
            let s = match (arg, as_integer(arg)) {
                (_, Some(i)) if i < 0 => format!("-{:x}", i.unsigned_abs()),
                (_, Some(i)) => format!("{i:x}"),
                (Value::String(s), _) => s.bytes().map(|b| format!("{b:02x}")).collect(),
                _ => return bad_verb(verb, arg),
            };
            if verb == 'X' {
                s.to_uppercase()
            } else {
                s
            }
        }
        't' => match arg {
            Value::Bool(b) => b.to_string(),
            other => bad_verb(verb, other),
        },
        other => bad_verb(other, arg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(format: &str, args: &[Value]) -> String {
        sprintf(format, args)
    }

    #[test]
    fn basic_verbs() {
        assert_eq!(f("%s %d", &[json!("web"), json!(3)]), "web 3");
        assert_eq!(
            f("%v|%v|%v", &[json!([1, "a"]), json!(null), json!(2.5)]),
            "[1 a]|<nil>|2.5"
        );
        assert_eq!(f("%q", &[json!("a \"b\"")]), r#""a \"b\"""#);
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(
            f("%.2f %t %x", &[json!(1.005), json!(true), json!(255)]),
            "1.00 true ff"
        );
        assert_eq!(f("%d", &[json!(12.0)]), "12");
    }

    #[test]
    fn width_flags_and_precision() {
        assert_eq!(f("[%-6s]", &[json!("ab")]), "[ab    ]");
        assert_eq!(f("[%6s]", &[json!("ab")]), "[    ab]");
        assert_eq!(f("[%05d]", &[json!(-42)]), "[-0042]");
        assert_eq!(f("[%.3s]", &[json!("abcdef")]), "[abc]");
        assert_eq!(f("%+d", &[json!(5)]), "+5");
    }

    #[test]
    fn misuse_renders_like_go() {
        assert_eq!(f("%d", &[json!("x")]), "%!d(string=x)");
        assert_eq!(f("%s %s", &[json!("a")]), "a %!s(MISSING)");
        assert_eq!(
            f("%s", &[json!("a"), json!(1), json!("b")]),
            "a%!(EXTRA float64=1, string=b)"
        );
        assert_eq!(f("%z", &[json!("a")]), "%!z(string=a)");
    }
}
