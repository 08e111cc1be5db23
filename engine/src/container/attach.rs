//! The attach protocol between a container's monitor and its clients (`run` in the
//! foreground, `start -a`, `attach`, the TUI): length-prefixed frames over a unix socket.
//! `[kind: u8][len: u32 big-endian][payload]`.

use std::io::{self, Read, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Stdout = 1,
    Stderr = 2,
    Stdin = 3,
    /// The client's stdin ended: close the container's stdin.
    StdinEof = 4,
    /// Payload: rows u16, cols u16 (big-endian).
    Resize = 5,
    /// Payload: exit code i32 (big-endian). The last frame a client gets.
    Exit = 6,
    /// Payload: UTF-8 message. Sent instead of Exit when the start itself failed.
    Error = 7,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Stdout,
            2 => Kind::Stderr,
            3 => Kind::Stdin,
            4 => Kind::StdinEof,
            5 => Kind::Resize,
            6 => Kind::Exit,
            7 => Kind::Error,
            _ => return None,
        })
    }
}

pub const MAX_FRAME: usize = 1 << 20;

pub fn encode(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(5 + payload.len());
    v.push(kind as u8);
    v.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    v.extend_from_slice(payload);
    v
}

pub fn write_frame(w: &mut impl Write, kind: Kind, payload: &[u8]) -> io::Result<()> {
    w.write_all(&encode(kind, payload))
}

/// Blocking read of one frame; `Ok(None)` at a clean end of stream.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(Kind, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let kind = Kind::from_u8(head[0]).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unknown frame kind {}", head[0]),
        )
    })?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is too large"),
        ));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    Ok(Some((kind, payload)))
}

/// Incremental decoder for the monitor's non-blocking reads.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }
    /// Next complete frame, or an error for a malformed stream (the client is dropped).
    pub fn next_frame(&mut self) -> Result<Option<(Kind, Vec<u8>)>, String> {
        if self.buf.len() < 5 {
            return Ok(None);
        }
        let kind = Kind::from_u8(self.buf[0])
            .ok_or_else(|| format!("unknown frame kind {}", self.buf[0]))?;
        let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]) as usize;
        if len > MAX_FRAME {
            return Err(format!("frame of {len} bytes is too large"));
        }
        if self.buf.len() < 5 + len {
            return Ok(None);
        }
        let payload = self.buf[5..5 + len].to_vec();
        self.buf.drain(..5 + len);
        Ok(Some((kind, payload)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_whole_and_in_pieces() {
        let mut wire = encode(Kind::Stdout, b"hello");
        wire.extend(encode(Kind::Exit, &3i32.to_be_bytes()));
        let mut r = &wire[..];
        assert_eq!(
            read_frame(&mut r).unwrap(),
            Some((Kind::Stdout, b"hello".to_vec()))
        );
        assert_eq!(read_frame(&mut r).unwrap().unwrap().0, Kind::Exit);
        assert_eq!(read_frame(&mut r).unwrap(), None);

        let mut d = Decoder::default();
        for b in &wire {
            d.push(std::slice::from_ref(b));
        }
        assert_eq!(
            d.next_frame().unwrap(),
            Some((Kind::Stdout, b"hello".to_vec()))
        );
        assert_eq!(d.next_frame().unwrap().unwrap().0, Kind::Exit);
        assert_eq!(d.next_frame().unwrap(), None);
        let mut bad = Decoder::default();
        bad.push(&[9, 0, 0, 0, 0]);
        assert!(bad.next_frame().is_err());
    }
}
