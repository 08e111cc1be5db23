//! How compose names a container in front of its log lines when it shows a project's
//! logs as one stream (`compose logs`, an attached `up`): `web-1  | `, the names padded
//! alike, each service in a colour of its own picked by the service's place among the
//! project's services in name order. Pure: the CLI paints it with ANSI codes, the TUI
//! with its theme.

/// `web-1` for `cct-web-1`: the name without the project, as Compose shows it; a
/// `container_name` is shown whole.
pub fn short_name<'a>(name: &'a str, project: &str) -> &'a str {
    name.strip_prefix(project)
        .and_then(|rest| rest.strip_prefix('-'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// The services in the order their colours are given: by name, each once.
pub fn service_order<'a>(services: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<String> = services.into_iter().map(str::to_string).collect();
    v.sort();
    v.dedup();
    v
}

/// Which colour `service` gets (an index to take modulo the palette's length).
pub fn colour_index(order: &[String], service: &str) -> usize {
    order.iter().position(|s| s == service).unwrap_or(0)
}

/// `web-1  | ` with the name padded to `width`.
pub fn prefix(short: &str, width: usize) -> String {
    format!("{short:<width$}  | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_as_compose_prints_them() {
        assert_eq!(short_name("cct-web-1", "cct"), "web-1");
        assert_eq!(short_name("my-own-name", "cct"), "my-own-name");
        assert_eq!(short_name("cct", "cct"), "cct");
        assert_eq!(short_name("cctx-web-1", "cct"), "cctx-web-1");
        let order = service_order(["web", "db", "web"]);
        assert_eq!(order, ["db", "web"]);
        assert_eq!(colour_index(&order, "web"), 1);
        assert_eq!(prefix("db-1", 5), "db-1   | ");
    }
}
