//! `--output credentials-file`: write one `[NAME]` section of the shared
//! credentials file for tools that read only `~/.aws/credentials`.
//!
//! The rest of the file is kept byte for byte. Writers take a lock file
//! next to it and re-read the file under the lock, so concurrent writers
//! of different sections never lose each other's work; the new file is
//! written to a temporary file and renamed into place (0600).

use std::fs::{self, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

use protocol::Credentials;

use crate::env_vars as ev;
use crate::error::{Error, Result};
use crate::{cache, ini, log};

/// Larger than any real credentials file.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
pub fn path() -> Result<PathBuf> {
    crate::home::aws_file(
        ev::AWS_SHARED_CREDENTIALS_FILE,
        "credentials",
        "the shared credentials file",
    )
}

/// Check `--credentials-profile` before any login starts.
pub fn check_name(name: Option<&str>) -> Result<&str> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(
            Error::usage("--output credentials-file needs --credentials-profile NAME")
                .hint("for example --output credentials-file --credentials-profile dev"),
        );
    };
    if name.contains(['[', ']', '\n', '\r']) {
        return Err(Error::usage(format!(
            "--credentials-profile {name:?} is not a usable section name"
        )));
    }
    Ok(name)
}

/// The section text for `name`.
pub fn section(name: &str, c: &Credentials) -> String {
    let mut s = format!(
        "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        c.access_key_id,
        c.secret_access_key.expose()
    );
    if let Some(t) = &c.session_token {
        s.push_str(&format!("aws_session_token = {}\n", t.expose()));
    }
    if let Some(e) = &c.expiration {
        s.push_str(&format!("x_security_token_expires = {e}\n"));
    }
    s
}

/// `text` with section `name` replaced (or appended) by `new`.
pub fn updated(text: &str, name: &str, new: &str) -> String {
    let sections = ini::parse(text);
    ini::splice(text, sections.iter().find(|s| s.name == name), new)
}

/// Read a file we are about to rewrite: bounded, never through a symlink.
pub fn read_existing(path: &Path) -> Result<String> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::io(format!(
                "{} is a symbolic link; refusing to replace it",
                path.display()
            ))
            .hint("point AWS_SHARED_CREDENTIALS_FILE at the real file"))
        }
        Ok(m) if !m.is_file() => {
            return Err(Error::io(format!(
                "{} is not a regular file",
                path.display()
            )))
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
        Err(e) => return Err(Error::io(format!("cannot read {}: {e}", path.display()))),
    }
    let mut buf = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut buf))
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    if buf.len() as u64 > MAX_BYTES {
        return Err(Error::io(format!(
            "{} is larger than 4 MiB; refusing to rewrite it",
            path.display()
        )));
    }
    String::from_utf8(buf).map_err(|_| Error::io(format!("{} is not UTF-8 text", path.display())))
}

/// Replace the section whose header `is_header` accepts (or append) with
/// `new` in the INI file at `path`, under the lock, atomically.
pub fn rewrite_locked(path: &Path, new: &str, is_header: impl Fn(&str) -> bool) -> Result<()> {
    update_locked(path, |text| {
        let sections = ini::parse(text);
        Ok(ini::splice(
            text,
            sections.iter().find(|s| is_header(&s.name)),
            new,
        ))
    })
}

/// Rewrite the file at `path` as `f(current text)` while holding a lock
/// file next to it (so concurrent writers serialise and each sees the
/// others' changes), atomically (temp + rename, 0600); creates the file
/// and its directory (0700).
pub fn update_locked(path: &Path, f: impl FnOnce(&str) -> Result<String>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        cache::ensure_private_dir(dir)?;
    }
    let lock_path = dir.join(format!(
        ".{}.awsprocesscreds.lock",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let lock = opts.open(&lock_path).map_err(|e| {
        Error::io(format!(
            "cannot open lock file {}: {e}",
            lock_path.display()
        ))
    })?;
    lock.lock()
        .map_err(|e| Error::io(format!("cannot lock {}: {e}", lock_path.display())))?;
    // Re-read under the lock: another writer may have just added its section.
    let result = read_existing(path)
        .and_then(|text| f(&text))
        .and_then(|out| cache::write_atomic(path, out.as_bytes()));
    let _ = lock.unlock();
    result
}

/// Write `c` as section `name` of the shared credentials file and say so
/// on stderr.
pub fn write(name: &str, c: &Credentials) -> Result<()> {
    let path = path()?;
    rewrite_locked(&path, &section(name, c), |h| h == name)?;
    let until = c
        .expiration
        .as_deref()
        .map(|e| format!(" (valid until {e})"))
        .unwrap_or_default();
    eprintln!(
        "{}: wrote credentials for [{name}] to {}{until}",
        log::program(),
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Secret;

    fn c() -> Credentials {
        Credentials::new("ASIAEXAMPLE", Secret::new("sec".into()))
            .session_token(Some(Secret::new("tok".into())))
            .expiration(Some("2030-01-01T00:00:00Z".into()))
    }

    #[test]
    fn section_format_is_pinned() {
        assert_eq!(
            section("dev", &c()),
            "[dev]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = sec\naws_session_token = tok\nx_security_token_expires = 2030-01-01T00:00:00Z\n"
        );
    }

    #[test]
    fn other_sections_are_kept() {
        let text = "# mine\n[default]\naws_access_key_id = AKIA\n\n[dev]\naws_access_key_id = OLD\n# keep me\n[prod] ; x\nk = v";
        let out = updated(text, "dev", &section("dev", &c()));
        assert!(out.starts_with("# mine\n[default]\naws_access_key_id = AKIA\n\n[dev]\naws_access_key_id = ASIAEXAMPLE\n"));
        assert!(out.ends_with(
            "x_security_token_expires = 2030-01-01T00:00:00Z\n# keep me\n[prod] ; x\nk = v"
        ));
        assert_eq!(check_name(None).unwrap_err().exit_code(), 2);
        assert!(check_name(Some("a]b")).is_err());
    }
}
