//! The engine interface's requests in the shapes bollard's client takes, and its answers
//! back where bollard reshapes them (a wait with a non-zero exit is an error there).

use bollard::errors::Error as DockerError;
use bollard::models as m;
use bollard::query_parameters as q;

use crate::backend::{BackendError, LogsQuery};

const NANOS: i64 = 1_000_000_000;

/// `logs` options. bollard takes whole seconds, so `since` rounds down (a line or two
/// more, never fewer) and `until` rounds up; `--details` has no field there at all.
pub fn logs_options(opts: &LogsQuery) -> Result<q::LogsOptions, BackendError> {
    if opts.details {
        return Err(BackendError::unsupported(
            "logs --details is not available on the Docker backend yet",
        ));
    }
    let secs = |n: i64, up: bool| -> i32 {
        let s = if up {
            (n + NANOS - 1) / NANOS
        } else {
            n / NANOS
        };
        i32::try_from(s).unwrap_or(i32::MAX)
    };
    Ok(q::LogsOptions {
        follow: opts.follow,
        stdout: opts.stdout,
        stderr: opts.stderr,
        since: opts.since.map_or(0, |n| secs(n, false)),
        until: opts.until.map_or(0, |n| secs(n, true)),
        timestamps: opts.timestamps,
        tail: opts
            .tail
            .map_or_else(|| "all".to_string(), |n| n.to_string()),
    })
}

/// bollard turns a wait whose container exited non-zero into an error; the interface
/// wants Docker's answer as it was.
pub fn wait_answer(
    item: Option<Result<m::ContainerWaitResponse, DockerError>>,
    url: &str,
) -> Result<m::ContainerWaitResponse, BackendError> {
    match item {
        Some(Ok(w)) => Ok(w),
        Some(Err(DockerError::DockerContainerWaitError { error, code })) => {
            Ok(m::ContainerWaitResponse {
                status_code: code,
                error: (!error.is_empty()).then_some(m::ContainerWaitExitError {
                    message: Some(error),
                }),
            })
        }
        Some(Err(e)) => Err(super::errors::from_docker(e, url)),
        None => Err(BackendError::internal(
            "the Docker engine ended the wait without an answer",
        )),
    }
}

/// `docker exec`'s start options: bollard's struct has no console size (a resize after
/// the start sets it, as the docker CLI does on older engines).
pub fn exec_start_options(config: &m::ExecStartConfig) -> bollard::exec::StartExecOptions {
    bollard::exec::StartExecOptions {
        detach: config.detach.unwrap_or(false),
        tty: config.tty.unwrap_or(false),
        output_capacity: None,
    }
}

/// `POST /images/create` for a pull. A name without tag or digest gets `latest`, as the
/// docker CLI sends it: a Docker engine given a bare name pulls every tag.
pub fn pull_options(reference: &str, platform: Option<String>) -> q::CreateImageOptions {
    let bare = berth_engine::image::Reference::parse(reference)
        .is_ok_and(|r| r.tag.is_none() && r.digest.is_none());
    q::CreateImageOptions {
        from_image: Some(if bare {
            format!("{reference}:latest")
        } else {
            reference.to_string()
        }),
        platform: platform.unwrap_or_default(),
        ..Default::default()
    }
}

/// The credentials a pull sends in `X-Registry-Auth`.
pub fn credentials(auth: m::AuthConfig) -> bollard::auth::DockerCredentials {
    bollard::auth::DockerCredentials {
        username: auth.username,
        password: auth.password,
        serveraddress: auth.serveraddress,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_times_round_outwards() {
        let o = logs_options(&LogsQuery {
            since: Some(5 * NANOS + 7),
            until: Some(9 * NANOS + 1),
            tail: Some(3),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((o.since, o.until, o.tail.as_str()), (5, 10, "3"));
        let o = logs_options(&LogsQuery::default()).unwrap();
        assert_eq!((o.since, o.until, o.tail.as_str()), (0, 0, "all"));
    }

    #[test]
    fn details_are_refused_not_dropped() {
        let e = logs_options(&LogsQuery {
            details: true,
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.kind, crate::backend::ErrorKind::Unsupported);
    }

    #[test]
    fn a_failed_exit_is_an_answer() {
        let w = wait_answer(
            Some(Err(DockerError::DockerContainerWaitError {
                error: String::new(),
                code: 3,
            })),
            "unix:///d.sock",
        );
        assert!(matches!(
            w,
            Ok(m::ContainerWaitResponse {
                status_code: 3,
                error: None
            })
        ));
    }

    #[test]
    fn a_bare_name_pulls_latest_only() {
        let from = |r: &str| pull_options(r, None).from_image;
        assert_eq!(
            from("127.0.0.1:5000/bb").as_deref(),
            Some("127.0.0.1:5000/bb:latest")
        );
        assert_eq!(from("busybox:1.36").as_deref(), Some("busybox:1.36"));
        let pinned = format!("busybox@sha256:{}", "a".repeat(64));
        assert_eq!(from(&pinned), Some(pinned));
    }
}
