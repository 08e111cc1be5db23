//! Go's `fmt` spellings of JSON values.
//!
//! Docker's templates run over Go values, so what a user sees for a map, a
//! list, a missing field or a float is whatever Go's `%v` prints. This module
//! owns those spellings so the template engine and `printf` agree on them.

use serde_json::{Number, Value};

/// How a template action prints its final value (`{{.X}}`).
///
/// A missing field and JSON `null` both print `<no value>`, as Go prints an
/// invalid `reflect.Value` at the top of an action.
pub fn print_value(v: &Value) -> String {
    match v {
        Value::Null => "<no value>".to_string(),
        other => {
            let mut out = String::new();
            write_nested(other, &mut out);
            out
        }
    }
}

/// Go's `%v` of a decoded JSON value: `map[a:b c:d]` with sorted keys,
/// `[a b]` for lists, `<nil>` for a null inside a container.
pub fn write_nested(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_nested(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Go's fmt sorts map keys; serde_json here preserves insertion
            // order, so sort explicitly.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("map[");
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_nested(&map[key.as_str()], out);
            }
            out.push(']');
        }
    }
}

/// A number as Docker shows it: integral values as integers (Docker's typed
/// structs hold ints), anything else as Go's shortest `%v` of a float64.
pub fn format_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
        return format!("{}", x as i64);
    }
    format_float_g(x, None)
}

/// Go's `%g` (`prec = None` is the shortest form that `%v` uses).
pub fn format_float_g(x: f64, prec: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = x.is_sign_negative();
    let sign = if neg { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    // Rust's `{:e}` gives the correctly rounded digits and the exponent; Go's
    // rules then decide between the %e and %f layouts.
    let sci = match prec {
        None => format!("{:e}", x.abs()),
        Some(p) => format!("{:.*e}", p.max(1) - 1, x.abs()),
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let eprec = match prec {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i32;
            if p > nd && nd >= dp {
                nd
            } else {
                p
            }
        }
    };
    if exp < -4 || exp >= eprec {
        let mut out = format!("{sign}{}", &digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{esign}{:02}", exp.abs()));
        return out;
    }
    let body = if dp <= 0 {
        format!("0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp >= nd {
        format!("{}{}", digits, "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
}

/// Go's `strconv.Quote`: double quotes, C-style escapes, printable Unicode
/// kept as is (so Docker's `…` survives in the COMMAND column).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` good enough for quoting:
/// controls and the invisible formatting characters are escaped.
fn is_printable(c: char) -> bool {
    !c.is_control()
        && !matches!(
            c,
            '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
        )
}

/// The Go type name a decoded JSON value would have, for error messages
/// that read like Go's.
pub fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's template truthiness: false, 0, "", empty list or map and nil are
/// false; everything else is true.
pub fn is_true(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_scalars_like_go() {
        assert_eq!(print_value(&json!(null)), "<no value>");
        assert_eq!(print_value(&json!(true)), "true");
        assert_eq!(print_value(&json!(false)), "false");
        assert_eq!(print_value(&json!("hi")), "hi");
        assert_eq!(print_value(&json!(42)), "42");
        assert_eq!(print_value(&json!(-7)), "-7");
        assert_eq!(print_value(&json!(3.0)), "3");
        assert_eq!(print_value(&json!(1.5)), "1.5");
        assert_eq!(print_value(&json!(1234567.5)), "1.2345675e+06");
        assert_eq!(print_value(&json!(0.00001)), "1e-05");
    }

    #[test]
    fn prints_maps_sorted_and_lists_spaced() {
        let v = json!({"z": "1", "a": {"y": [1, "b"], "b": null}});
        assert_eq!(print_value(&v), "map[a:map[b:<nil> y:[1 b]] z:1]");
        assert_eq!(print_value(&json!([])), "[]");
        assert_eq!(print_value(&json!({})), "map[]");
    }

    #[test]
    fn g_format_matches_go() {
        assert_eq!(format_float_g(1.5, Some(4)), "1.5");
        assert_eq!(format_float_g(122.0, Some(3)), "122");
        assert_eq!(format_float_g(999.96, Some(4)), "1000");
        assert_eq!(format_float_g(1.23456, Some(4)), "1.235");
        assert_eq!(format_float_g(123456.0, Some(4)), "1.235e+05");
        assert_eq!(format_float_g(0.5, Some(3)), "0.5");
        assert_eq!(format_float_g(0.0, Some(3)), "0");
        assert_eq!(format_float_g(-2.25, None), "-2.25");
        assert_eq!(format_float_g(100000.5, None), "100000.5");
        assert_eq!(format_float_g(f64::INFINITY, None), "+Inf");
    }

    #[test]
    fn quotes_like_strconv() {
        assert_eq!(go_quote("sleep 1000"), "\"sleep 1000\"");
        assert_eq!(go_quote("a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
        assert_eq!(go_quote("caf\u{e9}…"), "\"caf\u{e9}…\"");
        assert_eq!(go_quote("\u{1}"), "\"\\x01\"");
        assert_eq!(go_quote("\u{200b}"), "\"\\u200b\"");
    }

    #[test]
    fn truthiness() {
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!is_true(&v), "{v} should be false");
        }
        for v in [
            json!(true),
            json!(1),
            json!(-0.5),
            json!("x"),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(is_true(&v), "{v} should be true");
        }
    }
}
