//! Signal names as users type them: `SIGTERM`, `TERM`, `term`, `15`.

use nix::sys::signal::Signal;

use crate::error::{Error, Result};

pub fn parse(s: &str) -> Result<Signal> {
    let t = s.trim();
    if let Ok(n) = t.parse::<i32>() {
        return Signal::try_from(n).map_err(|_| Error::invalid(format!("invalid signal: {s}")));
    }
    let up = t.to_ascii_uppercase();
    let name = if up.starts_with("SIG") {
        up
    } else {
        format!("SIG{up}")
    };
    name.parse::<Signal>()
        .map_err(|_| Error::invalid(format!("invalid signal: {s}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse("TERM").unwrap(), Signal::SIGTERM);
        assert_eq!(parse("sigkill").unwrap(), Signal::SIGKILL);
        assert_eq!(parse("9").unwrap(), Signal::SIGKILL);
        assert!(parse("BOGUS").is_err());
        assert!(parse("99").is_err());
    }
}
