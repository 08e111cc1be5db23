//! The `Netlink` handle: one NETLINK_ROUTE socket and the request/reply exchange every
//! operation goes through. Synchronous on purpose: the caller is a single-threaded monitor
//! that also forks and clones, so there is no runtime and no background thread.

use std::num::NonZeroI32;

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR,
    NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use nix::errno::Errno;

use super::error::{NetlinkError, Result};

/// Large enough for one datagram of a dump: the kernel fills dump replies up to 32 KiB
/// (or one page when that is larger), so 64 KiB never truncates on common page sizes.
const RECV_BUFFER: usize = 64 * 1024;

/// A dump that raced with a change is marked inconsistent by the kernel; it is retried
/// this many times before the last (possibly inconsistent) answer is returned anyway.
const DUMP_ATTEMPTS: usize = 5;

/// A synchronous rtnetlink client bound to the network namespace it was opened in.
///
/// The socket stays in that namespace for its whole life, whatever namespace the calling
/// thread moves to afterwards. It is close-on-exec, so it does not leak into containers.
pub struct Netlink {
    socket: Socket,
    sequence: u32,
    buffer: Vec<u8>,
}

/// What the kernel said about one request, before the caller adds its context.
pub(crate) enum Failure {
    Kernel(Errno),
    Other(NetlinkError),
}

pub(crate) type Reply<T> = std::result::Result<T, Failure>;

impl Netlink {
    /// Opens a NETLINK_ROUTE socket in the calling thread's current network namespace.
    pub fn open() -> Result<Netlink> {
        let socket_err = |op| move |source| NetlinkError::Socket { op, source };
        let mut socket = Socket::new(NETLINK_ROUTE).map_err(socket_err("open"))?;
        socket.bind_auto().map_err(socket_err("bind"))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(socket_err("connect"))?;
        Ok(Netlink {
            socket,
            sequence: 0,
            buffer: vec![0; RECV_BUFFER],
        })
    }

    /// Sends a request that expects only an acknowledgement.
    pub(crate) fn ack(&mut self, message: RouteNetlinkMessage, flags: u16) -> Reply<()> {
        self.exchange(message, flags | NLM_F_ACK, &mut |_| ())?;
        Ok(())
    }

    /// Sends a request that is answered by one message (a get by index or name).
    pub(crate) fn get(&mut self, message: RouteNetlinkMessage) -> Reply<Vec<RouteNetlinkMessage>> {
        let mut replies = Vec::new();
        self.exchange(message, 0, &mut |m| replies.push(m))?;
        Ok(replies)
    }

    /// Sends a dump request and collects every message of the multipart answer.
    pub(crate) fn dump(&mut self, message: RouteNetlinkMessage) -> Reply<Vec<RouteNetlinkMessage>> {
        let mut attempt = 1;
        loop {
            let mut replies = Vec::new();
            let interrupted =
                self.exchange(message.clone(), NLM_F_DUMP, &mut |m| replies.push(m))?;
            if !interrupted || attempt == DUMP_ATTEMPTS {
                return Ok(replies);
            }
            attempt += 1;
        }
    }

    /// Sends one request and reads until its answer is complete: an ACK or error for a
    /// request with NLM_F_ACK, DONE for a dump, or the single reply of a plain get.
    /// Returns whether the kernel flagged a dump as interrupted by a concurrent change.
    fn exchange(
        &mut self,
        message: RouteNetlinkMessage,
        flags: u16,
        on_message: &mut dyn FnMut(RouteNetlinkMessage),
    ) -> Reply<bool> {
        self.sequence = self.sequence.wrapping_add(1);
        let sequence = self.sequence;
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | flags;
        header.sequence_number = sequence;
        let mut request = NetlinkMessage::new(header, NetlinkPayload::from(message));
        request.finalize();
        let mut bytes = vec![0; request.buffer_len()];
        request.serialize(&mut bytes);
        self.socket
            .send(&bytes, 0)
            .map_err(|source| Failure::Other(NetlinkError::Socket { op: "send", source }))?;

        let multipart = flags & NLM_F_DUMP == NLM_F_DUMP;
        let mut interrupted = false;
        loop {
            let received = self.receive()?;
            let mut offset = 0;
            while offset < received {
                let reply = NetlinkMessage::<RouteNetlinkMessage>::deserialize(
                    &self.buffer[offset..received],
                )
                .map_err(|e| Failure::Other(decode_error(e.to_string())))?;
                let length = reply.header.length as usize;
                if length == 0 {
                    return Err(Failure::Other(decode_error("zero-length message")));
                }
                offset += align(length);
                // Replies to an earlier request that was abandoned (an error midway
                // through a dump) can still be queued: skip them.
                if reply.header.sequence_number != sequence {
                    continue;
                }
                interrupted |= reply.header.flags & NLM_F_DUMP_INTR != 0;
                match reply.payload {
                    NetlinkPayload::Error(e) => return ack_result(e.code).map(|()| interrupted),
                    // A dump that failed partway ends in DONE carrying the errno.
                    NetlinkPayload::Done(done) => {
                        return ack_result(NonZeroI32::new(done.code)).map(|()| interrupted)
                    }
                    NetlinkPayload::InnerMessage(m) => {
                        on_message(m);
                        if !multipart && flags & NLM_F_ACK == 0 {
                            return Ok(false);
                        }
                    }
                    NetlinkPayload::Overrun(_) => {
                        return Err(Failure::Other(decode_error("receive buffer overrun")))
                    }
                    _ => {}
                }
            }
        }
    }

    /// Reads one datagram into the buffer and returns its length.
    fn receive(&mut self) -> Reply<usize> {
        let length = loop {
            match self.socket.recv(&mut &mut self.buffer[..], libc::MSG_TRUNC) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(Failure::Other(NetlinkError::Socket {
                        op: "receive",
                        source,
                    }))
                }
            }
        };
        if length > self.buffer.len() {
            return Err(Failure::Other(decode_error(format!(
                "reply of {length} bytes truncated to {}",
                self.buffer.len()
            ))));
        }
        Ok(length)
    }
}

/// An NLMSG_ERROR with code 0 is the acknowledgement; anything else is a negated errno.
fn ack_result(code: Option<NonZeroI32>) -> Reply<()> {
    match code {
        None => Ok(()),
        Some(code) => Err(Failure::Kernel(Errno::from_raw(-code.get()))),
    }
}

/// Netlink messages start on 4-byte boundaries within a datagram.
fn align(length: usize) -> usize {
    (length + 3) & !3
}

fn decode_error(reason: impl Into<String>) -> NetlinkError {
    NetlinkError::Reply {
        op: "receive",
        target: "reply".into(),
        reason: reason.into(),
    }
}

impl Failure {
    /// Names the operation and its target, turning a bare kernel errno into a full error.
    pub(crate) fn context(self, op: &'static str, target: impl Into<String>) -> NetlinkError {
        match self {
            Failure::Kernel(errno) => NetlinkError::kernel(op, target, errno),
            Failure::Other(NetlinkError::Reply { reason, .. }) => NetlinkError::Reply {
                op,
                target: target.into(),
                reason,
            },
            Failure::Other(e) => e,
        }
    }

    /// The kernel's errno, if that is what failed.
    pub(crate) fn errno(&self) -> Option<Errno> {
        match self {
            Failure::Kernel(errno) => Some(*errno),
            Failure::Other(e) => e.errno(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlink_messages_align_to_four_bytes() {
        assert_eq!(align(16), 16);
        assert_eq!(align(17), 20);
        assert_eq!(align(19), 20);
    }

    #[test]
    fn netlink_error_code_is_a_negated_errno() {
        assert!(ack_result(None).is_ok());
        let err = ack_result(NonZeroI32::new(-libc::EEXIST)).err();
        assert_eq!(err.and_then(|f| f.errno()), Some(Errno::EEXIST));
    }
}
