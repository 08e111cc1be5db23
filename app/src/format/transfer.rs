//! A pull or push as the docker CLI shows it: one row per layer, each with its latest
//! status (and Docker's progress bar while bytes move), and the lines that belong to no
//! layer (`Digest:`, `Status:`, the pushed tag's digest) in order. The CLI redraws it on
//! a terminal; the TUI draws it in a pane.

use bollard::models as m;

use super::human::human_size;

/// Docker's progress bar (`[=====>      ]  1.2MB/3.4MB`), 50 columns wide.
pub fn bar(current: i64, total: i64) -> String {
    let (current, total) = (current.max(0) as u64, total.max(0) as u64);
    if total == 0 {
        return human_size(current);
    }
    let done = ((current.min(total) as f64 / total as f64) * 50.0) as usize;
    let arrow = if done < 50 { ">" } else { "" };
    let rest = 50usize.saturating_sub(done + arrow.len());
    format!(
        "[{}{arrow}{}] {:>8}/{}",
        "=".repeat(done),
        " ".repeat(rest),
        human_size(current),
        human_size(total)
    )
}

/// One message as the line the docker CLI prints for it (`id: status [bar]`).
pub fn line(msg: &m::CreateImageInfo) -> String {
    let status = msg.status.clone().unwrap_or_default();
    let progress = msg
        .progress_detail
        .as_ref()
        .and_then(|p| Some(bar(p.current?, p.total.unwrap_or(0))));
    match (&msg.id, progress) {
        (Some(id), Some(b)) => format!("{id}: {status} {b}"),
        (Some(id), None) => format!("{id}: {status}"),
        (None, _) => status,
    }
}

/// True for a message that only moves a bar (the CLI leaves those out without a
/// terminal).
pub fn is_progress(msg: &m::CreateImageInfo) -> bool {
    msg.progress_detail
        .as_ref()
        .is_some_and(|p| p.current.is_some())
}

#[derive(Debug, Clone, Default)]
pub struct Transfer {
    /// Each layer's latest line, in the order layers appeared; rows before a line of
    /// its own are kept above it.
    pub lines: Vec<(Option<String>, String)>,
}

impl Transfer {
    pub fn apply(&mut self, msg: &m::CreateImageInfo) {
        let text = line(msg);
        match &msg.id {
            Some(id) => match self
                .lines
                .iter_mut()
                .find(|(i, _)| i.as_deref() == Some(id.as_str()))
            {
                Some(row) => row.1 = text,
                None => self.lines.push((Some(id.clone()), text)),
            },
            None => self.lines.push((None, text)),
        }
    }

    pub fn text(&self) -> Vec<String> {
        self.lines.iter().map(|(_, l)| l.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: Option<&str>, status: &str, p: Option<(i64, i64)>) -> m::CreateImageInfo {
        m::CreateImageInfo {
            id: id.map(str::to_string),
            status: Some(status.into()),
            progress_detail: p.map(|(c, t)| m::ProgressDetail {
                current: Some(c),
                total: Some(t),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_layer_keeps_one_row_and_its_bar_moves() {
        let mut t = Transfer::default();
        t.apply(&msg(Some("latest"), "Pulling from library/bb", None));
        t.apply(&msg(Some("abc"), "Pulling fs layer", None));
        t.apply(&msg(Some("abc"), "Downloading", Some((50, 100))));
        assert_eq!(t.lines.len(), 2);
        assert!(t.lines[1]
            .1
            .starts_with("abc: Downloading [=========================>"));
        t.apply(&msg(Some("abc"), "Pull complete", None));
        t.apply(&msg(None, "Digest: sha256:x", None));
        assert_eq!(
            t.text(),
            [
                "latest: Pulling from library/bb",
                "abc: Pull complete",
                "Digest: sha256:x"
            ]
        );
        assert_eq!(bar(100, 100).matches('=').count(), 50);
    }
}
