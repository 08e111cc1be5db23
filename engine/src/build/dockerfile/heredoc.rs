//! Finding heredoc words (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`) in a RUN, COPY or ADD
//! line, and turning a delimiter into a [`Heredoc`] without its body.

use super::expand::{lex, LexOptions};
use super::types::Heredoc;

/// The heredocs a line announces, in order, with empty bodies.
pub(crate) fn heredocs_in_line(line: &str) -> Result<Vec<Heredoc>, String> {
    // BuildKit splits the line as a shell would, keeping quotes and escapes and leaving
    // variables alone, and always with `\` as the escape here.
    let opts = LexOptions {
        raw_quotes: true,
        raw_escapes: true,
        skip_unset: true,
    };
    let (_, words) = lex(line, '\\', opts, &mut |_| None).unwrap_or_default();
    let mut docs = Vec::new();
    for word in words {
        if let Some(doc) = heredoc_word(&word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// A word of the form `[digits]<<[-][blanks]delimiter`, the delimiter being one shell
/// word with no `<`. The body is expanded later unless part of the delimiter is quoted.
pub(crate) fn heredoc_word(word: &str) -> Result<Option<Heredoc>, String> {
    let after_fd = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(after) = after_fd.strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches(['\t', '\n', '\u{c}', '\r', ' ']);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let skip = LexOptions {
        skip_unset: true,
        ..LexOptions::default()
    };
    let (_, words) = lex(rest, '\\', skip, &mut |_| None)?;
    let [name] = words.as_slice() else {
        return Ok(None);
    };
    let raw = LexOptions {
        raw_quotes: true,
        ..skip
    };
    let (_, raw_words) = lex(rest, '\\', raw, &mut |_| None)?;
    let quotes = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    let expand = raw_words.first().map(|r| quotes(r)) == Some(quotes(name));
    Ok(Some(Heredoc {
        name: name.clone(),
        content: String::new(),
        expand,
        chomp,
    }))
}

/// Removes leading tabs from every line (`<<-`).
pub(crate) fn chomp(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, bool, bool)> {
        heredocs_in_line(line)
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.name, h.expand, h.chomp))
            .collect()
    }

    #[test]
    fn finds_heredoc_words() {
        let t = |n: &str, e: bool, c: bool| (n.to_string(), e, c);
        assert_eq!(names("RUN <<EOF"), [t("EOF", true, false)]);
        assert_eq!(names("RUN <<-EOF"), [t("EOF", true, true)]);
        assert_eq!(names("RUN <<'EOF'"), [t("EOF", false, false)]);
        assert_eq!(names("RUN <<\"EOF\" bash"), [t("EOF", false, false)]);
        assert_eq!(names("RUN << EOF"), [t("EOF", true, false)]);
        assert_eq!(
            names("RUN cat <<A >a && cat 3<<-\"B\" > b"),
            [t("A", true, false), t("B", false, true)]
        );
        assert_eq!(names("COPY <<EOF /etc/x"), [t("EOF", true, false)]);
        assert!(names("RUN echo '<<EOF'").is_empty());
        assert!(names("RUN echo a<<b").is_empty());
        assert!(names("RUN x <<").is_empty());
    }

    #[test]
    fn chomps_tabs() {
        assert_eq!(chomp("\t\ta\n\tb\n  c\n"), "a\nb\n  c\n");
    }
}
