//! Writing a file so that nothing is lost: the new content goes to a
//! temporary file beside the target and replaces it by a rename only once
//! complete, so a failed run (a full disk, an interrupted batch) leaves the
//! old file as it was; and an output that is one of the inputs is refused
//! before anything is written.
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Whether two files are the same file: the same device and inode on Unix
/// (whatever the names, links or `/dev/fd` paths that lead to them), the
/// same canonical path elsewhere.
pub fn same_file(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// The file behind standard input, if it is one (`regula batch < x.jsonl`).
pub fn stdin_metadata() -> Option<Metadata> {
    #[cfg(unix)]
    {
        fd_metadata(io::stdin())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The file behind standard output, if it is one (`regula batch x >> y`).
pub fn stdout_metadata() -> Option<Metadata> {
    #[cfg(unix)]
    {
        fd_metadata(io::stdout())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The file behind a descriptor, whatever it is.
#[cfg(unix)]
fn fd_metadata(fd: impl std::os::fd::AsFd) -> Option<Metadata> {
    let owned = fd.as_fd().try_clone_to_owned().ok()?;
    File::from(owned).metadata().ok()
}

/// A file being written in place of `target`.
pub struct Replacement {
    target: PathBuf,
    /// The temporary file; None when writing straight to the target.
    temp: Option<PathBuf>,
    file: Option<io::BufWriter<File>>,
}

impl Replacement {
    /// Starts writing `target`. A regular file (or a name not yet taken) is
    /// written through a temporary file in the same directory; anything else
    /// (a device such as `/dev/null`, a FIFO) is written directly, since a
    /// rename would replace the device itself.
    pub fn create(target: &Path) -> io::Result<Replacement> {
        // A symbolic link stays one: the file it leads to is replaced.
        let resolved;
        let target = match fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                resolved = fs::canonicalize(target)?;
                resolved.as_path()
            }
            _ => target,
        };
        let existing = fs::metadata(target).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = fs::OpenOptions::new().write(true).open(target)?;
            return Ok(Replacement {
                target: target.to_path_buf(),
                temp: None,
                file: Some(io::BufWriter::with_capacity(1 << 16, file)),
            });
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "output".to_string());
        let mut attempt = 0u32;
        loop {
            let temp = dir.join(format!(
                ".{base}.{}-{attempt}.regula-tmp",
                std::process::id()
            ));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
            {
                Ok(file) => {
                    if let Some(m) = &existing {
                        // The replacement keeps the old file's permissions.
                        let _ = fs::set_permissions(&temp, m.permissions());
                    }
                    return Ok(Replacement {
                        target: target.to_path_buf(),
                        temp: Some(temp),
                        file: Some(io::BufWriter::with_capacity(1 << 16, file)),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes the written content the target's: flushed, synced to disk,
    /// then renamed over it.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(mut w) = self.file.take() {
            w.flush()?;
            let file = w.into_inner().map_err(|e| e.into_error())?;
            if self.temp.is_some() {
                file.sync_all()?;
            }
        }
        if let Some(temp) = self.temp.take() {
            if let Err(e) = fs::rename(&temp, &self.target) {
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Write for Replacement {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("the output is already complete")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Replacement {
    /// Not committed: the temporary file goes, the target stays as it was.
    fn drop(&mut self) {
        drop(self.file.take());
        if let Some(temp) = self.temp.take() {
            let _ = fs::remove_file(temp);
        }
    }
}
