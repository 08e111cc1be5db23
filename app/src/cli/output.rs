//! Printing rows: Docker's default tables, `--format` templates (with the `table`
//! prefix), and `-q` ID lists.

use serde_json::Value;

use super::Failure;
use crate::format::table::render_table;
use crate::format::template::Template;

/// Print `rows` (one JSON object per row, Docker's field names) either as the default
/// table of `columns` (header, field) or through the user's `--format`.
pub fn print_rows(
    rows: &[Value],
    columns: &[(&str, &str)],
    format: Option<&str>,
) -> Result<(), Failure> {
    match format {
        None | Some("table") => {
            let headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| columns.iter().map(|(_, f)| field(r, f)).collect())
                .collect();
            print!("{}", render_table(&headers, &cells));
        }
        Some("json") => {
            for r in rows {
                println!("{}", serde_json::to_string(r).unwrap_or_default());
            }
        }
        Some(f) => {
            if let Some(body) = f.strip_prefix("table") {
                let t = Template::parse(body.trim_start())
                    .map_err(|e| format!("template parsing error: {e}"))?;
                // Header: the field names of the template, mapped to Docker's column titles.
                let mut header = body.trim_start().to_string();
                for (h, fld) in columns {
                    header = header.replace(&format!("{{{{.{fld}}}}}"), h);
                }
                let header = Template::parse(&header)
                    .map_err(|e| e.to_string())?
                    .render(&Value::Null)
                    .unwrap_or(header);
                let mut lines = vec![header];
                for r in rows {
                    lines.push(t.render(r).map_err(|e| format!("template: {e}"))?);
                }
                let split: Vec<Vec<String>> = lines
                    .iter()
                    .map(|l| l.split('\t').map(String::from).collect())
                    .collect();
                let headers: Vec<&str> = split[0].iter().map(String::as_str).collect();
                print!("{}", render_table(&headers, &split[1..]));
            } else {
                let t = Template::parse(f).map_err(|e| format!("template parsing error: {e}"))?;
                for r in rows {
                    println!("{}", t.render(r).map_err(|e| format!("template: {e}"))?);
                }
            }
        }
    }
    Ok(())
}

pub fn field(v: &Value, name: &str) -> String {
    match v.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(o) => o.to_string(),
    }
}

/// Render one value through a `--format` template (inspect).
pub fn render_one(v: &Value, format: &str) -> Result<String, Failure> {
    let t = Template::parse(format).map_err(|e| format!("template parsing error: {e}"))?;
    Ok(t.render(v).map_err(|e| format!("template: {e}"))?)
}
