//! The three CloudWatch Logs calls the driver makes (`CreateLogGroup`, `CreateLogStream`,
//! `PutLogEvents`), as signed JSON 1.1 POSTs, and the service's errors by their type.

use serde_json::{json, Value};

use super::batch::Event;
use super::credentials::Credentials;
use super::sigv4;
use crate::image::registry::{request_error, tls_provider};

const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A call that failed: the service's error type (`ResourceNotFoundException`...) when
/// it answered, and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.code.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl ApiError {
    fn is(&self, code: &str) -> bool {
        self.code == code
    }
}

pub struct CloudWatch {
    http: reqwest::Client,
    url: reqwest::Url,
    /// The `Host` header as sent (with a port when it is not the scheme's).
    host: String,
    region: String,
    creds: Credentials,
}

impl CloudWatch {
    pub fn new(endpoint: &str, region: &str, creds: Credentials) -> Result<CloudWatch, String> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| format!("awslogs-endpoint {endpoint}: {e}"))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(format!("awslogs-endpoint {endpoint}: no host")),
        };
        tls_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(CloudWatch {
            http,
            url,
            host,
            region: region.to_string(),
            creds,
        })
    }

    async fn call(&self, op: &str, body: &Value) -> Result<Value, ApiError> {
        let body = serde_json::to_vec(body).map_err(|e| ApiError {
            code: String::new(),
            message: e.to_string(),
        })?;
        let target = format!("Logs_20140328.{op}");
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let signed = sigv4::sign(
            &sigv4::Request {
                host: &self.host,
                target: &target,
                content_type: CONTENT_TYPE,
                body: &body,
                amz_date: &amz_date,
            },
            &self.creds,
            &self.region,
            "logs",
        );
        let mut req = self
            .http
            .post(self.url.clone())
            .header("Content-Type", CONTENT_TYPE)
            .header("X-Amz-Target", &target);
        for (k, v) in signed {
            req = req.header(k, v);
        }
        let res = req.body(body).send().await.map_err(|e| ApiError {
            code: String::new(),
            message: format!("{op} {}: {}", self.url, request_error(&e)),
        })?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        // `__type` may carry a namespace: `com.amazonaws.logs#ResourceNotFoundException`.
        let code = value["__type"]
            .as_str()
            .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
            .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
        let message = value["message"]
            .as_str()
            .or_else(|| value["Message"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| text.chars().take(200).collect());
        Err(ApiError {
            code,
            message: format!("{op}: {message}"),
        })
    }

    /// Make the group; one that exists already is fine.
    pub async fn create_log_group(&self, group: &str) -> Result<(), ApiError> {
        match self
            .call("CreateLogGroup", &json!({ "logGroupName": group }))
            .await
        {
            Err(e) if !e.is("ResourceAlreadyExistsException") => Err(e),
            _ => Ok(()),
        }
    }

    /// Make the stream; one that exists already is fine (a restarted container goes on
    /// writing to its stream).
    pub async fn create_log_stream(&self, group: &str, stream: &str) -> Result<(), ApiError> {
        match self
            .call(
                "CreateLogStream",
                &json!({ "logGroupName": group, "logStreamName": stream }),
            )
            .await
        {
            Err(e) if !e.is("ResourceAlreadyExistsException") => Err(e),
            _ => Ok(()),
        }
    }

    /// Docker's order: the stream first, and the group only when the stream's creation
    /// says it is missing and the user allowed creating it.
    pub async fn prepare(
        &self,
        group: &str,
        stream: &str,
        create_group: bool,
    ) -> Result<(), ApiError> {
        match self.create_log_stream(group, stream).await {
            Err(e) if e.is("ResourceNotFoundException") && create_group => {
                self.create_log_group(group).await?;
                self.create_log_stream(group, stream).await
            }
            other => other,
        }
    }

    pub async fn put_log_events(
        &self,
        group: &str,
        stream: &str,
        events: &[Event],
    ) -> Result<(), ApiError> {
        let events: Vec<Value> = events
            .iter()
            .map(|e| json!({ "timestamp": e.timestamp, "message": e.message }))
            .collect();
        let answer = self
            .call(
                "PutLogEvents",
                &json!({ "logGroupName": group, "logStreamName": stream, "logEvents": events }),
            )
            .await?;
        // Events outside the service's time window are refused one by one, not the call.
        let rejected = &answer["rejectedLogEventsInfo"];
        if rejected.is_object() && !rejected.as_object().is_some_and(|o| o.is_empty()) {
            return Err(ApiError {
                code: "RejectedLogEvents".into(),
                message: format!("PutLogEvents: some events were refused: {rejected}"),
            });
        }
        Ok(())
    }
}
