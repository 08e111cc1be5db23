//! The engine's Docker-shaped JSON as bollard's models. The engine writes its records in
//! Docker's field names, so a model is one deserialization away; a field the model
//! cannot take is Berth's bug, reported as an internal error naming the model.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::backend::{BackendError, Result};

pub fn from_json<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| {
        BackendError::internal(format!(
            "berth's record does not fit Docker's {} model: {e}",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("API")
        ))
    })
}
