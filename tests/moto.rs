//! moto's server mode on a loopback port: CloudWatch Logs as Localstack stands in for it
//! in seed 000, for the awslogs driver to send to and the tests to read back through
//! the service's own API (boto3, from the same virtualenv).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct Moto {
    child: Child,
    pub port: u16,
}

/// moto's server script in the tests' virtualenv, or a loud failure that says how to
/// install it.
fn moto_server() -> PathBuf {
    let p = crate::api::python().with_file_name("moto_server");
    assert!(
        p.is_file(),
        "this test needs moto's server at {}: install it with \
         `target/py/bin/pip install 'moto[server]'` (README.md's test command does)",
        p.display()
    );
    p
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_on(crate::free_port())
    }

    /// On a port chosen earlier (a driver already sending there, and failing).
    pub fn start_on(port: u16) -> Moto {
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let m = Moto { child, port };
        assert!(
            crate::eventually(30, || std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()),
            "moto_server did not listen on 127.0.0.1:{port}"
        );
        m
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The messages of one log stream, oldest first, read with boto3 (None when the
    /// group or the stream does not exist yet).
    pub fn log_events(&self, group: &str, stream: &str) -> Option<Vec<String>> {
        let script = format!(
            "import boto3, json, sys\n\
             c = boto3.client('logs', endpoint_url='{}', region_name='us-east-1',\n\
                 aws_access_key_id='test', aws_secret_access_key='test')\n\
             try:\n\
             \x20   ev = c.get_log_events(logGroupName=sys.argv[1], logStreamName=sys.argv[2],\n\
             \x20       startFromHead=True)['events']\n\
             except c.exceptions.ResourceNotFoundException:\n\
             \x20   sys.exit(3)\n\
             print(json.dumps([e['message'] for e in ev]))\n",
            self.endpoint()
        );
        let out = Command::new(crate::api::python())
            .args(["-c", &script, group, stream])
            .output()
            .expect("run boto3");
        if out.status.code() == Some(3) {
            return None;
        }
        assert!(
            out.status.success(),
            "boto3 get_log_events: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(serde_json::from_slice(&out.stdout).expect("boto3's JSON"))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
