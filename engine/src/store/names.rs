//! Generated container names in Docker's `adjective_surname` shape. The word lists are our
//! own: moods and qualities, and surnames of scientists, engineers and explorers.

use super::ids::random_bytes;

const ADJECTIVES: &[&str] = &[
    "agile", "amazing", "ample", "ardent", "awake", "bold", "brave", "bright", "brisk", "calm",
    "careful", "charming", "cheerful", "clever", "cosmic", "crisp", "curious", "daring",
    "dazzling", "deft", "eager", "earnest", "elated", "elegant", "epic", "fair", "fearless",
    "fervent", "festive", "fond", "frosty", "gallant", "gentle", "gifted", "glad", "golden",
    "graceful", "happy", "hardy", "hopeful", "humble", "jolly", "jovial", "keen", "kind", "lively",
    "loyal", "lucid", "lucky", "merry", "mighty", "modest", "nimble", "noble", "patient",
    "peaceful", "plucky", "polite", "proud", "quiet", "quirky", "radiant", "rapid", "serene",
    "sharp", "shy", "silent", "sleepy", "smart", "snappy", "solid", "spry", "stoic", "sunny",
    "swift", "tender", "thirsty", "tidy", "upbeat", "valiant", "vibrant", "vigilant", "vivid",
    "warm", "wise", "witty", "zealous", "zen",
];

const SURNAMES: &[&str] = &[
    "agnesi",
    "albattani",
    "allen",
    "archimedes",
    "babbage",
    "banach",
    "bardeen",
    "bartik",
    "bell",
    "bohr",
    "boole",
    "borg",
    "bose",
    "brahe",
    "burnell",
    "cannon",
    "carson",
    "cerf",
    "chandrasekhar",
    "curie",
    "darwin",
    "dijkstra",
    "einstein",
    "elion",
    "euclid",
    "euler",
    "faraday",
    "fermat",
    "fermi",
    "feynman",
    "franklin",
    "galileo",
    "gauss",
    "germain",
    "goldberg",
    "goodall",
    "hamilton",
    "hawking",
    "heisenberg",
    "hertz",
    "hodgkin",
    "hopper",
    "hypatia",
    "jackson",
    "johnson",
    "kepler",
    "khorana",
    "knuth",
    "kowalevski",
    "lamarr",
    "leakey",
    "lovelace",
    "lumiere",
    "mayer",
    "mccarthy",
    "meitner",
    "mendel",
    "minsky",
    "morse",
    "napier",
    "nash",
    "newton",
    "nobel",
    "noether",
    "pascal",
    "pasteur",
    "planck",
    "poincare",
    "ramanujan",
    "ritchie",
    "rosalind",
    "saha",
    "sammet",
    "shannon",
    "shockley",
    "sinoussi",
    "stallman",
    "swartz",
    "tesla",
    "thompson",
    "torvalds",
    "turing",
    "volta",
    "wilson",
    "wozniak",
    "wright",
    "yalow",
    "yonath",
];

/// Docker's rule for names of containers, volumes and networks:
/// `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at least `min_len` characters.
pub fn is_valid_object_name(name: &str, min_len: usize) -> bool {
    name.len() >= min_len
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn pick(list: &[&'static str], r: u16) -> &'static str {
    list[r as usize % list.len()]
}

/// A random `adjective_surname`. The caller checks uniqueness under the global lock and
/// calls again (with `attempt` growing) on a clash; after a few clashes a digit is added.
pub fn generate(attempt: u32) -> String {
    let b = random_bytes(4);
    let a = pick(ADJECTIVES, u16::from_le_bytes([b[0], b[1]]));
    let s = pick(SURNAMES, u16::from_le_bytes([b[2], b[3]]));
    if attempt > 5 {
        format!("{a}_{s}{}", b[0] % 10)
    } else {
        format!("{a}_{s}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_docker_shaped() {
        for i in 0..50 {
            let n = super::generate(i);
            let (a, s) = n.split_once('_').unwrap();
            assert!(a.chars().all(|c| c.is_ascii_lowercase()));
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }
}
