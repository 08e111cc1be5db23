//! What a state root owns on the host, and how it marks it. Several roots can share a
//! host (a test root beside `/var/lib/berth`, a second user); each names and marks its
//! objects by its root ID (`store::root_id`), so a prune or a firewall rebuild in one
//! never touches another's:
//! - its nftables table: `berth` for the default root, `berth_<id>` for any other;
//! - its default network's bridge: `berth0` for the default root, `berth<id>` otherwise
//!   (user networks' bridges are `br-<network id>`, unique anyway);
//! - the alias `berth:<id>` on every bridge it makes, by which its cleanup knows them.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::store::paths::DEFAULT_ROOT;
use crate::store::root_id::root_id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub root: PathBuf,
    pub table: String,
    pub default_bridge: String,
}

impl Owner {
    /// The owner for the root at `root` (its ID is made on first use).
    pub fn of(root: &Path) -> Result<Owner> {
        let id = root_id(root)?;
        Ok(Owner::named(root, id))
    }

    fn named(root: &Path, id: String) -> Owner {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        // The default root keeps the short names people see in `ip link` and `nft list`.
        let (table, default_bridge) = if root == Path::new(DEFAULT_ROOT) {
            ("berth".to_string(), "berth0".to_string())
        } else {
            (format!("berth_{id}"), format!("berth{id}"))
        };
        Owner {
            id,
            root,
            table,
            default_bridge,
        }
    }

    /// The mark on this root's bridges.
    pub fn bridge_alias(&self) -> String {
        format!("berth:{}", self.id)
    }

    /// Whether a bridge with this alias is this root's. Bridges made before roots had
    /// IDs were marked with the firewall table's name; only the default root (whose
    /// table kept its name) may adopt those.
    pub fn owns(&self, alias: Option<&str>) -> bool {
        match alias {
            Some(a) if a == self.bridge_alias() => true,
            Some("berth:berth") => self.table == "berth",
            _ => false,
        }
    }

    /// Whether a bridge with this alias belongs to some other berth root.
    pub fn foreign(&self, alias: Option<&str>) -> bool {
        alias.is_some_and(|a| a.starts_with("berth:")) && !self.owns(alias)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_root_id() {
        let d = tempfile::tempdir().unwrap();
        let o = Owner::named(d.path(), "0a1b2c3d".into());
        assert_eq!(o.table, "berth_0a1b2c3d");
        assert_eq!(o.default_bridge, "berth0a1b2c3d");
        assert!(
            o.default_bridge.len() <= 15,
            "an interface name fits IFNAMSIZ"
        );
        assert_eq!(o.bridge_alias(), "berth:0a1b2c3d");
        assert!(o.owns(Some("berth:0a1b2c3d")));
        assert!(!o.owns(Some("berth:berth")));
        assert!(o.foreign(Some("berth:ffffffff")) && o.foreign(Some("berth:berth")));
        assert!(!o.foreign(None) && !o.foreign(Some("uplink")));
        let default = Owner::named(Path::new(DEFAULT_ROOT), "0a1b2c3d".into());
        assert_eq!(
            (default.table.as_str(), default.default_bridge.as_str()),
            ("berth", "berth0")
        );
        assert!(default.owns(Some("berth:berth")));
    }
}
