//! End-to-end template tests: parse then render over Docker-shaped data.

use serde_json::{json, Value};

use super::{Template, TemplateErrorKind};

fn inspect() -> Value {
    json!({
        "Id": "4f66ad9a0b2e5f0a1c0de1b2b5c7a7f1d1e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3",
        "Name": "/web",
        "Args": ["-g", "daemon off;"],
        "State": {"Status": "running", "Running": true, "Pid": 4242, "ExitCode": 0},
        "Config": {
            "Labels": {"com.example": "yes", "a": "b"},
            "Env": ["PATH=/usr/bin", "TERM=xterm"],
            "Entrypoint": null
        },
        "Mounts": [
            {"Source": "/data", "Destination": "/var/lib/data", "RW": true},
            {"Source": "/etc/x", "Destination": "/x", "RW": false}
        ],
        "Size": 1.5
    })
}

fn render(src: &str) -> String {
    let t = Template::parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"));
    t.render(&inspect())
        .unwrap_or_else(|e| panic!("{src:?} should render: {e}"))
}

fn render_err(src: &str) -> String {
    let t = Template::parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"));
    t.render(&inspect()).expect_err("should fail").to_string()
}

#[test]
fn literal_text_and_fields() {
    assert_eq!(render("plain"), "plain");
    assert_eq!(render("{{.State.Status}}"), "running");
    assert_eq!(
        render("pid={{.State.Pid}} size={{.Size}}"),
        "pid=4242 size=1.5"
    );
    assert_eq!(render("{{.State.Running}}"), "true");
    assert_eq!(render("{{.Config.Labels}}"), "map[a:b com.example:yes]");
    assert_eq!(render("{{.Args}}"), "[-g daemon off;]");
    // A nil slice prints as Docker's typed value: `[]`.
    assert_eq!(render("{{.Config.Entrypoint}}"), "[]");
    // A missing key is an error, as with Docker's missingkey=error; below a null, null.
    assert_eq!(
        render_err("{{.Nope}}"),
        "template error at column 3: map has no entry for key \"Nope\""
    );
    assert_eq!(render("{{.Config.Entrypoint.Deeper}}"), "<no value>");
    // A struct prints its values in order, as Go's %v.
    assert_eq!(render("{{.State}}"), "{running true 4242 0}");
    assert_eq!(
        render("{{.Config.Labels | json}}"),
        r#"{"com.example":"yes","a":"b"}"#
    );
}

#[test]
fn dot_is_the_whole_value() {
    let t = Template::parse("{{.}}").expect("parses");
    assert_eq!(t.render(&json!("x")).expect("renders"), "x");
    assert_eq!(t.render(&json!([1, 2])).expect("renders"), "[1 2]");
    assert_eq!(t.render(&json!(null)).expect("renders"), "<no value>");
}

#[test]
fn json_function() {
    assert_eq!(
        render("{{json .State}}"),
        r#"{"Status":"running","Running":true,"Pid":4242,"ExitCode":0}"#
    );
    assert_eq!(render("{{json .Args}}"), r#"["-g","daemon off;"]"#);
    assert_eq!(
        render("{{.Config.Env | json}}"),
        r#"["PATH=/usr/bin","TERM=xterm"]"#
    );
    assert_eq!(render("{{json .Config.Entrypoint}}"), "null");
}

#[test]
fn index_maps_and_arrays() {
    assert_eq!(render(r#"{{index .Config.Labels "com.example"}}"#), "yes");
    assert_eq!(render(r#"[{{index .Config.Labels "missing"}}]"#), "[]");
    assert_eq!(render("{{index .Args 1}}"), "daemon off;");
    assert_eq!(render("{{(index .Mounts 1).Destination}}"), "/x");
    assert!(render_err("{{index .Args 5}}").contains("index out of range: 5"));
}

#[test]
fn range_rebinds_dot() {
    assert_eq!(
        render("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}"),
        "/data:/var/lib/data /etc/x:/x "
    );
    assert_eq!(
        render("{{range $i, $m := .Mounts}}{{$i}}={{$m.RW}};{{end}}"),
        "0=true;1=false;"
    );
    assert_eq!(
        render("{{range $e := .Args}}<{{$e}}>{{end}}"),
        "<-g><daemon off;>"
    );
    assert_eq!(
        render("{{range .Config.Entrypoint}}x{{else}}none{{end}}"),
        "none"
    );
    assert_eq!(
        render("{{range .Config.Entrypoint}}x{{else}}empty{{end}}"),
        "empty"
    );
    // `$` stays the root inside range.
    assert_eq!(render("{{range .Args}}{{$.Name}}{{end}}"), "/web/web");
}

#[test]
fn range_over_map_in_sorted_key_order() {
    assert_eq!(
        render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}"),
        "a=b com.example=yes "
    );
    assert_eq!(render("{{range .Config.Labels}}{{.}},{{end}}"), "b,yes,");
}

#[test]
fn conditionals() {
    assert_eq!(render("{{if .State.Running}}up{{else}}down{{end}}"), "up");
    assert_eq!(
        render("{{if .State.ExitCode}}failed{{else}}ok{{end}}"),
        "ok"
    );
    assert_eq!(
        render("{{if .Config.Entrypoint}}a{{else if .Args}}b{{else}}c{{end}}"),
        "b"
    );
    assert_eq!(render("{{if not .State.Running}}down{{end}}"), "");
    assert_eq!(
        render(r#"{{if eq .State.Status "running" "paused"}}live{{end}}"#),
        "live"
    );
    assert_eq!(render(r#"{{if ne .Name "/db"}}not db{{end}}"#), "not db");
    assert_eq!(
        render("{{if and .State.Running (gt .State.Pid 0)}}ok{{end}}"),
        "ok"
    );
    assert_eq!(
        render("{{if or .Config.Entrypoint .Size}}some{{end}}"),
        "some"
    );
    assert_eq!(render("{{with .State}}{{.Status}}{{end}}"), "running");
    assert_eq!(
        render("{{with .Config.Entrypoint}}x{{else}}no {{.Name}}{{end}}"),
        "no /web"
    );
    // `and` stops at the first false argument, so the index never runs.
    assert_eq!(
        render("{{if and .Config.Entrypoint (index .Config.Entrypoint 0)}}x{{else}}y{{end}}"),
        "y"
    );
}

#[test]
fn whitespace_trimming() {
    assert_eq!(
        render("{{range .Args -}}\n  {{.}}\n{{- end}}"),
        "-gdaemon off;"
    );
    assert_eq!(render("a   {{- .Name}}"), "a/web");
    assert_eq!(render("{{.Name -}}   b"), "/webb");
}

#[test]
fn pipelines_and_string_functions() {
    assert_eq!(render("{{.State.Status | upper}}"), "RUNNING");
    assert_eq!(render("{{.State.Status | upper | lower}}"), "running");
    assert_eq!(render("{{title .State.Status}}"), "Running");
    assert_eq!(render(r#"{{join .Args ","}}"#), "-g,daemon off;");
    assert_eq!(render(r#"{{split .Name "e"}}"#), "[/w b]");
    assert_eq!(
        render(r#"{{len .Mounts}} {{len .Config.Labels}} {{len .Name}}"#),
        "2 2 4"
    );
    assert_eq!(
        render(r#"{{printf "%s has pid %d" .Name .State.Pid}}"#),
        "/web has pid 4242"
    );
    assert_eq!(
        render(r#"{{printf "%v %q" .Args .Name}}"#),
        r#"[-g daemon off;] "/web""#
    );
    assert_eq!(render("{{truncate .Id 12}}"), "4f66ad9a0b2e");
    assert_eq!(render("{{println .Name}}"), "/web\n");
    assert_eq!(render(r#"{{pad .Name 1 2}}|"#), " /web  |");
}

#[test]
fn variables_and_comments() {
    assert_eq!(
        render("{{$n := .Name}}{{/* a comment */}}{{$n}}{{$n = \"x\"}}{{$n}}"),
        "/webx"
    );
    assert_eq!(render("{{$.State.Status}}"), "running");
    assert_eq!(render("{{if true}}{{$x := 1}}{{$x}}{{end}}"), "1");
}

#[test]
fn runtime_errors_name_the_column() {
    let msg = render_err("ok {{.Name.First}}");
    assert_eq!(
        msg,
        "template error at column 6: can't evaluate field First in type string"
    );
    let msg = render_err("{{range .Name}}{{end}}");
    assert!(msg.contains("range can't iterate over /web"), "{msg}");
    let msg = render_err("{{upper .State.Pid}}");
    assert!(
        msg.contains("error calling upper: wrong type for value; expected string; got float64"),
        "{msg}"
    );
    let err = Template::parse("x\n  {{.A | nosuch}}").expect_err("bad function");
    assert_eq!(
        (err.kind, err.line, err.column),
        (TemplateErrorKind::Parse, 2, 10)
    );
    assert_eq!(
        err.to_string(),
        "template parsing error at line 2, column 10: function \"nosuch\" not defined"
    );
}

#[test]
fn header_rendering_uses_identity_functions() {
    let t = Template::parse("{{.ID}}\t{{.Names | upper}}\t{{json .Labels}}\t{{.Nope}}")
        .expect("parses");
    let headers = json!({"ID": "CONTAINER ID", "Names": "NAMES", "Labels": "LABELS"});
    assert_eq!(t.render_header(&headers), "CONTAINER ID\tNAMES\tLABELS\t");
    let names: Vec<String> = t.field_names().into_iter().collect();
    assert_eq!(names, ["ID", "Labels", "Names", "Nope"]);
}
