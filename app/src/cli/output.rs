//! Printing rows through Docker's `--format` machinery: the command's default table, the
//! user's template (with or without the `table` prefix), or `json`.

use serde_json::Value;

use super::Failure;
use crate::format::table::Format;
use crate::format::template::{Methods, Template};

/// Print `rows` (one JSON object per row, Docker's field names) with the user's
/// `--format`, or the command's `default` table when none is given.
pub fn print_rows(
    rows: &[Value],
    headers: &[(&str, &str)],
    default: &str,
    format: Option<&str>,
) -> Result<(), Failure> {
    print_formatted(default, format, |f| f.render(headers, rows))
}

/// Like [`print_rows`] for rows with methods besides their fields (`.Label "x"`).
pub fn print_rows_with<M: Methods>(
    rows: &[(Value, M)],
    headers: &[(&str, &str)],
    default: &str,
    format: Option<&str>,
) -> Result<(), Failure> {
    print_formatted(default, format, |f| {
        f.render_rows(headers, rows.iter().map(|(v, m)| (v, m as &dyn Methods)))
    })
}

/// Parse the user's `--format` (or the default table), render with `render`, print.
fn print_formatted(
    default: &str,
    format: Option<&str>,
    render: impl FnOnce(&Format) -> Result<String, crate::format::template::TemplateError>,
) -> Result<(), Failure> {
    let f =
        Format::parse(format.unwrap_or(""), default).map_err(|e| Failure::from(e.to_string()))?;
    let text = render(&f).map_err(|e| Failure::from(e.to_string()))?;
    print!("{text}");
    Ok(())
}

/// Render one value through a `--format` template (inspect, info).
pub fn render_one(v: &Value, format: &str) -> Result<String, Failure> {
    let spec = format.replace("\\t", "\t").replace("\\n", "\n");
    let t = Template::parse(&spec).map_err(|e| Failure::from(e.to_string()))?;
    t.render(v).map_err(|e| Failure::from(e.to_string()))
}
