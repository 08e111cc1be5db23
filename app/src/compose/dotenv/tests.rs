//! The `.env` parser against compose-go's behaviour, form by form.

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn env_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parsed_with(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    match parse(text, lookup) {
        Ok(vars) => vars,
        Err(e) => panic!("{text:?} failed: {e}"),
    }
}

fn parsed(text: &str) -> Vec<(String, String)> {
    parsed_with(text, &no_env)
}

fn failed(text: &str) -> DotenvError {
    match parse(text, &no_env) {
        Ok(vars) => panic!("{text:?} gave {vars:?}, expected an error"),
        Err(e) => e,
    }
}

/// Each input must parse to exactly one variable with this name and value.
fn check_single(cases: &[(&str, &str, &str)]) {
    for (text, name, value) in cases {
        assert_eq!(parsed(text), owned(&[(name, value)]), "input {text:?}");
    }
}

#[test]
fn assignments_in_file_order() {
    assert_eq!(
        parsed("ONE=1\nTWO='2'\nTHREE = \"3\""),
        owned(&[("ONE", "1"), ("TWO", "2"), ("THREE", "3")])
    );
}

#[test]
fn blank_lines_and_comments_are_skipped() {
    for text in ["", "\n", "\r\n", "\t\t ", "# Comment", "\t # comment\n\n"] {
        assert!(parsed(text).is_empty(), "input {text:?}");
    }
    assert_eq!(
        parsed("# head\n\n  # indented\nA=1\n\n# tail"),
        owned(&[("A", "1")])
    );
}

#[test]
fn spaces_around_the_separator() {
    let text = "OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n\
                456 = ABC\nOPTION_F = \nOPTION_G=\nOPTION_H = my string # Inline comment\n";
    assert_eq!(
        parsed(text),
        owned(&[
            ("OPTION_A", "1"),
            ("OPTION_B", "2"),
            ("OPTION_C", "3"),
            ("OPTION_D", "4"),
            ("OPTION_E", "5"),
            ("456", "ABC"),
            ("OPTION_F", ""),
            ("OPTION_G", ""),
            ("OPTION_H", "my string"),
        ])
    );
    check_single(&[
        (" KEY =value", "KEY", "value"),
        ("\tKEY=value", "KEY", "value"),
    ]);
}

#[test]
fn empty_value_before_the_next_line() {
    assert_eq!(parsed("A=\nB=1"), owned(&[("A", ""), ("B", "1")]));
}

#[test]
fn yaml_style_colon_separator() {
    check_single(&[
        ("OPTION_A: 1", "OPTION_A", "1"),
        ("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar"),
        ("OPTION_A=1:B", "OPTION_A", "1:B"),
        ("A:b=c", "A", "b=c"),
    ]);
}

#[test]
fn export_prefix() {
    check_single(&[
        ("export OPTION_A=2", "OPTION_A", "2"),
        ("export OPTION_B='\\n'", "OPTION_B", "\\n"),
        ("export exportFoo=2", "exportFoo", "2"),
        ("exportFOO=2", "exportFOO", "2"),
        ("export_FOO =2", "export_FOO", "2"),
        ("export.FOO= 2", "export.FOO", "2"),
        ("export\tOPTION_A=2", "OPTION_A", "2"),
        ("  export OPTION_A=2", "OPTION_A", "2"),
        ("\texport OPTION_A=2", "OPTION_A", "2"),
        ("export OPTION_A=\"export A\"", "OPTION_A", "export A"),
        ("export=1", "export", "1"),
    ]);
}

#[test]
fn name_characters() {
    assert_eq!(
        parsed(
            "a=b\na[1]=c\na.propertyKey=d\nVAR-WITH-DASHES=dashes\n\
             árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép\n"
        ),
        owned(&[
            ("a", "b"),
            ("a[1]", "c"),
            ("a.propertyKey", "d"),
            ("VAR-WITH-DASHES", "dashes"),
            ("árvíztűrő-TÜKÖRFÚRÓGÉP", "ÁRVÍZTŰRŐ-tükörfúrógép"),
        ])
    );
}

#[test]
fn unquoted_values() {
    check_single(&[
        ("FOO=bar", "FOO", "bar"),
        ("FOO=bar ", "FOO", "bar"),
        ("FOO=foobar=", "FOO", "foobar="),
        ("FOO=first one with spaces", "FOO", "first one with spaces"),
        ("FOO=bar # this is foo", "FOO", "bar"),
        ("FOO=bar #this is foo", "FOO", "bar"),
        ("FOO=bar #", "FOO", "bar"),
        (
            "FOO=123#not-an-inline-comment",
            "FOO",
            "123#not-an-inline-comment",
        ),
        // The leading space goes with the separator, so no ` #` is left.
        ("FOO= #hash", "FOO", "#hash"),
        ("FOO=a\t# b", "FOO", "a\t# b"),
        ("FOO=a\\tb", "FOO", "a\\tb"),
        ("FOO=it's \"x\"", "FOO", "it's \"x\""),
        ("FOO=é ü", "FOO", "é ü"),
    ]);
}

#[test]
fn quoted_values_followed_by_comments() {
    check_single(&[
        ("FOO=\"bar#baz\"", "FOO", "bar#baz"),
        ("FOO=\"bar#baz\"#", "FOO", "bar#baz"),
        ("FOO=\"bar#baz\" # comment", "FOO", "bar#baz"),
        ("FOO='bar#baz' # comment", "FOO", "bar#baz"),
        ("FOO=\"bar#baz#bang\" # comment", "FOO", "bar#baz#bang"),
        (
            "OPTION_I = \"echo 'asd'\" # Inline comment",
            "OPTION_I",
            "echo 'asd'",
        ),
        ("FOO=\"\"", "FOO", ""),
        ("FOO=''", "FOO", ""),
    ]);
}

#[test]
fn text_after_a_closing_quote_starts_the_next_statement() {
    assert_eq!(parsed("A=\"1\"B=2"), owned(&[("A", "1"), ("B", "2")]));
    assert_eq!(
        parsed("A='1' B=2\nC=3"),
        owned(&[("A", "1"), ("B", "2"), ("C", "3")])
    );
}

#[test]
fn single_quotes_are_literal() {
    let env = env_of(&[("FOO", "test")]);
    let cases = [
        ("A='quote $FOO ${FOO}'", "quote $FOO ${FOO}"),
        ("A='\\n'", "\\n"),
        ("A='a\\\\b'", "a\\\\b"),
        ("A='Let\\'s go!'", "Let's go!"),
        ("A='say \"hi\"'", "say \"hi\""),
        ("A='${'", "${"),
    ];
    for (text, value) in cases {
        assert_eq!(
            parsed_with(text, &env),
            owned(&[("A", value)]),
            "input {text:?}"
        );
    }
}

#[test]
fn double_quote_escapes() {
    check_single(&[
        (
            r#"KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z""#,
            "KEY",
            "Z\x07Z\x08Z\x0cZ\nZ\rZ\tZ\x0bZ\\ZSZ",
        ),
        (r#"FOO="bar\nbaz""#, "FOO", "bar\nbaz"),
        (r#"FOO="a\tb""#, "FOO", "a\tb"),
        (r#"FOO="escaped\"bar""#, "FOO", "escaped\"bar"),
        (r#"FOO="\"quoted\"""#, "FOO", "\"quoted\""),
        (r#"FOO="'d'""#, "FOO", "'d'"),
        (r#"FOO="bar\n\ b\az""#, "FOO", "bar\n\\ b\x07z"),
        (r#"FOO="bar\\\n\ b\az""#, "FOO", "bar\\\n\\ b\x07z"),
        (r#"FOO="bar\\r\ b\az""#, "FOO", "bar\\r\\ b\x07z"),
        (r#"FOO="bar\nbaz\\""#, "FOO", "bar\nbaz\\"),
        (r#"FOO="it\'s""#, "FOO", "it\\'s"),
    ]);
}

#[test]
fn unknown_escapes_stay() {
    check_single(&[
        (r#"KEY="\x07""#, "KEY", r"\x07"),
        (r#"KEY="\u12e4""#, "KEY", r"\u12e4"),
        (r#"KEY="\U00101234""#, "KEY", r"\U00101234"),
        (r#"KEY="\c\q\e""#, "KEY", r"\c\q\e"),
    ]);
}

#[test]
fn octal_escapes() {
    check_single(&[
        (r#"KEY="\0123""#, "KEY", "S"),
        (r#"KEY="\01234""#, "KEY", "S4"),
        (r#"KEY="\0101\0102""#, "KEY", "AB"),
        (r#"KEY="\0377""#, "KEY", "\u{ff}"),
        (r#"KEY="\0000x""#, "KEY", "\0x"),
        // Fewer than three digits, a digit that is not octal, or more than 0o377:
        // the text stays, less the `0`.
        (r#"KEY="\0""#, "KEY", r"\"),
        (r#"KEY="\0x""#, "KEY", r"\x"),
        (r#"KEY="\012""#, "KEY", r"\12"),
        (r#"KEY="\0128""#, "KEY", r"\128"),
        (r#"KEY="\0400""#, "KEY", r"\400"),
        (r#"KEY="\\0123""#, "KEY", r"\0123"),
    ]);
}

#[test]
fn escaped_dollar_in_double_quotes_is_literal() {
    let env = env_of(&[("BAR", "x")]);
    assert_eq!(
        parsed_with(r#"FOO="foo\$BAR""#, &env),
        owned(&[("FOO", "foo$BAR")])
    );
    assert_eq!(
        parsed_with(r#"FOO="foo\${BAR}""#, &env),
        owned(&[("FOO", "foo${BAR}")])
    );
    assert_eq!(
        parsed("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\""),
        owned(&[("FOO", "test"), ("BAR", "foo${FOO} test")])
    );
    // Unquoted values have no escapes: the backslash stays and $BAR is expanded.
    assert_eq!(parsed_with(r"FOO=\$BAR", &env), owned(&[("FOO", r"\x")]));
    assert_eq!(parsed_with("FOO=$$BAR", &env), owned(&[("FOO", "$BAR")]));
}

#[test]
fn multi_line_double_quoted_values() {
    let text = "TEST_URLS=\"stratum+tcp://a:3333\nstratum+tcp://b:443\"\nNEXT=1";
    assert_eq!(
        parsed(text),
        owned(&[
            ("TEST_URLS", "stratum+tcp://a:3333\nstratum+tcp://b:443"),
            ("NEXT", "1"),
        ])
    );
    let env = env_of(&[("USER", "me")]);
    assert_eq!(
        parsed_with("MOTD=\"hello\n  ${USER}\\tthere\n\"", &env),
        owned(&[("MOTD", "hello\n  me\tthere\n")])
    );
}

#[test]
fn multi_line_single_quoted_values() {
    let text =
        "OPTION_J = 'first line\nsecond line\nthird line\nand so on'\nOPTION_Z = \"last value\"\n";
    assert_eq!(
        parsed(text),
        owned(&[
            ("OPTION_J", "first line\nsecond line\nthird line\nand so on"),
            ("OPTION_Z", "last value"),
        ])
    );
}

const SUBSTITUTIONS: &str = "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n\
                             OPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";

#[test]
fn values_interpolate_earlier_names() {
    assert_eq!(
        parsed(SUBSTITUTIONS),
        owned(&[
            ("OPTION_A", "1"),
            ("OPTION_B", "1"),
            ("OPTION_C", "1"),
            ("OPTION_D", "1_1"),
            ("OPTION_E", ""),
        ])
    );
    assert_eq!(
        parsed("FOO=test\nBAR=\"quote $FOO\"\nBAZ=${FOO}bar"),
        owned(&[("FOO", "test"), ("BAR", "quote test"), ("BAZ", "testbar")])
    );
}

#[test]
fn the_lookup_wins_over_earlier_names() {
    let env = env_of(&[("OPTION_A", "5")]);
    assert_eq!(
        parsed_with(SUBSTITUTIONS, &env),
        owned(&[
            ("OPTION_A", "1"),
            ("OPTION_B", "5"),
            ("OPTION_C", "5"),
            ("OPTION_D", "5_5"),
            ("OPTION_E", ""),
        ])
    );
    let defaults = "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\n";
    assert_eq!(
        parsed_with(defaults, &env),
        owned(&[("OPTION_A", "5"), ("OPTION_B", "5")])
    );
    assert_eq!(
        parsed(defaults),
        owned(&[("OPTION_A", "1"), ("OPTION_B", "1")])
    );
}

#[test]
fn interpolation_operators_in_values() {
    let env = env_of(&[("EMPTY_VAR", ""), ("TEST_VAR", "Test Value")]);
    let cases = [
        ("R=${UNSET_VAR:-Default Value}", "Default Value"),
        ("R=${EMPTY_VAR:-Default Value}", "Default Value"),
        ("R=${TEST_VAR:-Default Value}", "Test Value"),
        ("R=${UNSET_VAR-Default Value}", "Default Value"),
        ("R=${EMPTY_VAR-Default Value}", ""),
        ("R=${EMPTY_VAR?Test error}", ""),
        (
            "R=\"${TEST_VAR:+set} ${UNSET_VAR:-${TEST_VAR}}\"",
            "set Test Value",
        ),
    ];
    for (text, value) in cases {
        assert_eq!(
            parsed_with(text, &env),
            owned(&[("R", value)]),
            "input {text:?}"
        );
    }
}

#[test]
fn unset_references_are_noted() {
    let mut missing = Vec::new();
    let vars = parse_noting_missing(
        "A=$NOPE\nB='$QUIET'\nC=\"${ALSO}\"\nD=${WITH:-default}\nE=$A",
        &no_env,
        &mut missing,
    );
    assert!(vars.is_ok(), "{vars:?}");
    assert_eq!(missing, ["NOPE", "ALSO"]);
}

#[test]
fn bare_names_take_their_value_from_the_lookup() {
    let env = env_of(&[("FROM_ENV", "value"), ("EMPTY", "")]);
    let text = "foo=bar\nFROM_ENV\nNOT_FOUND\nEMPTY\nexport FROM_ENV\nbar=baz\n";
    assert_eq!(
        parsed_with(text, &env),
        owned(&[
            ("foo", "bar"),
            ("FROM_ENV", "value"),
            ("EMPTY", ""),
            ("bar", "baz")
        ])
    );
    assert_eq!(
        parsed_with("FROM_ENV\r\n", &env),
        owned(&[("FROM_ENV", "value")])
    );
    // compose-go would store "FROM_ENV" under the empty name here.
    assert_eq!(
        parsed_with("FROM_ENV", &env),
        owned(&[("FROM_ENV", "value")])
    );
    assert_eq!(
        parsed_with("FROM_ENV  \t", &env),
        owned(&[("FROM_ENV", "value")])
    );
    // `export` alone names nothing.
    assert_eq!(parsed_with("export\nA=1", &env), owned(&[("A", "1")]));
    assert_eq!(parsed_with("A=1\nexport ", &env), owned(&[("A", "1")]));
}

#[test]
fn an_unset_bare_name_keeps_its_earlier_value() {
    assert_eq!(parsed("A=1\nA\n"), owned(&[("A", "1")]));
}

#[test]
fn a_later_duplicate_overrides_in_place() {
    assert_eq!(
        parsed("A=1\nB=2\nA=3\nC=$A"),
        owned(&[("A", "3"), ("B", "2"), ("C", "3")])
    );
}

#[test]
fn byte_order_mark_and_crlf() {
    assert_eq!(
        parsed("\u{feff}OPTION_A=1\r\nOPTION_B='2'\r\n# c\r\nOPTION_C=\"3\" \r\n"),
        owned(&[("OPTION_A", "1"), ("OPTION_B", "2"), ("OPTION_C", "3")])
    );
}

#[test]
fn unexpected_characters_in_names() {
    assert_eq!(
        failed("lol$wut").to_string(),
        r#"line 1: unexpected character "$" in variable name "lol$wut""#
    );
    assert_eq!(
        failed("%!(EXTRA string)=foo").to_string(),
        r#"line 1: unexpected character "%" in variable name "%!(EXTRA string)=foo""#
    );
    let e = failed("A=1\n\"QUOTED\"=x\nB=2");
    assert_eq!(e.line, 2);
    assert_eq!(
        e.kind,
        DotenvErrorKind::UnexpectedCharacter {
            character: '"',
            line_text: "\"QUOTED\"=x".to_string()
        }
    );
    assert_eq!(failed("export  x/y=1").line, 1);
}

#[test]
fn names_with_spaces() {
    for text in ["A B=1", "A B", "A B\n", "export A B=1", "A\tB=1"] {
        let e = failed(text);
        assert_eq!(
            (e.line, e.kind),
            (1, DotenvErrorKind::KeyContainsSpace),
            "{text:?}"
        );
    }
    let fixture = "# some comments\nfoo=\"\n  a\n  multine\n  value\n\"\nINVALID LINE\nzot=qix";
    assert_eq!(
        failed(fixture).to_string(),
        "line 7: key cannot contain a space"
    );
}

#[test]
fn statements_without_a_name() {
    for text in ["=value", "  = value", ":value", "=\"value\"", "export =x"] {
        let e = failed(text);
        assert_eq!(e.line, 1, "{text:?}");
        assert!(
            matches!(e.kind, DotenvErrorKind::MissingKey { .. }),
            "{text:?}: {e}"
        );
    }
    assert_eq!(
        failed("A=1\n=value").to_string(),
        r#"line 2: missing variable name in "=value""#
    );
}

#[test]
fn unterminated_quotes() {
    for text in [
        "KEY=\"",
        "KEY=\"value",
        "KEY=\"value\\\"",
        "KEY=\"value'",
        "KEY='",
        "KEY='value",
        "KEY='value\\'",
        "KEY='value\"",
    ] {
        let e = failed(text);
        assert!(
            matches!(e.kind, DotenvErrorKind::UnterminatedQuote { .. }),
            "{text:?}: {e}"
        );
        assert!(e.to_string().contains("unterminated quoted value"));
    }
    assert_eq!(
        failed("A=1\nB=\"abc\nmore\nlines").to_string(),
        "line 2: unterminated quoted value \"abc"
    );
}

#[test]
fn interpolation_errors_name_the_line() {
    assert_eq!(
        failed("A=1\n\nB=${C:?need C}\nD=2").to_string(),
        "line 3: required variable C is missing a value: need C"
    );
    let e = failed("A=\"${\"");
    assert_eq!(
        e.kind,
        DotenvErrorKind::Interpolate(InterpolateError::InvalidFormat {
            template: "${".to_string()
        })
    );
    // The escape is decoded before interpolation, so `\n` cuts the `${...}`.
    assert_eq!(failed(r#"A="${B:-x\ny}""#).line, 1);
}

#[test]
fn error_lines_count_comments_and_multi_line_values() {
    let text = "# c\nA=\"x\ny\"\n\n  # more\nB='p\nq' # tail\nC D=1";
    assert_eq!(failed(text).line, 8);
    assert_eq!(failed("\r\n\r\nA=1\r\nB C\r\n").line, 4);
    // A bare name with a trailing space still ends its line (compose-go loses count).
    assert_eq!(failed("B \n\nC D=1").line, 3);
}
