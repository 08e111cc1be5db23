//! Docker-shaped `inspect` output for a container, built from its two records.

use serde_json::{json, Value};

use super::launch::ContainerDirs;
use super::model::{Container, Status};
use crate::store::Paths;

const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl Container {
    pub fn inspect_json(&self, paths: &Paths) -> Value {
        let r = &self.record;
        let s = &self.state;
        let dir = paths.container_dir(&r.id);
        let dirs = ContainerDirs::of(paths, &r.id);
        let mounts: Vec<Value> = r
            .mounts
            .iter()
            .map(|m| {
                let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
                if m.kind == "tmpfs" {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("Driver");
                    }
                }
                v
            })
            .collect();
        json!({
            "Id": r.id,
            "Created": r.created,
            "Path": r.path,
            "Args": r.args,
            "State": {
                "Status": s.status.as_str(),
                "Running": matches!(s.status, Status::Running | Status::Paused),
                "Paused": s.status == Status::Paused,
                "Restarting": s.status == Status::Restarting,
                "OOMKilled": s.oom_killed,
                "Dead": s.status == Status::Dead,
                "Pid": s.pid,
                "ExitCode": s.exit_code,
                "Error": s.error,
                "StartedAt": s.started_at.clone().unwrap_or_else(|| ZERO_TIME.into()),
                "FinishedAt": s.finished_at.clone().unwrap_or_else(|| ZERO_TIME.into()),
            },
            "Image": r.image_id.to_string(),
            "ResolvConfPath": dir.join("resolv.conf"),
            "HostnamePath": dir.join("hostname"),
            "HostsPath": dir.join("hosts"),
            "LogPath": dir.join(format!("{}-json.log", r.id)),
            "Name": format!("/{}", r.name),
            "RestartCount": s.restart_count,
            "Driver": "overlay",
            "Platform": "linux",
            "MountLabel": "",
            "ProcessLabel": "",
            "AppArmorProfile": "",
            "HostConfig": r.host_config,
            "GraphDriver": {
                "Name": "overlay",
                "Data": {
                    "UpperDir": dirs.upper,
                    "WorkDir": dirs.work,
                    "MergedDir": dirs.rootfs,
                },
            },
            "Mounts": mounts,
            "Config": r.config,
            "NetworkSettings": {
                "Bridge": "",
                "SandboxKey": if s.pid > 0 { format!("/proc/{}/ns/net", s.pid) } else { String::new() },
                "Ports": {},
                "IPAddress": "",
                "Gateway": "",
                "MacAddress": "",
                "Networks": {},
            },
        })
    }
}
