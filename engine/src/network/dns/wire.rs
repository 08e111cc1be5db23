//! The few pieces of the DNS wire format (RFC 1035) the embedded server needs: read a
//! query's header and single question, and write an answer to it. Forwarded queries
//! pass through untouched apart from their ID, so nothing else is parsed. Every read is
//! bounds-checked: a malformed packet yields `None`, never a panic.

use std::net::Ipv4Addr;

pub const TYPE_A: u16 = 1;
pub const TYPE_PTR: u16 = 12;
pub const CLASS_IN: u16 = 1;

pub const RCODE_SERVFAIL: u16 = 2;
pub const RCODE_NXDOMAIN: u16 = 3;
pub const RCODE_REFUSED: u16 = 5;

/// A standard query with one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub id: u16,
    /// Recursion desired, echoed in the answer.
    pub rd: bool,
    /// The name asked for, lower-cased, without the trailing dot.
    pub name: String,
    pub qtype: u16,
    pub qclass: u16,
    /// Where the question ends in the packet (it is copied into the answer).
    pub question_end: usize,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]))
}

/// Read a query. Responses, other opcodes, and anything but one question are `None`.
pub fn parse_query(b: &[u8]) -> Option<Query> {
    let id = u16_at(b, 0)?;
    let flags = u16_at(b, 2)?;
    let qr = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    if qr || opcode != 0 || u16_at(b, 4)? != 1 {
        return None;
    }
    // The question's name: labels only (a query has nothing to point back to).
    let mut i = 12;
    let mut labels: Vec<String> = Vec::new();
    loop {
        let len = *b.get(i)? as usize;
        i += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        let label = b.get(i..i + len)?;
        labels.push(String::from_utf8_lossy(label).to_ascii_lowercase());
        i += len;
        if i > 12 + 255 {
            return None;
        }
    }
    let qtype = u16_at(b, i)?;
    let qclass = u16_at(b, i + 2)?;
    Some(Query {
        id,
        rd: flags & 0x0100 != 0,
        name: labels.join("."),
        qtype,
        qclass,
        question_end: i + 4,
    })
}

/// What the server says to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Addresses, in the order given.
    A(Vec<Ipv4Addr>),
    /// A name for a reverse lookup.
    Ptr(String),
    /// The name exists but has no records of the asked type.
    NoData,
    /// An error code (NXDOMAIN, SERVFAIL, REFUSED).
    Error(u16),
}

/// Encode `name` as DNS labels (empty labels and over-long ones are skipped).
fn push_name(out: &mut Vec<u8>, name: &str) {
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let bytes = &label.as_bytes()[..label.len().min(63)];
        out.push(bytes.len() as u8);
        out.extend_from_slice(bytes);
    }
    out.push(0);
}

/// The answer to `q` (whose packet is `raw`): the question copied back, then the
/// records, each naming the question by a pointer to offset 12.
pub fn answer(q: &Query, raw: &[u8], a: &Answer, ttl: u32) -> Vec<u8> {
    let (rcode, count) = match a {
        Answer::A(ips) => (0, ips.len()),
        Answer::Ptr(_) => (0, 1),
        Answer::NoData => (0, 0),
        Answer::Error(code) => (*code, 0),
    };
    // QR, AA (berth is the authority for container names), RD echoed, RA.
    let mut flags: u16 = 0x8000 | 0x0400 | 0x0080 | rcode;
    if q.rd {
        flags |= 0x0100;
    }
    let mut out = Vec::with_capacity(q.question_end + 16 * count);
    out.extend_from_slice(&q.id.to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(count as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&raw[12..q.question_end]);
    let record = |out: &mut Vec<u8>, rtype: u16, rdata: &[u8]| {
        out.extend_from_slice(&[0xc0, 12]);
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&CLASS_IN.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(rdata);
    };
    match a {
        Answer::A(ips) => {
            for ip in ips {
                record(&mut out, TYPE_A, &ip.octets());
            }
        }
        Answer::Ptr(name) => {
            let mut rdata = Vec::new();
            push_name(&mut rdata, name);
            record(&mut out, TYPE_PTR, &rdata);
        }
        _ => {}
    }
    out
}

/// The address a reverse name (`4.3.2.1.in-addr.arpa`) stands for.
pub fn reverse_name_ip(name: &str) -> Option<Ipv4Addr> {
    let rest = name.strip_suffix(".in-addr.arpa")?;
    let parts: Vec<u8> = rest
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [d, c, b, a] => Some(Ipv4Addr::new(*a, *b, *c, *d)),
        _ => None,
    }
}

/// A packet's ID, and the packet with another ID (for forwarding).
pub fn id_of(b: &[u8]) -> Option<u16> {
    u16_at(b, 0)
}

pub fn with_id(b: &[u8], id: u16) -> Vec<u8> {
    let mut v = b.to_vec();
    if v.len() >= 2 {
        v[..2].copy_from_slice(&id.to_be_bytes());
    }
    v
}

#[cfg(test)]
pub fn query_packet(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&0x0100u16.to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    push_name(&mut out, name);
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_back_and_is_answered_with_each_address() {
        let raw = query_packet(0x1234, "Web.Example", TYPE_A);
        let q = parse_query(&raw).unwrap();
        assert_eq!(q.name, "web.example");
        assert_eq!((q.id, q.qtype, q.rd), (0x1234, TYPE_A, true));
        let ips = vec![Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 3)];
        let out = answer(&q, &raw, &Answer::A(ips), 600);
        assert_eq!(&out[..2], &[0x12, 0x34]);
        assert_eq!(out[3] & 0xf, 0, "rcode");
        assert_eq!(u16_at(&out, 6), Some(2), "answer count");
        // The question, then two records ending in the addresses.
        assert_eq!(&out[12..q.question_end], &raw[12..q.question_end]);
        assert_eq!(&out[out.len() - 4..], &[10, 0, 0, 3]);
        assert_eq!(out.len(), q.question_end + 2 * 16);
    }

    #[test]
    fn errors_and_reverse_names() {
        let raw = query_packet(7, "nope", TYPE_A);
        let q = parse_query(&raw).unwrap();
        let out = answer(&q, &raw, &Answer::Error(RCODE_NXDOMAIN), 0);
        assert_eq!(out[3] & 0xf, 3);
        assert_eq!(
            reverse_name_ip("2.0.17.172.in-addr.arpa"),
            Some(Ipv4Addr::new(172, 17, 0, 2))
        );
        assert_eq!(reverse_name_ip("1.2.in-addr.arpa"), None);
        let raw = query_packet(8, "2.0.17.172.in-addr.arpa", TYPE_PTR);
        let q = parse_query(&raw).unwrap();
        let out = answer(&q, &raw, &Answer::Ptr("web".into()), 0);
        assert_eq!(&out[out.len() - 5..], &[3, b'w', b'e', b'b', 0]);
    }

    #[test]
    fn malformed_packets_are_refused_without_panicking() {
        let good = query_packet(1, "a.b", TYPE_A);
        for cut in 0..good.len() - 1 {
            assert!(parse_query(&good[..cut]).is_none(), "cut at {cut}");
        }
        // Every single-byte corruption: any result but a panic.
        for i in 0..good.len() {
            for v in [0u8, 0x3f, 0x40, 0xc0, 0xff] {
                let mut b = good.clone();
                b[i] = v;
                let _ = parse_query(&b);
            }
        }
        let mut response = good.clone();
        response[2] |= 0x80;
        assert!(parse_query(&response).is_none());
        assert_eq!(with_id(&good, 9)[..2], [0, 9]);
    }
}
