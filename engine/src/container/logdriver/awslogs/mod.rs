//! The `awslogs` log driver: a container's lines sent to a CloudWatch Logs stream, as
//! Docker's driver sends them (the group and stream, the batch limits, multi-line
//! events, the credentials and region from the environment or `~/.aws`).

pub mod api;
pub mod batch;
pub mod credentials;
pub mod datetime;
pub mod options;
pub mod sigv4;

pub use options::AwsOptions;

use api::CloudWatch;
use batch::Event;

/// One container's stream: connects on first use, and again after a failure (new
/// credentials in `~/.aws`, a group deleted meanwhile).
pub struct Driver {
    opts: AwsOptions,
    stream: String,
    client: Option<CloudWatch>,
}

impl Driver {
    pub fn new(opts: AwsOptions, container_id: &str) -> Driver {
        let stream = opts.stream_for(container_id);
        Driver {
            opts,
            stream,
            client: None,
        }
    }

    pub fn options(&self) -> &AwsOptions {
        &self.opts
    }

    /// Find the region and credentials, and make the stream (and the group, if asked).
    async fn connect(&mut self) -> Result<&CloudWatch, String> {
        if self.client.is_none() {
            let env = |k: &str| std::env::var(k).ok();
            let region = credentials::region(self.opts.region.as_deref(), &env)?;
            let creds = credentials::credentials(&env)?;
            let cw = CloudWatch::new(&self.opts.endpoint_for(&region), &region, creds)?;
            if self.opts.create_stream {
                cw.prepare(&self.opts.group, &self.stream, self.opts.create_group)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.client = Some(cw);
        }
        self.client
            .as_ref()
            .ok_or_else(|| "no CloudWatch client".to_string())
    }

    /// Send one batch (in time order, within the service's limits). On failure the
    /// next call connects afresh.
    pub async fn deliver(&mut self, events: &[Event]) -> Result<(), String> {
        let group = self.opts.group.clone();
        let stream = self.stream.clone();
        let result = match self.connect().await {
            Ok(cw) => cw
                .put_log_events(&group, &stream, events)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.client = None;
        }
        result
    }
}
