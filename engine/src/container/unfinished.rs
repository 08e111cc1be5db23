//! Removals that a kill interrupted (`rm -f` killed after it stopped the container, or
//! between hiding the directory and purging it), finished by the next command's sweep
//! so no empty run dir, cgroup or address is left and the `destroy` event is written
//! once.

use crate::error::Result;
use crate::store::intent::Orphan;
use crate::Engine;

impl Engine {
    pub(crate) fn finish_remove(&self, o: &Orphan) -> Result<()> {
        let volumes = o.detail == "volumes";
        match self.containers().load(&o.id) {
            Ok(c) => return self.remove(&c, true, volumes),
            Err(e) if !e.is_not_found() => return Err(e),
            Err(_) => {}
        }
        // Hidden but not purged: its record is still in the hidden directory.
        let hidden = self.paths.containers_dir().join(format!(".rm-{}", o.id));
        let record = crate::store::read_json::<super::ContainerRecord>(&hidden.join("config.json"));
        if hidden.exists() {
            self.containers().purge(&o.id, &hidden)?;
        } else {
            // Purged already; what may remain is the runtime dir.
            let _ = std::fs::remove_dir_all(self.paths.container_run_dir(&o.id));
        }
        if let Ok(rec) = record {
            crate::network::attach::release(&self.networks(), &rec);
            // The removal writes its event before it purges; a kill may have come
            // before or after that line.
            let said = !crate::events::journal::read(&self.paths, |e| {
                e.action == "destroy" && e.actor.id == o.id
            })
            .is_empty();
            if !said {
                crate::events::container_event(&self.paths, &rec, "destroy", &[]);
            }
            if volumes {
                self.remove_anonymous_volumes(&rec)?;
            }
        }
        Ok(())
    }
}
