// The formatting layer is built ahead of the commands that will use it.
#[allow(dead_code)]
mod format;

fn main() {}
