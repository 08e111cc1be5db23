//! `commit -c`/`--change`: the Dockerfile instructions Docker allows there (CMD,
//! ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL, HEALTHCHECK) parsed into the
//! image store's `ConfigChanges`. Pure: tested without a container.

use crate::error::{Error, Result};
use crate::image::ConfigChanges;

/// Apply each `-c` value in order to `changes` (a later value wins, as in a Dockerfile).
pub fn parse_changes(values: &[String], changes: &mut ConfigChanges) -> Result<()> {
    for v in values {
        apply_one(v, changes)?;
    }
    Ok(())
}

fn apply_one(line: &str, ch: &mut ConfigChanges) -> Result<()> {
    let line = line.trim();
    let (instr, rest) = match line.split_once(char::is_whitespace) {
        Some((i, r)) => (i, r.trim()),
        None => (line, ""),
    };
    let upper = instr.to_ascii_uppercase();
    let need_args = || {
        if rest.is_empty() {
            Err(Error::invalid(format!(
                "{upper} requires at least one argument"
            )))
        } else {
            Ok(())
        }
    };
    match upper.as_str() {
        "CMD" => {
            need_args()?;
            ch.cmd = Some(exec_or_shell(rest)?);
        }
        "ENTRYPOINT" => {
            need_args()?;
            ch.entrypoint = Some(exec_or_shell(rest)?);
        }
        "ENV" => {
            need_args()?;
            for (k, v) in key_values(rest, "ENV")? {
                ch.env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => {
            need_args()?;
            for (k, v) in key_values(rest, "LABEL")? {
                ch.labels.insert(k, v);
            }
        }
        "WORKDIR" => {
            need_args()?;
            ch.working_dir = Some(rest.to_string());
        }
        "USER" => {
            need_args()?;
            ch.user = Some(rest.to_string());
        }
        "STOPSIGNAL" => {
            need_args()?;
            ch.stop_signal = Some(rest.to_string());
        }
        "EXPOSE" => {
            need_args()?;
            ch.exposed_ports.extend(words(rest)?);
        }
        "VOLUME" => {
            need_args()?;
            let vols = match json_array(rest) {
                Some(v) => v?,
                None => words(rest)?,
            };
            ch.volumes.extend(vols);
        }
        "HEALTHCHECK" => {
            need_args()?;
            ch.healthcheck = Some(healthcheck(rest)?);
        }
        "" => return Err(Error::invalid("empty change: use INSTRUCTION ARGS")),
        _ => {
            return Err(Error::invalid(format!(
                "{upper} is not a valid change command"
            )))
        }
    }
    Ok(())
}

/// `HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
/// [--retries=N] CMD command` or `HEALTHCHECK NONE`, as Docker's config stores it.
pub fn healthcheck(rest: &str) -> Result<serde_json::Value> {
    let mut h = serde_json::Map::new();
    let mut rest = rest.trim();
    while let Some(opt) = rest.strip_prefix("--") {
        let (flag, after) = opt.split_once(char::is_whitespace).unwrap_or((opt, ""));
        let (name, value) = flag.split_once('=').ok_or_else(|| {
            Error::invalid(format!("HEALTHCHECK --{flag}: expected --{flag}=VALUE"))
        })?;
        let key = match name {
            "interval" => "Interval",
            "timeout" => "Timeout",
            "start-period" => "StartPeriod",
            "start-interval" => "StartInterval",
            "retries" => "Retries",
            _ => {
                return Err(Error::invalid(format!(
                    "HEALTHCHECK: unknown flag --{name}"
                )))
            }
        };
        let v = if key == "Retries" {
            value.parse::<u64>().map(serde_json::Value::from).ok()
        } else {
            crate::util::parse_go_duration(value).map(serde_json::Value::from)
        }
        .ok_or_else(|| Error::invalid(format!("HEALTHCHECK --{name}: bad value {value:?}")))?;
        h.insert(key.into(), v);
        rest = after.trim();
    }
    let (kind, cmd) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let test = match kind.to_ascii_uppercase().as_str() {
        "NONE" => serde_json::json!(["NONE"]),
        "CMD" if !cmd.trim().is_empty() => match json_array(cmd.trim()) {
            Some(v) => {
                let mut t = vec!["CMD".to_string()];
                t.extend(v?);
                serde_json::json!(t)
            }
            None => serde_json::json!(["CMD-SHELL", cmd.trim()]),
        },
        _ => return Err(Error::invalid("HEALTHCHECK: expected CMD command or NONE")),
    };
    h.insert("Test".into(), test);
    Ok(serde_json::Value::Object(h))
}

/// `["a", "b"]` when it parses as a JSON array of strings; None when it is not JSON.
fn json_array(s: &str) -> Option<Result<Vec<String>>> {
    if !s.starts_with('[') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    let arr = v.as_array()?;
    Some(
        arr.iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::invalid(format!("{s}: only strings are allowed")))
            })
            .collect(),
    )
}

/// JSON (exec) form, or shell form run by `/bin/sh -c`, as Dockerfiles do.
fn exec_or_shell(rest: &str) -> Result<Vec<String>> {
    match json_array(rest) {
        Some(v) => v,
        None => Ok(vec!["/bin/sh".into(), "-c".into(), rest.to_string()]),
    }
}

/// Split on whitespace, honouring double and single quotes and backslash escapes.
fn words(s: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, '"') | (None, '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (_, c) => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if quote.is_some() {
        return Err(Error::invalid(format!("unmatched quote in {s:?}")));
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// `K=V K2="v 2"`, or the legacy single pair `K some value`.
fn key_values(rest: &str, instr: &str) -> Result<Vec<(String, String)>> {
    let ws = words(rest)?;
    let first_has_eq = ws.first().is_some_and(|w| w.contains('='));
    if !first_has_eq {
        let (k, v) = match rest.split_once(char::is_whitespace) {
            Some((k, v)) => (k, v.trim()),
            None => return Err(Error::invalid(format!("{instr} must have two arguments"))),
        };
        return Ok(vec![(k.to_string(), words(v)?.join(" "))]);
    }
    ws.into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(Error::invalid(format!(
                "{instr} names can not be blank: {w:?}"
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<ConfigChanges> {
        let mut c = ConfigChanges::default();
        parse_changes(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &mut c)?;
        Ok(c)
    }

    #[test]
    fn cmd_and_entrypoint_in_both_forms() {
        let c = parse(&[r#"CMD ["redis-server"]"#, "ENTRYPOINT echo hi there"]).unwrap();
        assert_eq!(c.cmd, Some(vec!["redis-server".to_string()]));
        assert_eq!(
            c.entrypoint,
            Some(vec!["/bin/sh".into(), "-c".into(), "echo hi there".into()])
        );
        let c = parse(&["cmd [\"a\", \"b c\"]"]).unwrap();
        assert_eq!(c.cmd, Some(vec!["a".into(), "b c".into()]));
    }

    #[test]
    fn env_label_expose_volume_and_the_rest() {
        let c = parse(&[
            r#"ENV A=1 B="two words""#,
            "ENV LEGACY some value",
            r#"LABEL version="1.0" team=x"#,
            "EXPOSE 80 53/udp",
            r#"VOLUME ["/data", "/logs"]"#,
            "VOLUME /cache",
            "WORKDIR /srv",
            "USER app:app",
            "STOPSIGNAL SIGQUIT",
        ])
        .unwrap();
        assert_eq!(c.env, vec!["A=1", "B=two words", "LEGACY=some value"]);
        assert_eq!(c.labels["version"], "1.0");
        assert_eq!(c.labels["team"], "x");
        assert_eq!(c.exposed_ports, vec!["80", "53/udp"]);
        assert_eq!(c.volumes, vec!["/data", "/logs", "/cache"]);
        assert_eq!(c.working_dir.as_deref(), Some("/srv"));
        assert_eq!(c.user.as_deref(), Some("app:app"));
        assert_eq!(c.stop_signal.as_deref(), Some("SIGQUIT"));
    }

    #[test]
    fn bad_changes_are_refused() {
        assert!(parse(&["RUN echo"])
            .unwrap_err()
            .to_string()
            .contains("RUN is not a valid change command"));
        assert!(parse(&["CMD"]).is_err());
        assert!(parse(&["ENV =x"]).is_err());
        assert!(parse(&["ENV A"]).is_err());
        assert!(parse(&[r#"LABEL a="x"#]).is_err());
        assert!(parse(&[r#"CMD ["a", 1]"#]).is_err());
    }

    #[test]
    fn healthcheck_instructions_in_both_forms() {
        let h = healthcheck("--interval=5s --retries=2 CMD wget -q localhost || exit 1").unwrap();
        assert_eq!(
            h["Test"],
            serde_json::json!(["CMD-SHELL", "wget -q localhost || exit 1"])
        );
        assert_eq!(
            (h["Interval"].as_i64(), h["Retries"].as_i64()),
            (Some(5_000_000_000), Some(2))
        );
        let h = healthcheck(r#"CMD ["true"]"#).unwrap();
        assert_eq!(h["Test"], serde_json::json!(["CMD", "true"]));
        assert_eq!(healthcheck("NONE").unwrap()["Test"][0], "NONE");
        assert!(healthcheck("--colour=red CMD true").is_err());
        assert!(healthcheck("CMD").is_err());
    }
}
