//! Docker's query parameters: booleans spelled `1`/`true`/`True`, numbers, repeated
//! keys, and `filters` as JSON in either of the two shapes clients send
//! (`{"label":["a=b"]}` or the older `{"label":{"a=b":true}}`).

use std::collections::HashMap;

use super::error::ApiError;

#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("invalid query: {e}")))?;
        Ok(Query(pairs))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// Docker's `boolValue`: absent, empty, `0`, `no`, `false`, `none` are false.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| {
            !matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "" | "0" | "no" | "false" | "none"
            )
        })
    }

    /// A boolean with its own default when absent.
    pub fn flag_or(&self, key: &str, default: bool) -> bool {
        if self.get(key).is_some() {
            self.flag(key)
        } else {
            default
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("invalid value for {key}: {v:?}"))),
        }
    }

    /// `h` and `w` of a resize, as terminal rows and columns.
    pub fn size(&self) -> Result<(u16, u16), ApiError> {
        let dim = |k: &str| -> Result<u16, ApiError> {
            Ok(self.int(k)?.unwrap_or(0).clamp(0, u16::MAX as i64) as u16)
        };
        Ok((dim("h")?, dim("w")?))
    }

    pub fn filters(&self) -> Result<Option<HashMap<String, Vec<String>>>, ApiError> {
        match self.get("filters").filter(|f| !f.is_empty()) {
            None => Ok(None),
            Some(f) => parse_filters(f).map(Some),
        }
    }
}

pub fn parse_filters(json: &str) -> Result<HashMap<String, Vec<String>>, ApiError> {
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| ApiError::bad_request(format!("invalid filter: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| ApiError::bad_request("invalid filter: expected a JSON object"))?;
    let mut out = HashMap::new();
    for (k, vals) in obj {
        let list: Vec<String> = match vals {
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect(),
            serde_json::Value::Object(m) => m
                .iter()
                .filter(|(_, on)| on.as_bool().unwrap_or(true))
                .map(|(k, _)| k.clone())
                .collect(),
            serde_json::Value::String(s) => vec![s.clone()],
            other => {
                return Err(ApiError::bad_request(format!(
                    "invalid filter {k}: {other}"
                )))
            }
        };
        out.insert(k.clone(), list);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_filter_shapes_and_docker_booleans_read() {
        let f = parse_filters(r#"{"label":{"a=b":true},"status":["running"]}"#).unwrap();
        assert_eq!(f["label"], vec!["a=b".to_string()]);
        assert_eq!(f["status"], vec!["running".to_string()]);
        let q = Query::parse(Some("all=1&size=false&force=True&x=")).unwrap();
        assert!(q.flag("all") && !q.flag("size") && q.flag("force") && !q.flag("x"));
        assert!(q.flag_or("stdout", true));
        assert!(parse_filters("[1]").is_err());
    }
}
