//! The real binary's TUI in a tmux session of its own (a private tmux server per
//! test), driven as a user would: keys sent, the screen read back. The server goes
//! with the value, passed or failed.

use std::process::{Command, Output};

use crate::{berth_bin, Berth};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Start `berth` (the TUI) with `b`'s state roots in a `cols`x`rows` terminal. When
    /// it ends the pane shows `TUI-EXITED <code>` and stays.
    pub fn start(b: &Berth, cols: u16, rows: u16) -> Tmux {
        Tmux::start_with(b, cols, rows, &[])
    }

    /// As `start`, with `args` on berth's command line (`-H unix://...`; words without
    /// spaces or quotes).
    pub fn start_with(b: &Berth, cols: u16, rows: u16, args: &[&str]) -> Tmux {
        crate::require_tool("tmux", "tmux");
        let tmux = Tmux {
            socket: format!("berth-test-{}-{}", std::process::id(), b.n),
        };
        let env: Vec<String> = b
            .cmd()
            .get_envs()
            .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, v?.to_str()?)))
            .collect();
        let script = format!(
            "env {} {} {}; echo TUI-EXITED $?; sleep 60",
            env.join(" "),
            berth_bin().display(),
            args.join(" ")
        );
        let (x, y) = (cols.to_string(), rows.to_string());
        let out = tmux.cmd(&[
            "new-session",
            "-d",
            "-s",
            "tui",
            "-x",
            &x,
            "-y",
            &y,
            &script,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "tui"]).stdout).into_owned()
    }

    /// Send `k` as tmux's send-keys takes it (`x`, `Enter`, `C-]`, `some text`).
    pub fn keys(&self, k: &str) {
        self.cmd(&["send-keys", "-t", "tui", k]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}
