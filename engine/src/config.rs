//! The engine's settings: one value, read once from the environment by
//! [`Config::from_env`] (the only place in berth that reads a `BERTH_*` setting), owned by
//! the [`Engine`](crate::Engine) and handed down to what needs it (the network store, the
//! DNS server, the monitor, the health policy, cgroup setup).
//!
//! The processes berth re-executes (`__monitor`, `__dns`, `__exec`, `__fs`) build their own
//! value once at entry from the environment they inherited; whoever spawns them passes its
//! value down with [`Config::to_env`], so a child sees the settings of its parent even
//! when those were not read from the environment (an engine built in a test, say).

use std::path::PathBuf;
use std::time::Duration;

use crate::container::health::policy::Autoheal;
use crate::error::{Error, Result};
use crate::store::paths::{DEFAULT_ROOT, DEFAULT_RUN_ROOT};
use crate::store::Paths;

/// Every setting, with Docker's (or berth's documented) default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Persistent state: images, layers, containers, volumes (`BERTH_ROOT`, or `--root`;
    /// default `/var/lib/berth`).
    pub root: PathBuf,
    /// Runtime files that die with the machine (`BERTH_RUN_ROOT`, or `--run-root`; default
    /// `/run/berth`).
    pub run_root: PathBuf,
    /// The cgroup parent of containers created without `--cgroup-parent`
    /// (`BERTH_CGROUP_PARENT`, default `berth`, as dockerd's cgroupfs driver uses `docker`).
    pub cgroup_parent: String,
    /// Where the cgroup hierarchies are mounted (`BERTH_CGROUP_ROOT`, default
    /// `/sys/fs/cgroup`; tests point it at a fixture tree).
    pub cgroup_root: PathBuf,
    /// The subnet of the default `bridge` network (`BERTH_DEFAULT_SUBNET`, like dockerd's
    /// `--bip`); unset, a free private range is picked.
    pub default_subnet: Option<String>,
    /// The resolv.conf whose nameservers containers and the embedded DNS server use
    /// (`BERTH_RESOLV_CONF`, default `/etc/resolv.conf`; tests name a fake upstream).
    pub resolv_conf: PathBuf,
    /// How long a network's DNS server stays once the network has no container
    /// (`BERTH_DNS_LINGER_SECS`, default 30 s), so a burst of `run --rm` reuses it.
    pub dns_linger: Duration,
    /// Autoheal: the label it watches (`BERTH_AUTOHEAL_LABEL`, default `autoheal`; `all`
    /// watches every container) and its grace after a start
    /// (`BERTH_AUTOHEAL_START_PERIOD` seconds, default 0).
    pub autoheal: Autoheal,
    /// Re-execute monitors even from the single-threaded CLI, which otherwise forks them
    /// (`BERTH_MONITOR_EXEC` set to anything; tests use it to cover the TUI's path).
    pub monitor_exec: bool,
    /// Registries spoken to over plain HTTP, as `host[:port]` (`BERTH_INSECURE_REGISTRIES`,
    /// comma-separated, like dockerd's `insecure-registries`). Loopback registries
    /// (`localhost`, `127.0.0.0/8`, `::1`) always are; every other one is HTTPS.
    pub insecure_registries: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            root: DEFAULT_ROOT.into(),
            run_root: DEFAULT_RUN_ROOT.into(),
            cgroup_parent: "berth".into(),
            cgroup_root: "/sys/fs/cgroup".into(),
            default_subnet: None,
            resolv_conf: "/etc/resolv.conf".into(),
            dns_linger: Duration::from_secs(30),
            autoheal: Autoheal {
                label: "autoheal".into(),
                start_period: Duration::ZERO,
            },
            monitor_exec: false,
            insecure_registries: Vec::new(),
        }
    }
}

const ROOT: &str = "BERTH_ROOT";
const RUN_ROOT: &str = "BERTH_RUN_ROOT";
const CGROUP_PARENT: &str = "BERTH_CGROUP_PARENT";
const CGROUP_ROOT: &str = "BERTH_CGROUP_ROOT";
const DEFAULT_SUBNET: &str = "BERTH_DEFAULT_SUBNET";
const RESOLV_CONF: &str = "BERTH_RESOLV_CONF";
const DNS_LINGER_SECS: &str = "BERTH_DNS_LINGER_SECS";
const AUTOHEAL_LABEL: &str = "BERTH_AUTOHEAL_LABEL";
const AUTOHEAL_START_PERIOD: &str = "BERTH_AUTOHEAL_START_PERIOD";
const MONITOR_EXEC: &str = "BERTH_MONITOR_EXEC";
const INSECURE_REGISTRIES: &str = "BERTH_INSECURE_REGISTRIES";

impl Config {
    /// Read every setting from this process's environment. A value that does not parse
    /// is an error naming the variable, not a silent default.
    pub fn from_env() -> Result<Config> {
        Config::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// Read the settings through `get` (a variable's value, if set): the environment for
    /// [`from_env`](Config::from_env), a map in tests.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let d = Config::default();
        // An empty value means unset, as a shell's `VAR= berth ...` intends.
        let get = |name: &str| get(name).filter(|v| !v.is_empty());
        let secs = |name: &'static str, default: Duration| -> Result<Duration> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.trim().parse().map(Duration::from_secs).map_err(|_| {
                    Error::invalid(format!(
                        "invalid {name} {v:?}: expected a whole number of seconds"
                    ))
                }),
            }
        };
        Ok(Config {
            root: get(ROOT).map(PathBuf::from).unwrap_or(d.root),
            run_root: get(RUN_ROOT).map(PathBuf::from).unwrap_or(d.run_root),
            cgroup_parent: get(CGROUP_PARENT).unwrap_or(d.cgroup_parent),
            cgroup_root: get(CGROUP_ROOT).map(PathBuf::from).unwrap_or(d.cgroup_root),
            default_subnet: get(DEFAULT_SUBNET),
            resolv_conf: get(RESOLV_CONF).map(PathBuf::from).unwrap_or(d.resolv_conf),
            dns_linger: secs(DNS_LINGER_SECS, d.dns_linger)?,
            autoheal: Autoheal {
                label: get(AUTOHEAL_LABEL).unwrap_or(d.autoheal.label),
                start_period: secs(AUTOHEAL_START_PERIOD, d.autoheal.start_period)?,
            },
            monitor_exec: get(MONITOR_EXEC).is_some(),
            insecure_registries: get(INSECURE_REGISTRIES)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|h| !h.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The same settings with the roots of `paths`.
    pub fn with_paths(self, paths: &Paths) -> Config {
        Config {
            root: paths.root.clone(),
            run_root: paths.run.clone(),
            ..self
        }
    }

    /// The state and runtime roots.
    pub fn paths(&self) -> Paths {
        Paths::new(&self.root, &self.run_root)
    }

    /// This binary re-executed as the helper `verb` (`__dns`, `__logship`) of this
    /// engine: its roots as flags, its settings as the environment, no stdio. The caller
    /// adds the helper's arguments and how it detaches.
    pub fn helper_command(&self, verb: &str) -> std::process::Command {
        let paths = self.paths();
        let mut cmd = std::process::Command::new(crate::util::self_exe());
        cmd.arg("--root")
            .arg(&paths.root)
            .arg("--run-root")
            .arg(&paths.run)
            .arg(verb)
            .envs(self.to_env())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    }

    /// The settings as the environment of a re-executed berth (a monitor, the DNS
    /// server, a helper), which reads them back with [`from_env`](Config::from_env).
    /// Every variable is listed, so one this value leaves unset is cleared in the child
    /// (an empty value reads as unset). The roots travel as `--root`/`--run-root` too.
    pub fn to_env(&self) -> Vec<(&'static str, String)> {
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        vec![
            (ROOT, path(&self.root)),
            (RUN_ROOT, path(&self.run_root)),
            (CGROUP_PARENT, self.cgroup_parent.clone()),
            (CGROUP_ROOT, path(&self.cgroup_root)),
            (
                DEFAULT_SUBNET,
                self.default_subnet.clone().unwrap_or_default(),
            ),
            (RESOLV_CONF, path(&self.resolv_conf)),
            (DNS_LINGER_SECS, self.dns_linger.as_secs().to_string()),
            (AUTOHEAL_LABEL, self.autoheal.label.clone()),
            (
                AUTOHEAL_START_PERIOD,
                self.autoheal.start_period.as_secs().to_string(),
            ),
            (
                MONITOR_EXEC,
                if self.monitor_exec { "1" } else { "" }.to_string(),
            ),
            (INSECURE_REGISTRIES, self.insecure_registries.join(",")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Config> {
        let m: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn nothing_set_gives_the_defaults() {
        assert_eq!(read(&[]).unwrap(), Config::default());
        // Empty means unset.
        assert_eq!(
            read(&[("BERTH_CGROUP_PARENT", "")]).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn every_variable_is_read() {
        let c = read(&[
            ("BERTH_ROOT", "/r"),
            ("BERTH_RUN_ROOT", "/rr"),
            ("BERTH_CGROUP_PARENT", "p"),
            ("BERTH_CGROUP_ROOT", "/cg"),
            ("BERTH_DEFAULT_SUBNET", "10.9.0.0/24"),
            ("BERTH_RESOLV_CONF", "/tmp/resolv"),
            ("BERTH_DNS_LINGER_SECS", "1"),
            ("BERTH_AUTOHEAL_LABEL", "all"),
            ("BERTH_AUTOHEAL_START_PERIOD", "60"),
            ("BERTH_MONITOR_EXEC", "1"),
            ("BERTH_INSECURE_REGISTRIES", "reg.lan:5000, other.lan,"),
        ])
        .unwrap();
        assert_eq!(c.paths().root, PathBuf::from("/r"));
        assert_eq!(c.paths().run, PathBuf::from("/rr"));
        assert_eq!(c.cgroup_parent, "p");
        assert_eq!(c.cgroup_root, PathBuf::from("/cg"));
        assert_eq!(c.default_subnet.as_deref(), Some("10.9.0.0/24"));
        assert_eq!(c.resolv_conf, PathBuf::from("/tmp/resolv"));
        assert_eq!(c.dns_linger, Duration::from_secs(1));
        assert_eq!(c.autoheal.label, "all");
        assert_eq!(c.autoheal.start_period, Duration::from_secs(60));
        assert!(c.monitor_exec);
        assert_eq!(c.insecure_registries, ["reg.lan:5000", "other.lan"]);
    }

    #[test]
    fn a_bad_number_names_its_variable() {
        let e = read(&[("BERTH_DNS_LINGER_SECS", "soon")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid BERTH_DNS_LINGER_SECS \"soon\": expected a whole number of seconds"
        );
        let e = read(&[("BERTH_AUTOHEAL_START_PERIOD", "-1")]).unwrap_err();
        assert!(e.to_string().contains("BERTH_AUTOHEAL_START_PERIOD"), "{e}");
    }

    #[test]
    fn the_environment_of_a_child_reads_back_the_same() {
        let mut c = read(&[("BERTH_DEFAULT_SUBNET", "10.9.0.0/24")]).unwrap();
        c.dns_linger = Duration::from_secs(5);
        c.monitor_exec = true;
        c.insecure_registries = vec!["a.lan:5000".into(), "b.lan".into()];
        let env: HashMap<String, String> = c
            .to_env()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(Config::from_lookup(|k| env.get(k).cloned()).unwrap(), c);
        // Unset settings clear what the child would otherwise inherit.
        let env: HashMap<String, String> = Config::default()
            .to_env()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(env["BERTH_DEFAULT_SUBNET"], "");
        assert_eq!(env["BERTH_MONITOR_EXEC"], "");
    }
}
