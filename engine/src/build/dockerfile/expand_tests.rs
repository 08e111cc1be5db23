//! Table tests of word expansion against BuildKit's results and messages.

use super::*;
use std::collections::HashMap;

fn env() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("A", "a"),
        ("EMPTY", ""),
        ("SP", "x  y"),
        ("PATH", "/usr/local/bin:/usr/bin"),
        ("FILE", "archive.tar.gz"),
    ])
}

fn ex(word: &str) -> Result<String, String> {
    let env = env();
    expand_word(word, '\\', &mut |k| env.get(k).map(|v| v.to_string())).map_err(|e| e.message)
}

fn exw(word: &str) -> Vec<String> {
    let env = env();
    expand_words(word, '\\', &mut |k| env.get(k).map(|v| v.to_string())).unwrap_or_default()
}

#[test]
fn expands_like_buildkit() {
    let cases: &[(&str, &str)] = &[
        ("plain", "plain"),
        ("$A", "a"),
        ("${A}", "a"),
        ("x$A-y", "xa-y"),
        ("$UNSET", ""),
        ("'$A'", "$A"),
        ("\"$A\"", "a"),
        ("\"'$A'\"", "'a'"),
        ("'\"'", "\""),
        ("\\$A", "$A"),
        ("\"\\$A\"", "$A"),
        ("\"a\\nb\"", "a\\nb"),
        ("\"a\\\"b\"", "a\"b"),
        ("\"a\\\\b\"", "a\\b"),
        ("a\\ b", "a b"),
        ("end\\", "end"),
        ("$", "$"),
        ("a$ b", "a$ b"),
        ("$%", "$%"),
        ("${UNSET:-def}", "def"),
        ("${EMPTY:-def}", "def"),
        ("${EMPTY-def}", ""),
        ("${UNSET-def}", "def"),
        ("${A:-def}", "a"),
        ("${A:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${A}x}", "ax"),
        ("${UNSET:-\"q }\"}", "q }"),
        ("${UNSET:-$UNSET2}", ""),
        ("${A?}", "a"),
        ("${FILE%.gz}", "archive.tar"),
        ("${FILE%.*}", "archive.tar"),
        ("${FILE%%.*}", "archive"),
        ("${FILE#*.}", "tar.gz"),
        ("${FILE##*.}", "gz"),
        ("${PATH/bin/sbin}", "/usr/local/sbin:/usr/bin"),
        ("${PATH//bin/sbin}", "/usr/local/sbin:/usr/sbin"),
        ("${FILE/t?r/zip}", "archive.zip.gz"),
        ("$1", ""),
    ];
    for (word, want) in cases {
        assert_eq!(ex(word).as_deref(), Ok(*want), "word {word}");
    }
}

#[test]
fn expansion_errors_carry_buildkit_messages() {
    let cases: &[(&str, &str)] = &[
        ("${UNSET?}", "UNSET: is not allowed to be unset"),
        ("${UNSET:?}", "UNSET: is not allowed to be unset"),
        ("${EMPTY:?}", "EMPTY: is not allowed to be empty"),
        ("${UNSET?need it}", "UNSET: need it"),
        ("${UNSET:?need $A}", "UNSET: need a"),
        ("${A", "syntax error: missing '}'"),
        ("${A:-x", "syntax error: missing '}'"),
        ("${}", "syntax error: bad substitution"),
        ("${:-x}", "syntax error: bad substitution"),
        ("${A:#x}", "unsupported modifier (:#) in substitution"),
        ("${A!}", "unsupported modifier (!) in substitution"),
        (
            "'open",
            "unexpected end of statement while looking for matching single-quote",
        ),
        (
            "\"open",
            "unexpected end of statement while looking for matching double-quote",
        ),
    ];
    for (word, want) in cases {
        let got = ex(word).err().unwrap_or_default();
        assert_eq!(
            got,
            format!("failed to process {word:?}: {want}"),
            "word {word}"
        );
    }
}

#[test]
fn words_split_on_unquoted_whitespace() {
    assert_eq!(exw("a b  c"), ["a", "b", "c"]);
    assert_eq!(exw("'a b' \"c d\" e\\ f"), ["a b", "c d", "e f"]);
    assert_eq!(exw("$SP z"), ["x", "y", "z"]);
    assert_eq!(exw("\"$SP\" z"), ["x  y", "z"]);
    assert_eq!(exw("a \"\" b"), ["a", "b"]);
    assert_eq!(exw("x\"$A\"y"), ["xay"]);
    assert!(exw("   ").is_empty());
}

#[test]
fn backtick_escape() {
    let mut none = |_: &str| None;
    assert_eq!(
        expand_word("C:\\dir` x`$y", '`', &mut none).ok().as_deref(),
        Some("C:\\dir x$y")
    );
}

#[test]
fn lookup_sees_every_name_read() {
    let mut seen = Vec::new();
    let mut lookup = |k: &str| {
        seen.push(k.to_string());
        None
    };
    let _ = expand_word("$A ${B:-$C} '$D' \"$E\"", '\\', &mut lookup);
    assert_eq!(seen, ["A", "C", "B", "E"]);
}
