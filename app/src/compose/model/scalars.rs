//! Scalars as compose-go's decoder takes them. The schema lets most booleans and numbers
//! be strings too (an interpolated `${DEBUG}` is a string), and the decoder casts them:
//! `"true"`, `"yes"`, `"on"` to true; `"80"` to 80. These helpers do the same for the
//! fields whose schema says `["boolean", "string"]` or `["integer", "string"]`; fields
//! the schema types strictly use plain serde types. They also hold the serde
//! `skip_serializing_if` predicates, and Go's way of printing a float (`fmt.Sprint`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::units::parse_go_int;

/// compose-go's `toBoolean`: YAML 1.1 words are still read (with a warning there).
fn bool_word(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "y" | "yes" | "on" => Some(true),
        "false" | "n" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A boolean, or a string compose-go casts to one.
struct LenientBool(bool);

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<LenientBool, E> {
                Ok(LenientBool(b))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<LenientBool, E> {
                bool_word(s)
                    .map(LenientBool)
                    .ok_or_else(|| E::invalid_type(Unexpected::Str(s), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// An integer, a whole float, or a decimal string, fitted into `T`.
struct LenientInt<T>(T);

impl<'de, T> Deserialize<'de> for LenientInt<T>
where
    T: TryFrom<i64> + TryFrom<u64>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<T: TryFrom<i64> + TryFrom<u64>> Visitor<'_> for V<T> {
            type Value = LenientInt<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let name = std::any::type_name::<T>();
                f.write_str(name.rsplit("::").next().unwrap_or(name))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<LenientInt<T>, E> {
                T::try_from(n)
                    .map(LenientInt)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(n), &self))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<LenientInt<T>, E> {
                T::try_from(n)
                    .map(LenientInt)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<LenientInt<T>, E> {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    self.visit_i64(n as i64)
                } else {
                    Err(E::invalid_type(Unexpected::Float(n), &self))
                }
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<LenientInt<T>, E> {
                match parse_go_int(s) {
                    Some(n) => self.visit_i64(n),
                    None => Err(E::invalid_type(Unexpected::Str(s), &self)),
                }
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A float, an integer, or a decimal string, as an `f32` (Go's `float32` fields).
struct LenientF32(f32);

impl<'de> Deserialize<'de> for LenientF32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientF32;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<LenientF32, E> {
                Ok(LenientF32(n as f32))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<LenientF32, E> {
                Ok(LenientF32(n as f32))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<LenientF32, E> {
                Ok(LenientF32(n as f32))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<LenientF32, E> {
                s.parse::<f32>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(LenientF32)
                    .ok_or_else(|| E::invalid_type(Unexpected::Str(s), &self))
            }
        }
        d.deserialize_any(V)
    }
}

pub(crate) fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    LenientBool::deserialize(d).map(|b| b.0)
}

pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Option::<LenientBool>::deserialize(d).map(|o| o.map(|b| b.0))
}

/// For compose's opt-out booleans (`required`, `create_host_path`): absent is true.
pub(crate) fn yes() -> bool {
    true
}

pub(crate) fn opt_int<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    Option::<LenientInt<T>>::deserialize(d).map(|o| o.map(|n| n.0))
}

pub(crate) fn opt_f32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f32>, D::Error> {
    Option::<LenientF32>::deserialize(d).map(|o| o.map(|n| n.0))
}

/// An `f32` as Go's YAML encoder prints a `float32`: a whole value without a fraction.
pub(crate) fn ser_opt_f32<S: Serializer>(v: &Option<f32>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(f) if f.fract() == 0.0 && f.abs() < 1.0e15 => s.serialize_i64(*f as i64),
        Some(f) => s.serialize_f32(*f),
        None => s.serialize_none(),
    }
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

pub(crate) fn is_true(b: &bool) -> bool {
    *b
}

pub(crate) fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// A float as Go's `fmt.Sprint` writes it: shortest digits, with an exponent from 1e+06
/// on and below 1e-4 (`1.5`, `2`, `123456`, `1.234567e+06`, `1e-05`).
pub fn go_float_text(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `1.5e0`, `1e21`, `-2.5e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        return f.to_string();
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

/// A scalar as compose-go's `fmt.Sprint` makes it a string (labels, options, expose).
pub(crate) struct ScalarText(pub Option<String>);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ScalarText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_unit<E>(self) -> Result<ScalarText, E> {
                Ok(ScalarText(None))
            }
            fn visit_none<E>(self) -> Result<ScalarText, E> {
                Ok(ScalarText(None))
            }
            fn visit_bool<E>(self, b: bool) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(b.to_string())))
            }
            fn visit_i64<E>(self, n: i64) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(n.to_string())))
            }
            fn visit_u64<E>(self, n: u64) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(n.to_string())))
            }
            fn visit_f64<E>(self, n: f64) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(go_float_text(n))))
            }
            fn visit_str<E>(self, s: &str) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(s.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string, or a number or boolean written where compose-go casts it to a string
/// (`published: 8080`); null is None.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    ScalarText::deserialize(d).map(|t| t.0)
}

/// A file mode (secrets, configs): an integer, or a string read as octal (`"0440"`);
/// printed as compose prints it, an octal string with a leading zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileMode(pub u32);

impl Serialize for FileMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("0{:o}", self.0))
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FileMode, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FileMode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file mode")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<FileMode, E> {
                u32::try_from(n)
                    .map(FileMode)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<FileMode, E> {
                u32::try_from(n)
                    .map(FileMode)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(n), &self))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<FileMode, E> {
                let digits = s.strip_prefix('+').unwrap_or(s);
                if digits.is_empty() || !digits.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                    return Err(E::invalid_value(Unexpected::Str(s), &"an octal file mode"));
                }
                u32::from_str_radix(digits, 8)
                    .map(FileMode)
                    .map_err(|_| E::invalid_value(Unexpected::Str(s), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// How many devices a request wants: a number, or `all` (kept as -1, as compose-go
/// keeps and prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct DeviceCount(pub i64);

impl DeviceCount {
    pub const ALL: DeviceCount = DeviceCount(-1);
}

impl<'de> Deserialize<'de> for DeviceCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DeviceCount, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DeviceCount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("'all' or a number")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<DeviceCount, E> {
                Ok(DeviceCount(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<DeviceCount, E> {
                i64::try_from(n)
                    .map(DeviceCount)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DeviceCount, E> {
                if s.eq_ignore_ascii_case("all") {
                    return Ok(DeviceCount::ALL);
                }
                parse_go_int(s).map(DeviceCount).ok_or_else(|| {
                    E::custom(format!(
                        "invalid value {s:?}, the only value allowed is 'all' or a number"
                    ))
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct T {
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_int")]
        port: Option<u16>,
        #[serde(default, deserialize_with = "opt_f32")]
        cpus: Option<f32>,
    }

    fn t(v: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn strings_are_cast_as_compose_go_does() {
        assert_eq!(t(json!({"b": "yes"})).unwrap().b, Some(true));
        assert_eq!(t(json!({"b": "FALSE"})).unwrap().b, Some(false));
        assert_eq!(t(json!({"b": false})).unwrap().b, Some(false));
        assert_eq!(t(json!({"b": null})).unwrap().b, None);
        assert_eq!(
            t(json!({"b": "maybe"})).unwrap_err(),
            "invalid type: string \"maybe\", expected a boolean"
        );
        assert_eq!(
            t(json!({"b": 1})).unwrap_err(),
            "invalid type: integer `1`, expected a boolean"
        );
        assert_eq!(t(json!({"port": "8080"})).unwrap().port, Some(8080));
        assert_eq!(t(json!({"port": 80.0})).unwrap().port, Some(80));
        assert_eq!(
            t(json!({"port": "x"})).unwrap_err(),
            "invalid type: string \"x\", expected u16"
        );
        assert_eq!(
            t(json!({"port": 70000})).unwrap_err(),
            "invalid value: integer `70000`, expected u16"
        );
        assert_eq!(t(json!({"cpus": "0.5"})).unwrap().cpus, Some(0.5));
        assert_eq!(t(json!({"cpus": 2})).unwrap().cpus, Some(2.0));
    }

    #[test]
    fn floats_print_as_go_fmt() {
        assert_eq!(go_float_text(1.5), "1.5");
        assert_eq!(go_float_text(2.0), "2");
        assert_eq!(go_float_text(123456.0), "123456");
        assert_eq!(go_float_text(1234567.0), "1.234567e+06");
        assert_eq!(go_float_text(1e21), "1e+21");
        assert_eq!(go_float_text(0.0001), "0.0001");
        assert_eq!(go_float_text(0.00001), "1e-05");
        assert_eq!(go_float_text(-2.5e-7), "-2.5e-07");
    }

    #[test]
    fn file_modes_and_device_counts() {
        let m: FileMode = serde_json::from_value(json!("0440")).unwrap();
        assert_eq!(m, FileMode(0o440));
        assert_eq!(serde_json::to_value(m).unwrap(), "0440");
        let m: FileMode = serde_json::from_value(json!(288)).unwrap();
        assert_eq!(m, FileMode(0o440));
        assert!(serde_json::from_value::<FileMode>(json!("0899")).is_err());
        let c: DeviceCount = serde_json::from_value(json!("ALL")).unwrap();
        assert_eq!(c, DeviceCount::ALL);
        let c: DeviceCount = serde_json::from_value(json!("2")).unwrap();
        assert_eq!(c, DeviceCount(2));
        let e = serde_json::from_value::<DeviceCount>(json!("some")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value \"some\", the only value allowed is 'all' or a number"
        );
    }
}
