//! Answers whose shape depends on the API version a client asked for, or that carry
//! fields older clients read and the current models dropped.

use bollard::models as m;
use serde_json::{json, Value};

use super::version::ApiVersion;

/// `GET /system/df`: before 1.52 Docker listed the items (`LayersSize`, `Images`,
/// `Containers`, `Volumes`, `BuildCache`); since then, totals per kind.
pub fn df(usage: m::SystemDataUsageResponse, v: ApiVersion) -> Value {
    if !v.before(1, 52) {
        return serde_json::to_value(usage).unwrap_or(Value::Null);
    }
    let items = |x: Option<Vec<Value>>| Value::Array(x.unwrap_or_default());
    let (images, layers) = match usage.image_usage {
        Some(i) => (
            items(
                i.items
                    .map(|xs| xs.into_iter().map(|x| image_summary(x, v1_44(v))).collect()),
            ),
            i.total_size.unwrap_or(0),
        ),
        None => (json!([]), 0),
    };
    json!({
        "LayersSize": layers,
        "Images": images,
        "Containers": items(usage.container_usage.and_then(|c| c.items)),
        "Volumes": items(usage.volume_usage.and_then(|c| c.items)),
        "BuildCache": [],
    })
}

fn v1_44(v: ApiVersion) -> bool {
    v.before(1, 44)
}

/// An image list entry: before 1.44 clients read `VirtualSize` (the size column).
pub fn image_summary(mut x: Value, old: bool) -> Value {
    if old {
        let size = x.get("Size").cloned().unwrap_or(json!(0));
        if let Some(o) = x.as_object_mut() {
            o.insert("VirtualSize".into(), size);
        }
    }
    x
}

/// An event with Docker's legacy fields (`status`, `id`, `from`) that older clients and
/// docker-py read, next to `Type`, `Action` and `Actor`.
pub fn event(e: m::EventMessage) -> Value {
    let mut v = serde_json::to_value(&e).unwrap_or(Value::Null);
    let is_container = e.typ.map(|t| t.to_string()) == Some("container".into());
    if let (true, Some(o)) = (is_container, v.as_object_mut()) {
        let actor = e.actor.unwrap_or_default();
        o.insert("status".into(), json!(e.action.unwrap_or_default()));
        o.insert("id".into(), json!(actor.id.unwrap_or_default()));
        if let Some(img) = actor.attributes.as_ref().and_then(|a| a.get("image")) {
            o.insert("from".into(), json!(img));
        }
    }
    v
}
