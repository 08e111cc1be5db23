//! The services pane's forms: a replica count (`S`), and a rolling update (`u`) of the
//! image and env lines, started from the service's own. Each turns into a typed
//! service operation for the worker, or names what is wrong by its field.

use super::form_values::Fields;
use super::forms::{field, Form, FormKind};
use super::ops::{Op, ServiceVerb};

impl Form {
    /// `service scale NAME=N`, from the count it has.
    pub fn scale(id: &str, name: &str, replicas: u64) -> Form {
        let mut f = Form::new(
            FormKind::ServiceScale,
            format!("Scale {name}"),
            vec![field(
                "Replicas",
                "how many tasks to run (0 stops them all)",
                &replicas.to_string(),
                false,
            )],
            0,
        );
        f.subject = Some((id.to_string(), name.to_string()));
        f
    }

    /// `service update --image --env-add/--env-rm` as one rolling update: the fields
    /// hold the service's image and env, edited in place.
    pub fn service_update(id: &str, name: &str, image: &str, env: &[String]) -> Form {
        let mut f = Form::new(
            FormKind::ServiceUpdate,
            format!("Roll an update of {name}"),
            vec![
                field("Image", "repository[:tag]", image, false),
                field("Env", "KEY=value, one per line", &env.join("\n"), true),
            ],
            0,
        );
        f.subject = Some((id.to_string(), name.to_string()));
        f
    }
}

fn service_op(f: &Form, verb: ServiceVerb) -> Result<Op, String> {
    let (id, name) = f.subject.clone().ok_or("the form has lost its service")?;
    Ok(Op::Service { id, name, verb })
}

pub fn scale(f: &Form) -> Result<Op, String> {
    let text = f.value("Replicas");
    let n: u64 = text
        .parse()
        .map_err(|_| format!("Replicas: {text:?} is not a count (0, 1, 2...)"))?;
    service_op(f, ServiceVerb::Scale(n))
}

pub fn update(f: &Form) -> Result<Op, String> {
    let image = f.value("Image");
    if image.is_empty() || image.contains(char::is_whitespace) {
        return Err("Image: required, one reference".into());
    }
    let env = f.lines("Env");
    if let Some(bad) = env.iter().find(|l| l.starts_with('=')) {
        return Err(format!("Env: {bad:?} has no name"));
    }
    service_op(f, ServiceVerb::Update { image, env })
}
