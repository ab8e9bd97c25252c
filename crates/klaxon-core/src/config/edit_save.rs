//! How `ConfigDocument::save` puts the new text on disk: through a symbolic link to the file it
//! names (a klaxon.toml kept in a dotfile repository stays a link), with the old file's
//! permissions from the first byte, and flushed before the rename that makes it the config.

use std::path::{Path, PathBuf};

/// The file a save replaces: `path`, or where its chain of links ends (even at a file not
/// made yet).
pub(super) fn written_path(path: &Path) -> std::io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    // A bound, as the system's own: a loop of links is an error, not a hang.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(path),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "{} is a loop of symbolic links",
        path.display()
    )))
}

/// Writes a new file with `permissions` from the start (never readable by others for a moment)
/// and flushed to disk before it replaces anything.
pub(super) fn write_new(
    path: &Path,
    text: &str,
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if let Some(p) = &permissions {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(p.mode());
    }
    let mut file = options.open(path)?;
    if let Some(p) = permissions {
        // The mode given at creation is narrowed by the umask: set it exactly.
        file.set_permissions(p)?;
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
