//! A container's environment as Docker builds its `Config.Env`: the user's `-e` entries
//! first, in the order given, then every image variable the user did not set.

/// The name of a `KEY=VALUE` entry (the whole entry when it has no `=`).
fn key(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(k, _)| k)
}

/// Docker's merge of the image's environment into the user's (moby's `merge` of the
/// container config with the image config): user entries stay as given, image entries
/// follow unless the user set the same name.
pub fn merge_image_env(image: &[String], user: &[String]) -> Vec<String> {
    let mut out = user.to_vec();
    for e in image {
        if !user.iter().any(|u| key(u) == key(e)) {
            out.push(e.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn user_entries_first_then_the_images_unset_ones() {
        let image = v(&["PATH=/bin", "A=1"]);
        assert_eq!(
            merge_image_env(&image, &v(&["A=2", "B=3"])),
            v(&["A=2", "B=3", "PATH=/bin"])
        );
        assert_eq!(merge_image_env(&image, &[]), image);
        assert_eq!(merge_image_env(&[], &v(&["X=1"])), v(&["X=1"]));
        // An override of PATH replaces the image's.
        assert_eq!(
            merge_image_env(&image, &v(&["PATH=/opt"])),
            v(&["PATH=/opt", "A=1"])
        );
    }
}
