//! Themes: every color the TUI draws comes from here, read from a TOML file
//! (`themes/*.toml` in the source tree are built in; `~/.config/berth/themes/NAME.toml`
//! adds or overrides). Picked with `--theme`, `BERTH_THEME`, or `theme = "..."` in
//! `~/.config/berth/config.toml`; `T` in the TUI cycles through the built-in ones.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The built-in themes, in the order `T` cycles through them.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize)]
struct ThemeFile {
    name: String,
    bg: String,
    fg: String,
    dim: String,
    accent: String,
    title: String,
    border: String,
    selected_fg: String,
    selected_bg: String,
    running: String,
    exited: String,
    paused: String,
    created: String,
    healthy: String,
    unhealthy: String,
    starting: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub bg: Color,
    pub fg: Color,
    pub dim: Color,
    pub accent: Color,
    pub title: Color,
    pub border: Color,
    pub selected_fg: Color,
    pub selected_bg: Color,
    pub running: Color,
    pub exited: Color,
    pub paused: Color,
    pub created: Color,
    pub healthy: Color,
    pub unhealthy: Color,
    pub starting: Color,
}

fn color(field: &str, s: &str) -> Result<Color, String> {
    if s == "reset" {
        return Ok(Color::Reset);
    }
    s.parse::<Color>()
        .map_err(|_| format!("{field} = {s:?} is not a color (use #rrggbb or a name)"))
}

impl Theme {
    /// Parse a theme file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Theme, String> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| format!("theme {origin}: {e}"))?;
        let c = |field: &str, v: &str| color(field, v).map_err(|e| format!("theme {origin}: {e}"));
        Ok(Theme {
            name: f.name.clone(),
            bg: c("bg", &f.bg)?,
            fg: c("fg", &f.fg)?,
            dim: c("dim", &f.dim)?,
            accent: c("accent", &f.accent)?,
            title: c("title", &f.title)?,
            border: c("border", &f.border)?,
            selected_fg: c("selected_fg", &f.selected_fg)?,
            selected_bg: c("selected_bg", &f.selected_bg)?,
            running: c("running", &f.running)?,
            exited: c("exited", &f.exited)?,
            paused: c("paused", &f.paused)?,
            created: c("created", &f.created)?,
            healthy: c("healthy", &f.healthy)?,
            unhealthy: c("unhealthy", &f.unhealthy)?,
            starting: c("starting", &f.starting)?,
        })
    }

    pub fn built_in(name: &str) -> Option<Theme> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(n, text)| Theme::parse(text, n).ok())
    }

    /// A theme by name: the user's file first, then the built-in one.
    pub fn load(name: &str) -> Result<Theme, String> {
        if let Some(dir) = config_dir() {
            let p = dir.join("themes").join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&p) {
                return Theme::parse(&text, &p.display().to_string());
            }
        }
        Theme::built_in(name).ok_or_else(|| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            format!("no theme {name:?}: built in are {}", names.join(", "))
        })
    }

    /// The theme to start with: the flag, else BERTH_THEME, else the config file, else dark.
    pub fn choose(flag: Option<&str>) -> Result<Theme, String> {
        let from_env = std::env::var("BERTH_THEME").ok();
        let from_config = config_dir()
            .and_then(|d| std::fs::read_to_string(d.join("config.toml")).ok())
            .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
            .and_then(|t| t.get("theme").and_then(|v| v.as_str()).map(String::from));
        let name = flag
            .map(String::from)
            .or(from_env)
            .or(from_config)
            .unwrap_or_else(|| "dark".into());
        Theme::load(&name)
    }

    /// The next built-in theme after this one.
    pub fn next(&self) -> Theme {
        let i = BUILT_IN
            .iter()
            .position(|(n, _)| *n == self.name)
            .map_or(0, |i| i + 1);
        let (n, _) = BUILT_IN[i % BUILT_IN.len()];
        Theme::built_in(n).unwrap_or_else(|| self.clone())
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }

    pub fn selected(&self) -> Style {
        Style::default()
            .fg(self.selected_fg)
            .bg(self.selected_bg)
            .add_modifier(Modifier::BOLD)
    }

    /// The color of a container state (running, exited...).
    pub fn state(&self, state: &str) -> Color {
        match state {
            "running" => self.running,
            "paused" | "restarting" => self.paused,
            "exited" | "dead" => self.exited,
            _ => self.created,
        }
    }

    /// The colours compose services get in a project's merged log (a service's
    /// place in name order picks one, as `compose up` picks its ANSI colours): the
    /// theme's own accent, title and state colours, each once.
    pub fn service_palette(&self) -> Vec<Color> {
        let mut out: Vec<Color> = Vec::with_capacity(8);
        for c in [
            self.accent,
            self.title,
            self.running,
            self.exited,
            self.paused,
            self.starting,
            self.healthy,
            self.unhealthy,
        ] {
            if !out.contains(&c) && c != self.bg {
                out.push(c);
            }
        }
        if out.is_empty() {
            out.push(self.fg);
        }
        out
    }

    pub fn health(&self, health: &str) -> Color {
        match health {
            "healthy" => self.healthy,
            "unhealthy" => self.unhealthy,
            "starting" => self.starting,
            _ => self.dim,
        }
    }
}

fn config_dir() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "berth").map(|d| d.config_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_cycles() {
        for (n, text) in BUILT_IN {
            let t = Theme::parse(text, n).unwrap();
            assert_eq!(t.name, *n);
        }
        let dark = Theme::built_in("dark").unwrap();
        assert_eq!(dark.next().name, "light");
        assert_eq!(dark.next().next().next().name, "dark");
        let bad = BUILT_IN[0].1.replace("#5fafff", "blurple");
        assert!(Theme::parse(&bad, "x.toml").unwrap_err().contains("accent"));
        assert!(Theme::load("nope").unwrap_err().contains("built in are"));
    }
}
