//! A command run to its end in a container through the interface's exec, its output
//! gathered and its exit code read: the `rm -rf` of a sync's deletions and a
//! `sync+exec` rule's command.

use std::time::Duration;

use bollard::models as m;
use futures_util::StreamExt;

use crate::backend::{Backend, ExecStarted};
use crate::compose::model::ServiceHook;
use crate::compose::run::{ComposeError, Result};

/// How an exec ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub code: i64,
    /// Stdout and stderr as they came.
    pub output: Vec<u8>,
}

/// Run `cfg` in container `id` (stdout and stderr attached, no terminal) and wait
/// for its exit.
pub async fn run(b: &dyn Backend, id: &str, mut cfg: m::ExecConfig) -> Result<Ran> {
    cfg.attach_stdout = Some(true);
    cfg.attach_stderr = Some(true);
    cfg.tty = Some(false);
    let exec = b.exec_create(id, cfg).await?.id;
    let start = m::ExecStartConfig {
        detach: Some(false),
        tty: Some(false),
        console_size: None,
    };
    let mut output = Vec::new();
    if let ExecStarted::Attached(d) = b.exec_start(&exec, start).await? {
        let mut out = d.output;
        while let Some(chunk) = out.next().await {
            output.extend_from_slice(&chunk?.into_bytes());
        }
    }
    // The output ends with the process; a backend may record the exit a moment later.
    for _ in 0..100 {
        let i = b.exec_inspect(&exec).await?;
        if i.running != Some(true) {
            if let Some(code) = i.exit_code {
                return Ok(Ran { code, output });
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(ComposeError::Invalid(format!(
        "the command in {id} did not report its exit"
    )))
}

/// The exec a `sync+exec` rule's hook asks for.
pub fn hook_config(hook: &ServiceHook) -> Result<m::ExecConfig> {
    let cmd = match &hook.command {
        Some(c) => c
            .to_vec()
            .map_err(|e| ComposeError::Invalid(format!("watch exec command: {e}")))?,
        None => Vec::new(),
    };
    // A variable without a value has nothing to pass (Compose's ToMapping drops it).
    let env: Vec<String> = hook
        .environment
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
    Ok(m::ExecConfig {
        cmd: Some(cmd),
        user: hook.user.clone(),
        privileged: Some(hook.privileged),
        working_dir: hook.working_dir.clone(),
        env: (!env.is_empty()).then_some(env),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::compose::model::ShellCommand;

    #[test]
    fn a_hook_as_an_exec() {
        let hook = ServiceHook {
            command: Some(ShellCommand::Shell("npm install --quiet".into())),
            user: Some("node".into()),
            working_dir: Some("/app".into()),
            environment: BTreeMap::from([
                ("A".to_string(), Some("1".to_string())),
                ("UNSET".to_string(), None),
            ]),
            ..Default::default()
        };
        let cfg = hook_config(&hook).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            cfg.cmd,
            Some(vec!["npm".into(), "install".into(), "--quiet".into()])
        );
        assert_eq!(cfg.user.as_deref(), Some("node"));
        assert_eq!(cfg.working_dir.as_deref(), Some("/app"));
        assert_eq!(cfg.env, Some(vec!["A=1".to_string()]));
        assert_eq!(cfg.privileged, Some(false));
    }
}
