//! Go's `text/tabwriter` alignment, which Docker's tables go through.
//!
//! Cells are tab-terminated; the text after a line's last tab is not part of
//! any column and is never padded. A column's width is set per *block* of
//! consecutive lines that have that column, so a line with fewer cells
//! (a multi-line template, say) restarts alignment for the columns it lacks,
//! exactly as Go does.

/// Aligns `text` with Go's `tabwriter.NewWriter(w, minwidth, 1, padding, ' ', 0)`.
pub fn tabwrite(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut writer = Writer {
        minwidth,
        padding,
        lines: &lines,
        out: String::with_capacity(text.len() * 2),
    };
    let mut widths = Vec::new();
    writer.format(&mut widths, 0, lines.len());
    writer.out
}

struct Writer<'a> {
    minwidth: usize,
    padding: usize,
    lines: &'a [Vec<&'a str>],
    out: String,
}

/// Display width as tabwriter counts it: one per character.
fn width(cell: &str) -> usize {
    cell.chars().count()
}

impl Writer<'_> {
    /// Lays out lines `line0..line1` given the widths of the columns to the
    /// left (`widths`), recursing into each block that has one more column.
    fn format(&mut self, widths: &mut Vec<usize>, mut line0: usize, line1: usize) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // This line starts a block of lines that all have `column`.
            self.write_lines(widths, line0, this);
            line0 = this;
            let mut col_width = self.minwidth;
            while this < line1 && column + 1 < self.lines[this].len() {
                col_width = col_width.max(width(self.lines[this][column]) + self.padding);
                this += 1;
            }
            widths.push(col_width);
            self.format(widths, line0, this);
            widths.pop();
            line0 = this;
        }
        self.write_lines(widths, line0, line1);
    }

    fn write_lines(&mut self, widths: &[usize], line0: usize, line1: usize) {
        for i in line0..line1 {
            for (j, cell) in self.lines[i].iter().enumerate() {
                self.out.push_str(cell);
                if let Some(w) = widths.get(j) {
                    let fill = w.saturating_sub(width(cell));
                    self.out.extend(std::iter::repeat_n(' ', fill));
                }
            }
            // The text after the final newline is a line with no newline.
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_widest_cell_plus_padding_with_minimum() {
        let out = tabwrite("a\tbb\tc\nlonger-cell\tx\ty\n", 10, 3);
        assert_eq!(
            out,
            "a             bb        c\nlonger-cell   x         y\n"
        );
    }

    #[test]
    fn last_cell_is_never_padded() {
        assert_eq!(tabwrite("a\tb\n", 0, 3), "a   b\n");
        // A trailing tab makes the last text a column cell, so it is padded.
        assert_eq!(tabwrite("a\tb\t\n", 0, 3), "a   b   \n");
    }

    #[test]
    fn lines_without_tabs_break_column_blocks() {
        let out = tabwrite("aaaaaa\tb\nplain\nc\td\n", 0, 1);
        assert_eq!(out, "aaaaaa b\nplain\nc d\n");
    }

    #[test]
    fn empty_cells_are_padded_like_any_other() {
        assert_eq!(tabwrite("A\tB\tC\n\t\tz\n", 0, 3), "A   B   C\n        z\n");
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(tabwrite("é…\tx\nab\ty\n", 0, 1), "é… x\nab y\n");
    }

    #[test]
    fn no_trailing_newline_is_kept() {
        assert_eq!(tabwrite("a\tb", 0, 2), "a  b");
        assert_eq!(tabwrite("", 10, 3), "");
    }
}
