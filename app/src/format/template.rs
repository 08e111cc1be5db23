use serde_json::Value;
pub struct Template {
    src: String,
}
impl Template {
    pub fn parse(s: &str) -> Result<Template, String> {
        Ok(Template {
            src: s.replace("\\t", "\t").replace("\\n", "\n"),
        })
    }
    pub fn render(&self, v: &Value) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = self.src.as_str();
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let j = rest[i..].find("}}").ok_or("unclosed action")? + i;
            let action = rest[i + 2..j].trim();
            let (json, path) = match action.strip_prefix("json ") {
                Some(p) => (true, p.trim()),
                None => (false, action),
            };
            let mut cur = v;
            for part in path
                .trim_start_matches('.')
                .split('.')
                .filter(|p| !p.is_empty())
            {
                cur = cur.get(part).unwrap_or(&Value::Null);
            }
            if json {
                out.push_str(&serde_json::to_string(cur).unwrap_or_default());
            } else {
                match cur {
                    Value::String(s) => out.push_str(s),
                    Value::Null => out.push_str("<no value>"),
                    o => out.push_str(&o.to_string()),
                }
            }
            rest = &rest[j + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }
}
