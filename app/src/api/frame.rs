//! Docker's stream framing for logs, attach and exec without a tty: each chunk is an
//! 8-byte header (stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes; the length,
//! big-endian) then the bytes. With a tty the bytes go raw.

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt;

use crate::backend::streams::LogOutput;
use crate::backend::{ByteStream, LogStream};

pub const RAW: &str = "application/vnd.docker.raw-stream";
pub const MULTIPLEXED: &str = "application/vnd.docker.multiplexed-stream";

/// One chunk as it goes on the wire.
pub fn frame(chunk: &LogOutput, tty: bool) -> Bytes {
    let (stream, data): (u8, &[u8]) = match chunk {
        LogOutput::StdIn { message } => (0, message),
        LogOutput::StdOut { message } | LogOutput::Console { message } => (1, message),
        LogOutput::StdErr { message } => (2, message),
    };
    if tty {
        return Bytes::copy_from_slice(data);
    }
    let mut b = BytesMut::with_capacity(8 + data.len());
    b.put_u8(stream);
    b.put_slice(&[0, 0, 0]);
    b.put_u32(data.len() as u32);
    b.put_slice(data);
    b.freeze()
}

/// A log stream as bytes, with the content type that says how they are framed.
pub fn encode(out: LogStream, tty: bool) -> (&'static str, ByteStream) {
    let ctype = if tty { RAW } else { MULTIPLEXED };
    (ctype, Box::pin(out.map(move |c| c.map(|c| frame(&c, tty)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_stream_and_length() {
        let out = LogOutput::StdErr {
            message: Bytes::from_static(b"hi\n"),
        };
        assert_eq!(
            &frame(&out, false)[..],
            b"\x02\x00\x00\x00\x00\x00\x00\x03hi\n"
        );
        assert_eq!(&frame(&out, true)[..], b"hi\n");
    }
}
