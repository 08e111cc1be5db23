//! The images, networks and volumes panes: filtered tables.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Row, Table, TableState};
use ratatui::Frame;

use super::block;
use crate::tui::data::{ImageRow, NetworkRow, VolumeRow};
use crate::tui::state::{App, Tab};

fn matches(app: &App, s: &str) -> bool {
    app.filter.is_empty() || s.to_lowercase().contains(&app.filter.to_lowercase())
}

pub fn images(app: &App) -> Vec<&ImageRow> {
    app.snap
        .images
        .iter()
        .filter(|i| matches(app, &i.tags.join(" ")))
        .collect()
}

pub fn networks(app: &App) -> Vec<&NetworkRow> {
    app.snap
        .networks
        .iter()
        .filter(|n| matches(app, &n.name))
        .collect()
}

pub fn volumes(app: &App) -> Vec<&VolumeRow> {
    app.snap
        .volumes
        .iter()
        .filter(|v| matches(app, &v.name))
        .collect()
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let (title, header, widths, rows): (String, Vec<&str>, Vec<Constraint>, Vec<Row>) =
        match app.tab {
            Tab::Images => {
                let l = images(app);
                (
                    format!("Images ({})", l.len()),
                    vec!["REPOSITORY:TAG", "IMAGE ID", "SIZE"],
                    vec![
                        Constraint::Percentage(50),
                        Constraint::Percentage(30),
                        Constraint::Percentage(20),
                    ],
                    l.iter()
                        .map(|i| {
                            let id =
                                i.id.trim_start_matches("sha256:")
                                    .chars()
                                    .take(12)
                                    .collect::<String>();
                            let tag = if i.tags.is_empty() {
                                "<none>".to_string()
                            } else {
                                i.tags.join(", ")
                            };
                            Row::new(vec![tag, id, i.size.clone()])
                        })
                        .collect(),
                )
            }
            Tab::Networks => {
                let l = networks(app);
                (
                    format!("Networks ({})", l.len()),
                    vec!["NAME", "DRIVER", "SUBNET", "CONTAINERS"],
                    vec![
                        Constraint::Percentage(30),
                        Constraint::Percentage(15),
                        Constraint::Percentage(35),
                        Constraint::Percentage(20),
                    ],
                    l.iter()
                        .map(|n| {
                            Row::new(vec![
                                n.name.clone(),
                                n.driver.clone(),
                                n.subnet.clone(),
                                n.containers.to_string(),
                            ])
                        })
                        .collect(),
                )
            }
            _ => {
                let l = volumes(app);
                (
                    format!("Volumes ({})", l.len()),
                    vec!["VOLUME NAME", "DRIVER"],
                    vec![Constraint::Percentage(75), Constraint::Percentage(25)],
                    l.iter()
                        .map(|v| Row::new(vec![v.name.clone(), v.driver.clone()]))
                        .collect(),
                )
            }
        };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD)))
        .style(Style::default().fg(t.fg))
        .row_highlight_style(t.selected())
        .block(block(&title, t));
    let mut state = TableState::default().with_selected(Some(app.selection()));
    f.render_stateful_widget(table, area, &mut state);
    let rows: Vec<Option<usize>> = (0..app.rows()).map(Some).collect();
    super::register_rows(app, area, area.y + 2, state.offset(), &rows);
}
