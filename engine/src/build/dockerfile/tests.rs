//! Whole-file tests: a realistic multi-stage Dockerfile using every instruction, and
//! errors located by file and line through `parse` and `parse_instruction`.

use std::time::Duration;

use super::*;

const DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1.7
# check=skip=all

# A comment after a blank line: not a directive any more.
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS Build
WORKDIR /src
COPY --link go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=secret,id=netrc,target=/root/.netrc \
    go mod download
COPY . .
RUN <<EOF
set -e
go build -o /out/app ./cmd/app
EOF

FROM alpine:3.20
MAINTAINER someone@example.com
LABEL org.opencontainers.image.title="app" \
      version=1.0
ENV PATH=/app:$PATH \
    # a comment inside a continuation
    MODE=production
ENV LEGACY the rest of the line
ARG USER=app
RUN addgroup -S $USER && adduser -S $USER -G $USER
COPY --from=build --chown=app:app --chmod=0755 /out/app /app/app
ADD --checksum=sha256:abc https://example.com/data.tar.gz /data/
COPY <<-"CONF" /etc/app.conf
	mode = $MODE
	CONF
EXPOSE 8080/tcp 9090
VOLUME ["/data"]
USER ${USER}
SHELL ["/bin/sh", "-c"]
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD wget -q -O- http://localhost:8080/ || exit 1
STOPSIGNAL SIGTERM
ONBUILD RUN echo "building on top"
ENTRYPOINT ["/app/app"]
CMD ["serve", "--port", "8080"]
"#;

fn commands(df: &Dockerfile) -> Vec<&Command> {
    df.instructions.iter().map(|i| &i.command).collect()
}

#[test]
fn realistic_multi_stage_file() {
    let df = match parse(DOCKERFILE, "Dockerfile") {
        Ok(df) => df,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(df.escape, '\\');
    assert_eq!(df.syntax.as_deref(), Some("docker/dockerfile:1.7"));
    let lines: Vec<(usize, usize)> = df
        .instructions
        .iter()
        .map(|i| (i.line, i.end_line))
        .collect();
    assert_eq!(
        lines,
        [
            (5, 5),
            (6, 6),
            (7, 7),
            (8, 8),
            (9, 11),
            (12, 12),
            (13, 16),
            (18, 18),
            (19, 19),
            (20, 21),
            (22, 24),
            (25, 25),
            (26, 26),
            (27, 27),
            (28, 28),
            (29, 29),
            (30, 32),
            (33, 33),
            (34, 34),
            (35, 35),
            (36, 36),
            (37, 37),
            (38, 38),
            (39, 39),
            (40, 40),
            (41, 41),
        ]
    );
    let c = commands(&df);
    assert_eq!(
        c[0],
        &Command::Arg(vec![ArgDecl {
            name: "GO_VERSION".into(),
            default: Some("1.22".into())
        }])
    );
    assert_eq!(
        c[1],
        &Command::From {
            image: "golang:${GO_VERSION}".into(),
            stage_name: Some("build".into()),
            platform: Some("$BUILDPLATFORM".into()),
        }
    );
    assert_eq!(c[2], &Command::Workdir("/src".into()));
    let Command::Copy(copy) = c[3] else {
        panic!("{:?}", c[3])
    };
    assert!(copy.link);
    assert_eq!(copy.sources, ["go.mod", "go.sum"]);
    assert_eq!(copy.dest, "./");
    let Command::Run(run) = c[4] else {
        panic!("{:?}", c[4])
    };
    assert_eq!(run.mounts.len(), 2);
    assert!(matches!(&run.mounts[0], RunMount::Cache { target, .. } if target == "/go/pkg/mod"));
    assert_eq!(run.mounts[1].secret_id().as_deref(), Some("netrc"));
    assert_eq!(run.command, ShellOrExec::Shell("go mod download".into()));
    assert_eq!(
        df.instructions[4].text,
        "RUN --mount=type=cache,target=/go/pkg/mod     --mount=type=secret,id=netrc,target=/root/.netrc     go mod download"
    );
    let Command::Run(script) = c[6] else {
        panic!("{:?}", c[6])
    };
    assert_eq!(script.command, ShellOrExec::Shell("<<EOF".into()));
    assert_eq!(
        script.heredocs,
        [Heredoc {
            name: "EOF".into(),
            content: "set -e\ngo build -o /out/app ./cmd/app\n".into(),
            expand: true,
            chomp: false,
        }]
    );
    assert_eq!(df.instructions[6].text, "RUN <<EOF");
    assert_eq!(c[8], &Command::Maintainer("someone@example.com".into()));
    assert_eq!(
        c[9],
        &Command::Label(vec![
            ("org.opencontainers.image.title".into(), "\"app\"".into()),
            ("version".into(), "1.0".into()),
        ])
    );
    assert_eq!(
        c[10],
        &Command::Env(vec![
            ("PATH".into(), "/app:$PATH".into()),
            ("MODE".into(), "production".into()),
        ])
    );
    assert_eq!(
        c[11],
        &Command::Env(vec![("LEGACY".into(), "the rest of the line".into())])
    );
    let Command::Copy(from_build) = c[14] else {
        panic!("{:?}", c[14])
    };
    assert_eq!(from_build.from.as_deref(), Some("build"));
    assert_eq!(from_build.chown.as_deref(), Some("app:app"));
    assert_eq!(from_build.chmod.as_deref(), Some("0755"));
    let Command::Add(add) = c[15] else {
        panic!("{:?}", c[15])
    };
    assert_eq!(add.checksum.as_deref(), Some("sha256:abc"));
    assert_eq!(add.sources, ["https://example.com/data.tar.gz"]);
    let Command::Copy(conf) = c[16] else {
        panic!("{:?}", c[16])
    };
    assert!(conf.sources.is_empty());
    assert_eq!(conf.dest, "/etc/app.conf");
    assert_eq!(conf.heredocs.len(), 1);
    assert_eq!(conf.heredocs[0].content, "mode = $MODE\n");
    assert!(!conf.heredocs[0].expand && conf.heredocs[0].chomp);
    assert_eq!(
        c[17],
        &Command::Expose(vec!["8080/tcp".into(), "9090".into()])
    );
    assert_eq!(c[18], &Command::Volume(vec!["/data".into()]));
    assert_eq!(c[19], &Command::User("${USER}".into()));
    assert_eq!(c[20], &Command::Shell(vec!["/bin/sh".into(), "-c".into()]));
    assert_eq!(
        c[21],
        &Command::Healthcheck(Healthcheck::Check {
            test: ShellOrExec::Shell("wget -q -O- http://localhost:8080/ || exit 1".into()),
            interval: Some(Duration::from_secs(30)),
            timeout: Some(Duration::from_secs(3)),
            start_period: None,
            start_interval: None,
            retries: Some(3),
        })
    );
    assert_eq!(c[22], &Command::StopSignal("SIGTERM".into()));
    let Command::Onbuild(trigger) = c[23] else {
        panic!("{:?}", c[23])
    };
    assert_eq!(trigger.text, "RUN echo \"building on top\"");
    assert!(matches!(trigger.command, Command::Run(_)));
    assert_eq!(
        c[24],
        &Command::Entrypoint(ShellOrExec::Exec(vec!["/app/app".into()]))
    );
    assert_eq!(
        c[25],
        &Command::Cmd(ShellOrExec::Exec(vec![
            "serve".into(),
            "--port".into(),
            "8080".into()
        ]))
    );
}

fn err(text: &str) -> (usize, String) {
    match parse(text, "ctx/Dockerfile") {
        Ok(df) => panic!("parsed: {df:?}"),
        Err(e) => {
            assert_eq!(e.file, "ctx/Dockerfile");
            (e.line, e.message)
        }
    }
}

#[test]
fn errors_name_file_and_start_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("FROM a\nCOPPY x y", 2, "unknown instruction: COPPY (did you mean COPY?)"),
        ("FROM a\nfrobnicate x", 2, "unknown instruction: frobnicate (expected one of ADD, ARG, CMD, COPY, ENTRYPOINT, ENV, EXPOSE, FROM, HEALTHCHECK, LABEL, MAINTAINER, ONBUILD, RUN, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR)"),
        ("FROM a b", 1, "FROM requires either one or three arguments"),
        ("FROM a\nENV \\\n  =x", 2, "ENV names can not be blank"),
        ("FROM a\nENV A", 2, "ENV must have two arguments"),
        ("FROM a\nLABEL", 2, "LABEL requires at least one argument"),
        ("FROM a\nCOPY x", 2, "COPY requires at least two arguments, but only one was provided. Destination could not be determined"),
        ("FROM a\nCOPY --foo x y", 2, "unknown flag: --foo (did you mean from?)"),
        ("FROM a\nCOPY --bogus x y", 2, "unknown flag: --bogus"),
        ("FROM a\nADD --from=b x y", 2, "unknown flag: --from"),
        ("FROM a\nCOPY --platform=x x y", 2, "unknown flag: --platform"),
        ("FROM a\nSHELL sh -c", 2, "SHELL requires the arguments to be in JSON form"),
        ("FROM a\nONBUILD ONBUILD RUN x", 2, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ("FROM a\nONBUILD from b", 2, "FROM isn't allowed as an ONBUILD trigger"),
        ("FROM a\nONBUILD MAINTAINER me", 2, "MAINTAINER isn't allowed as an ONBUILD trigger"),
        ("FROM a\nRUN --network=bridge x", 2, "invalid network mode \"bridge\""),
        ("FROM a\nRUN --security=root x", 2, "security \"root\" is not valid"),
        ("FROM a\nRUN --mount=type=nfs x", 2, "unsupported mount type \"nfs\""),
        ("FROM a\nCMD [\"a\", 1]", 2, "when using JSON array syntax, arrays must be comprised of strings only"),
        ("FROM a\nCOPY x <<EOF\nEOF\n", 2, "COPY cannot accept a heredoc as a destination"),
        ("FROM a\nUSER", 2, "USER requires exactly one argument"),
        ("FROM a\nEXPOSE", 2, "EXPOSE requires at least one argument"),
        ("FROM a\nRUN <<EOF\necho\n", 2, "unterminated heredoc"),
        ("# escape=x\nFROM a", 1, "invalid escape token 'x' does not match ` or \\"),
        ("# escape=`\n# escape=\\\nFROM a", 2, "only one escape parser directive can be used"),
        ("\n# nothing\n", 2, "file with no instructions"),
    ];
    for (text, line, msg) in cases {
        assert_eq!(err(text), (*line, msg.to_string()), "{text:?}");
    }
}

#[test]
fn display_is_file_line_message() {
    let e = parse("FROM a\nFROM", "Dockerfile.dev").err();
    assert_eq!(
        e.map(|e| e.to_string()).as_deref(),
        Some("Dockerfile.dev:2: FROM requires either one or three arguments")
    );
}

#[test]
fn keywords_are_case_insensitive_and_text_keeps_the_original() {
    let df = parse("from a as B\nrun echo hi\n", "Dockerfile");
    let df = df.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.instructions[0].text, "from a as B");
    assert!(
        matches!(&df.instructions[0].command, Command::From { stage_name: Some(n), .. } if n == "b")
    );
    assert!(matches!(df.instructions[1].command, Command::Run(_)));
}

#[test]
fn malformed_json_is_shell_form() {
    let df = parse("FROM a\nCMD [ \"a\" \n", "Dockerfile").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        df.instructions[1].command,
        Command::Cmd(ShellOrExec::Shell("[ \"a\"".into()))
    );
}

#[test]
fn directives_after_a_comment_are_comments() {
    let text = "# hello\n# escape=`\nFROM a\nRUN a \\\n b\n";
    let df = parse(text, "Dockerfile").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.escape, '\\');
    assert_eq!(df.instructions[1].text, "RUN a  b");
}

#[test]
fn backtick_escape_file() {
    let text = "# escape=`\r\nFROM mcr.microsoft.com/windows\r\nRUN dir C:\\ `\r\n  /s\r\n";
    let df = parse(text, "Dockerfile").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.escape, '`');
    assert_eq!(
        df.instructions[1].command,
        Command::Run(Run {
            command: ShellOrExec::Shell("dir C:\\   /s".into()),
            mounts: vec![],
            network: None,
            security: None,
            heredocs: vec![],
        })
    );
}

#[test]
fn onbuild_trigger_with_heredoc_round_trips_through_parse_instruction() {
    let text = "FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n";
    let df = parse(text, "Dockerfile").unwrap_or_else(|e| panic!("{e}"));
    let Command::Onbuild(trigger) = &df.instructions[1].command else {
        panic!("{:?}", df.instructions[1])
    };
    assert_eq!(trigger.text, "RUN <<EOF\necho hi\nEOF");
    let again =
        parse_instruction(&trigger.text, "onbuild", 1, '\\').unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.command, trigger.command);
    let Command::Run(run) = &again.command else {
        panic!("{again:?}")
    };
    assert_eq!(run.heredocs[0].content, "echo hi\n");
}

#[test]
fn parse_instruction_alone() {
    let i = parse_instruction("RUN echo hi", "image onbuild", 7, '\\')
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((i.line, i.end_line, i.text.as_str()), (7, 7, "RUN echo hi"));
    let e = parse_instruction("RUN a\nRUN b", "image onbuild", 7, '\\').err();
    assert_eq!(
        e.map(|e| (e.line, e.message)),
        Some((
            7,
            "expected one instruction, found more than one".to_string()
        ))
    );
    let e = parse_instruction("BOGUS x", "image onbuild", 3, '\\').err();
    assert_eq!(e.map(|e| e.line), Some(3));
}

#[test]
fn several_heredocs_on_one_run_line() {
    let text = "FROM a\nRUN <<A bash && cat <<'B' > /f\necho $X\nA\nliteral $X\nB\nCMD x\n";
    let df = parse(text, "Dockerfile").unwrap_or_else(|e| panic!("{e}"));
    let Command::Run(run) = &df.instructions[1].command else {
        panic!("{:?}", df.instructions[1])
    };
    let got: Vec<(&str, &str, bool)> = run
        .heredocs
        .iter()
        .map(|h| (h.name.as_str(), h.content.as_str(), h.expand))
        .collect();
    assert_eq!(
        got,
        [("A", "echo $X\n", true), ("B", "literal $X\n", false)]
    );
    assert_eq!(
        (df.instructions[1].line, df.instructions[1].end_line),
        (2, 6)
    );
    assert_eq!(df.instructions[2].line, 7);
}

#[test]
fn expand_error_is_placed_by_the_builder() {
    let e = expand_word("${NEED:?set NEED}", '\\', &mut |_| None)
        .err()
        .map(|e| e.at("Dockerfile", 4).to_string());
    assert_eq!(
        e.as_deref(),
        Some("Dockerfile:4: failed to process \"${NEED:?set NEED}\": NEED: set NEED")
    );
}
