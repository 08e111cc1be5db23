//! bollard's errors as the engine interface's: a daemon's answer keeps its message and
//! takes its kind from the HTTP status, so the CLI and the API server treat a Docker
//! engine's refusal exactly as the local engine's; a failure to reach the daemon says
//! where berth tried, as the docker CLI does.

use bollard::errors::Error as DockerError;

use super::transport::DialError;
use crate::backend::{BackendError, ErrorKind};

/// The kind of a daemon answer with this HTTP status.
pub fn kind_of_status(status: u16) -> ErrorKind {
    match status {
        304 => ErrorKind::NotModified,
        400 => ErrorKind::InvalidArgument,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        501 => ErrorKind::Unsupported,
        503 => ErrorKind::Unavailable,
        _ => ErrorKind::Internal,
    }
}

/// `e` as an interface error; `url` names the daemon for connection failures.
pub fn from_docker(e: DockerError, url: &str) -> BackendError {
    match e {
        DockerError::DockerResponseServerError {
            status_code,
            message,
        } => BackendError::new(kind_of_status(status_code), message),
        // Errors the daemon writes into a stream it already started (a pull, a build).
        DockerError::DockerStreamError { error } => BackendError::internal(error),
        // berth's own dialer (TLS, ssh) says exactly why: no guessing at the cause.
        DockerError::IOError { err }
            if err
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<DialError>().is_some()) =>
        {
            let why = err
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<DialError>())
                .map(ToString::to_string)
                .unwrap_or_default();
            BackendError::new(
                ErrorKind::Unreachable,
                format!("Cannot connect to the Docker daemon at {url}: {why}"),
            )
        }
        // The request never got an answer: nothing is listening, or it hung up.
        DockerError::SocketNotFoundError(_)
        | DockerError::HttpClientError { .. }
        | DockerError::HyperResponseError { .. }
        | DockerError::HyperLegacyError { .. }
        | DockerError::RequestTimeoutError => BackendError::new(
            ErrorKind::Unreachable,
            format!(
                "Cannot connect to the Docker daemon at {url}. Is the docker daemon running? ({e})"
            ),
        ),
        other => BackendError::internal(format!("Docker engine at {url}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_kinds_and_keep_the_message() {
        for (status, kind) in [
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (400, ErrorKind::InvalidArgument),
            (304, ErrorKind::NotModified),
            (503, ErrorKind::Unavailable),
            (403, ErrorKind::Forbidden),
            (500, ErrorKind::Internal),
            (418, ErrorKind::Internal),
        ] {
            let e = from_docker(
                DockerError::DockerResponseServerError {
                    status_code: status,
                    message: "No such container: x".into(),
                },
                "unix:///d.sock",
            );
            assert_eq!((e.kind, e.message.as_str()), (kind, "No such container: x"));
        }
    }

    #[test]
    fn a_dial_error_is_said_plainly() {
        let e = from_docker(
            DockerError::IOError {
                err: std::io::Error::other(DialError::Tls(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer,
                ))),
            },
            "tcp://127.0.0.1:2376",
        );
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert_eq!(
            e.message,
            "Cannot connect to the Docker daemon at tcp://127.0.0.1:2376: TLS: invalid peer certificate: UnknownIssuer"
        );
    }

    #[test]
    fn an_absent_daemon_is_unreachable_and_named() {
        let e = from_docker(
            DockerError::SocketNotFoundError("/nope.sock".into()),
            "unix:///nope.sock",
        );
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert!(e.message.contains("unix:///nope.sock"), "{}", e.message);
    }
}
