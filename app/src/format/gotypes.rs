//! What Go type a field of Docker's API models has, by its name, for printing the way
//! Docker's templates print typed values rather than decoded JSON: a nil slice is `[]`
//! (`{{.Config.Entrypoint}}`), a nil map `map[]`, a nil pointer `<nil>`, and a struct
//! `{field values in order}` (`{{.HostConfig.RestartPolicy}}` is `{no 0}`). Names not
//! listed keep the decoded-JSON spelling (`<no value>`, `map[k:v]`), which is also what
//! Docker prints when it falls back to the raw JSON.

use serde_json::Value;

use super::gofmt::{print_value, write_nested};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoKind {
    Slice,
    Map,
    Pointer,
    Struct,
    Unknown,
}

const SLICES: &[&str] = &[
    "Aliases",
    "Args",
    "Binds",
    "CapAdd",
    "CapDrop",
    "Cmd",
    "DNSNames",
    "DeviceCgroupRules",
    "DeviceRequests",
    "Devices",
    "Dns",
    "DnsOptions",
    "DnsSearch",
    "Entrypoint",
    "Env",
    "ExecIDs",
    "ExtraHosts",
    "GroupAdd",
    "Layers",
    "Links",
    "MaskedPaths",
    "Mounts",
    "OnBuild",
    "ReadonlyPaths",
    "RepoDigests",
    "RepoTags",
    "SecurityOpt",
    "Shell",
    "Test",
    "Ulimits",
    "VolumesFrom",
];
const MAPS: &[&str] = &[
    "Containers",
    "Data",
    "DriverOpts",
    "ExposedPorts",
    "Labels",
    "Networks",
    "Options",
    "Ports",
    "StorageOpt",
    "Sysctls",
    "Tmpfs",
    "Volumes",
];
const POINTERS: &[&str] = &[
    "Health",
    "Healthcheck",
    "IPAMConfig",
    "MemorySwappiness",
    "OomKillDisable",
    "PidsLimit",
];
const STRUCTS: &[&str] = &[
    "GraphDriver",
    "HostConfig",
    "LogConfig",
    "Metadata",
    "NetworkSettings",
    "RestartPolicy",
    "RootFS",
    "State",
];

pub fn kind_of(field: &str) -> GoKind {
    if SLICES.contains(&field) {
        GoKind::Slice
    } else if MAPS.contains(&field) {
        GoKind::Map
    } else if POINTERS.contains(&field) {
        GoKind::Pointer
    } else if STRUCTS.contains(&field) {
        GoKind::Struct
    } else {
        GoKind::Unknown
    }
}

/// How a template action prints a value reached through the field `field`.
pub fn print_field(v: &Value, field: &str) -> String {
    match (v, kind_of(field)) {
        (Value::Null, GoKind::Slice) => "[]".into(),
        (Value::Null, GoKind::Map) => "map[]".into(),
        (Value::Null, GoKind::Pointer) => "<nil>".into(),
        (Value::Object(_), GoKind::Struct) => {
            let mut out = String::new();
            write_struct(v, &mut out);
            out
        }
        _ => print_value(v),
    }
}

/// Go's `%v` of a struct: its fields' values in order, separated by blanks, each
/// printed by its own type.
fn write_struct(v: &Value, out: &mut String) {
    let Value::Object(fields) = v else {
        write_nested(v, out);
        return;
    };
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match (value, kind_of(name)) {
            (Value::Null, GoKind::Slice) => out.push_str("[]"),
            (Value::Null, GoKind::Map) => out.push_str("map[]"),
            (Value::Object(_), GoKind::Struct) => write_struct(value, out),
            _ => write_nested(value, out),
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_nils_and_structs_as_docker_prints_them() {
        assert_eq!(print_field(&Value::Null, "Entrypoint"), "[]");
        assert_eq!(print_field(&Value::Null, "Labels"), "map[]");
        assert_eq!(print_field(&Value::Null, "Health"), "<nil>");
        assert_eq!(print_field(&Value::Null, "Whatever"), "<no value>");
        assert_eq!(
            print_field(
                &json!({"Name": "no", "MaximumRetryCount": 0}),
                "RestartPolicy"
            ),
            "{no 0}"
        );
        assert_eq!(
            print_field(&json!({"Type": "json-file", "Config": {}}), "LogConfig"),
            "{json-file map[]}"
        );
        // A map stays a map.
        assert_eq!(
            print_field(&json!({"b": "2", "a": "1"}), "Labels"),
            "map[a:1 b:2]"
        );
    }
}
