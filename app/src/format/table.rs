//! Docker's `--format` handling and table output.
//!
//! `--format "table {{.ID}}\t{{.Names}}"` prints a header row (each field's
//! column title, rendered through the same template) and aligns everything
//! with Go's tabwriter at minwidth 10, padding 3 — Docker's settings, which
//! is why short columns such as `IMAGE` are padded to ten characters.
//! Without `table`, each row is the rendered template plus a newline.

use serde_json::{Map, Value};

use super::tabwriter::tabwrite;
use super::template::{Methods, NoMethods, Template, TemplateError};

/// Docker's tabwriter settings for every table it prints.
const MIN_WIDTH: usize = 10;
const PADDING: usize = 3;

/// A parsed `--format` value.
#[derive(Debug, Clone, PartialEq)]
pub struct Format {
    template: Template,
    table: bool,
}

impl Format {
    /// Reads a `--format` value as Docker's CLI does: an empty value or the
    /// bare word `table` means the command's `default_table`; `json` means
    /// `{{json .}}` per row; a `table` prefix asks for a header and
    /// alignment; and the two-character escapes `\t` and `\n` (which shells
    /// pass through literally) become a tab and a newline.
    pub fn parse(spec: &str, default_table: &str) -> Result<Format, TemplateError> {
        let spec = match spec {
            "" | "table" => default_table,
            "json" => "{{json .}}",
            other => other,
        };
        // Docker tests for the prefix only, so `tablefoo` is a table too.
        let table = spec.starts_with("table");
        let start = if table { "table".len() } else { 0 };
        // Docker trims spaces around the template after removing `table`.
        let end = spec.trim_end_matches(' ').len().max(start);
        let start =
            start + (spec[start..end].len() - spec[start..end].trim_start_matches(' ').len());
        let (body, origins) = unescape(spec, start, end);
        // Report errors at the column of what the user typed, not of the
        // unescaped copy, which may even have gained lines.
        let template = Template::parse(&body).map_err(|e| {
            let at = origins.get(e.offset).copied().unwrap_or(end);
            e.relocate(spec, at)
        })?;
        Ok(Format { template, table })
    }

    pub fn is_table(&self) -> bool {
        self.table
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Renders all rows. `headers` maps a row field (`ID`) to its column
    /// title (`CONTAINER ID`); each command supplies its own. A field with
    /// no entry is titled with its upper-cased name.
    pub fn render(
        &self,
        headers: &[(&str, &str)],
        rows: &[Value],
    ) -> Result<String, TemplateError> {
        self.render_rows(
            headers,
            rows.iter().map(|r| (r, &NoMethods as &dyn Methods)),
        )
    }

    /// Renders rows that have methods besides their fields (`.Label "x"`).
    pub fn render_rows<'r>(
        &self,
        headers: &[(&str, &str)],
        rows: impl IntoIterator<Item = (&'r Value, &'r dyn Methods)>,
    ) -> Result<String, TemplateError> {
        let mut text = String::new();
        if self.table {
            text.push_str(&self.template.render_header(&self.header_value(headers)));
            text.push('\n');
        }
        for (row, methods) in rows {
            text.push_str(&self.template.render_with(row, methods)?);
            text.push('\n');
        }
        Ok(if self.table {
            tabwrite(&text, MIN_WIDTH, PADDING)
        } else {
            text
        })
    }

    fn header_value(&self, headers: &[(&str, &str)]) -> Value {
        let mut map = Map::new();
        for field in self.template.field_names() {
            let title = headers
                .iter()
                .find(|(f, _)| *f == field)
                .map_or_else(|| field.to_uppercase(), |(_, h)| h.to_string());
            map.insert(field, Value::String(title));
        }
        Value::Object(map)
    }
}

/// Replaces the two-character escapes `\t` and `\n` in `spec[start..end]`
/// with a tab and a newline in one left-to-right pass, as Go's
/// `strings.NewReplacer` does. Also returns, for each byte of the result,
/// the offset in `spec` it came from.
fn unescape(spec: &str, start: usize, end: usize) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(end - start);
    let mut origins = Vec::with_capacity(end - start);
    let mut i = start;
    while i < end {
        let rest = &spec[i..end];
        let (piece, used) = if rest.starts_with("\\t") {
            ("\t", 2)
        } else if rest.starts_with("\\n") {
            ("\n", 2)
        } else {
            let len = rest.chars().next().map_or(1, char::len_utf8);
            (&rest[..len], len)
        };
        out.push_str(piece);
        origins.extend(std::iter::repeat_n(i, piece.len()));
        i += used;
    }
    (out, origins)
}

/// A table with fixed columns, laid out as Docker lays out its default
/// outputs: one header row, cells aligned, the last column unpadded.
pub fn render_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut text = headers.join("\t");
    text.push('\n');
    for row in rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    tabwrite(&text, MIN_WIDTH, PADDING)
}

/// Column titles for `docker ps` fields.
pub const PS_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Ports", "PORTS"),
    ("State", "STATE"),
    ("Status", "STATUS"),
    ("Size", "SIZE"),
    ("Names", "NAMES"),
    ("Labels", "LABELS"),
    ("Mounts", "MOUNTS"),
    ("LocalVolumes", "LOCAL VOLUMES"),
    ("Networks", "NETWORKS"),
];

/// `docker ps` without `--format`.
pub const PS_DEFAULT: &str =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

/// Column titles for `docker images` fields.
pub const IMAGES_HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE ID"),
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("Digest", "DIGEST"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Size", "SIZE"),
    ("Containers", "CONTAINERS"),
    ("SharedSize", "SHARED SIZE"),
    ("UniqueSize", "UNIQUE SIZE"),
    ("VirtualSize", "VIRTUAL SIZE"),
];

/// `docker images` without `--format`.
pub const IMAGES_DEFAULT: &str =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn web() -> Value {
        json!({
            "ID": "4f66ad9a0b2e",
            "Image": "nginx",
            "Command": "\"/docker-entrypoint.…\"",
            "RunningFor": "2 minutes ago",
            "Status": "Up 2 minutes",
            "Ports": "80/tcp",
            "Names": "web",
        })
    }

    #[test]
    fn ps_default_with_no_containers_is_just_the_header() {
        let f = Format::parse("", PS_DEFAULT).expect("parses");
        assert_eq!(
            f.render(PS_HEADERS, &[]).expect("renders"),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
    }

    #[test]
    fn ps_default_with_a_container() {
        let f = Format::parse("table", PS_DEFAULT).expect("parses");
        assert_eq!(
            f.render(PS_HEADERS, &[web()]).expect("renders"),
            "CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS         PORTS     NAMES\n\
             4f66ad9a0b2e   nginx     \"/docker-entrypoint.…\"   2 minutes ago   Up 2 minutes   80/tcp    web\n"
        );
    }

    #[test]
    fn user_table_format_with_literal_backslash_t() {
        // What the shell passes for: --format "table {{.ID}}\t{{.Names}}"
        let f = Format::parse(r"table {{.ID}}\t{{.Names | upper}}", PS_DEFAULT).expect("parses");
        assert!(f.is_table());
        let db = json!({"ID": "0123456789ab", "Names": "db"});
        assert_eq!(
            f.render(PS_HEADERS, &[web(), db]).expect("renders"),
            "CONTAINER ID   NAMES\n4f66ad9a0b2e   WEB\n0123456789ab   DB\n"
        );
    }

    #[test]
    fn images_default_layout() {
        let f = Format::parse("", IMAGES_DEFAULT).expect("parses");
        let row = json!({"Repository": "alpine", "Tag": "3.19", "ID": "05455a08881e", "CreatedSince": "2 weeks ago", "Size": "7.38MB"});
        assert_eq!(
            f.render(IMAGES_HEADERS, &[row]).expect("renders"),
            "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n\
             alpine       3.19      05455a08881e   2 weeks ago   7.38MB\n"
        );
    }

    #[test]
    fn plain_format_prints_one_line_per_row_without_alignment() {
        let f = Format::parse(r"{{.Names}}\t{{.Status}}", PS_DEFAULT).expect("parses");
        assert!(!f.is_table());
        assert_eq!(
            f.render(PS_HEADERS, &[web()]).expect("renders"),
            "web\tUp 2 minutes\n"
        );
        assert_eq!(f.render(PS_HEADERS, &[]).expect("renders"), "");
    }

    #[test]
    fn json_keyword_prints_each_row_as_json() {
        let f = Format::parse("json", PS_DEFAULT).expect("parses");
        let out = f
            .render(PS_HEADERS, &[json!({"ID": "abc", "Names": "web"})])
            .expect("renders");
        assert_eq!(out, "{\"ID\":\"abc\",\"Names\":\"web\"}\n");
    }

    #[test]
    fn unknown_header_falls_back_to_upper_case_field_name() {
        let f = Format::parse(r"table {{.ID}}\t{{.Extra}}", PS_DEFAULT).expect("parses");
        let out = f
            .render(PS_HEADERS, &[json!({"ID": "abc", "Extra": "x"})])
            .expect("renders");
        assert_eq!(out, "CONTAINER ID   EXTRA\nabc            x\n");
    }

    #[test]
    fn bad_format_is_rejected_at_parse_time() {
        let err = Format::parse("table {{.ID", PS_DEFAULT).expect_err("unclosed");
        assert!(err.to_string().contains("expected \"}}\""), "{err}");
    }

    #[test]
    fn errors_point_into_what_the_user_typed() {
        // The column of `nosuch` in the original string, after `table  `,
        // an escaped `\n` and an escaped `\t`.
        let spec = r"table  {{.ID}}\n{{.Names}}\t{{nosuch}}";
        let err = Format::parse(spec, PS_DEFAULT).expect_err("unknown function");
        assert_eq!((err.line, err.column), (1, 31));
        assert_eq!(&spec[err.offset..err.offset + 6], "nosuch");
        assert_eq!(
            err.to_string(),
            "template parsing error at column 31: function \"nosuch\" not defined"
        );
    }

    #[test]
    fn render_table_matches_docker_defaults() {
        let out = render_table(
            &["NETWORK ID", "NAME", "DRIVER", "SCOPE"],
            &[vec![
                "9f2ab3c4d5e6".into(),
                "bridge".into(),
                "bridge".into(),
                "local".into(),
            ]],
        );
        assert_eq!(
            out,
            "NETWORK ID     NAME      DRIVER    SCOPE\n9f2ab3c4d5e6   bridge    bridge    local\n"
        );
    }
}
