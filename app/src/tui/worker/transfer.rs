//! Pull and push from the images pane: the request through the engine interface with
//! the credentials the auth file holds for the registry, each progress message handed to
//! the UI as it comes, then how it ended.

use std::sync::mpsc::Sender;
use std::sync::Arc;

use bollard::models as m;
use futures_util::StreamExt;

use super::Msg;
use crate::backend::Backend;
use crate::client_auth::auth_for;

/// What the UI hears of a pull or push.
#[derive(Debug)]
pub enum TransferMsg {
    Progress(m::CreateImageInfo),
    End(Result<(), String>),
}

pub fn start(b: &Arc<dyn Backend>, reference: String, push: bool, tx: Sender<Msg>) {
    let b = b.clone();
    tokio::spawn(async move {
        let auth = auth_for(&reference);
        let stream = if push {
            b.image_push(&reference, auth).await
        } else {
            b.image_pull(&reference, None, auth).await
        };
        let end = match stream {
            Ok(mut s) => loop {
                match s.next().await {
                    None => break Ok(()),
                    Some(Err(e)) => break Err(e.message),
                    Some(Ok(msg)) => {
                        if let Some(e) = msg.error_detail.as_ref().and_then(|d| d.message.clone()) {
                            break Err(e);
                        }
                        let _ = tx.send(Msg::Transfer(TransferMsg::Progress(msg)));
                    }
                }
            },
            Err(e) => Err(e.message),
        };
        let _ = tx.send(Msg::Transfer(TransferMsg::End(end)));
    });
}
