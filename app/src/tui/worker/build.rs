//! The build form's build: the context packed as Docker's CLI packs it, sent through the
//! engine interface, and each progress message handed to the UI as it comes (Berth's
//! structured step events, or a foreign backend's classic text), then how it ended.

use std::sync::mpsc::Sender;
use std::sync::Arc;

use berth_engine::build::BuildEvent;
use futures_util::StreamExt;

use super::Msg;
use crate::backend::{Backend, BuildRequest, BUILD_EVENT_ID};
use crate::build_context::{self, Dockerfile};

/// What the UI hears of a build.
#[derive(Debug)]
pub enum BuildMsg {
    Event(BuildEvent),
    Text(String),
    /// The image ID, or what went wrong.
    End(Result<String, String>),
}

pub fn start(
    b: &Arc<dyn Backend>,
    context: String,
    dockerfile: String,
    tags: Vec<String>,
    no_cache: bool,
    tx: Sender<Msg>,
) {
    let b = b.clone();
    tokio::spawn(async move {
        let end = build(&*b, &context, &dockerfile, tags, no_cache, &tx).await;
        let _ = tx.send(Msg::Build(BuildMsg::End(end)));
    });
}

async fn build(
    b: &dyn Backend,
    context: &str,
    dockerfile: &str,
    tags: Vec<String>,
    no_cache: bool,
    tx: &Sender<Msg>,
) -> Result<String, String> {
    let which = if dockerfile.is_empty() {
        Dockerfile::Default
    } else {
        Dockerfile::Path(dockerfile.into())
    };
    let dir = std::path::PathBuf::from(context);
    let (tar, name) = tokio::task::spawn_blocking(move || build_context::pack(&dir, which))
        .await
        .map_err(|e| e.to_string())??;
    let req = BuildRequest {
        dockerfile: name,
        tags,
        no_cache,
        ..Default::default()
    };
    let body = crate::backend::once_bytes(bytes::Bytes::from(tar));
    let mut stream = b.image_build(req, body).await.map_err(|e| e.message)?;
    let mut image = None;
    // A backend that sends Berth's step events also sends the classic text: only one
    // of the two is shown.
    let mut structured = false;
    while let Some(msg) = stream.next().await {
        let msg = msg.map_err(|e| e.message)?;
        if let Some(err) = msg.error_detail.and_then(|d| d.message) {
            return Err(err);
        }
        if msg.id.as_deref() == Some(BUILD_EVENT_ID) {
            if let Some(ev) = msg
                .status
                .as_deref()
                .and_then(|s| serde_json::from_str::<BuildEvent>(s).ok())
            {
                structured = true;
                if let BuildEvent::Built { id, .. } = &ev {
                    image = Some(id.clone());
                }
                let _ = tx.send(Msg::Build(BuildMsg::Event(ev)));
            }
            continue;
        }
        if let Some(id) = msg.aux.and_then(|a| a.id) {
            image = Some(id);
        }
        match msg.stream {
            Some(text) if !structured => {
                let _ = tx.send(Msg::Build(BuildMsg::Text(text)));
            }
            _ => {}
        }
    }
    image.ok_or_else(|| "the backend ended the build without an image".to_string())
}
