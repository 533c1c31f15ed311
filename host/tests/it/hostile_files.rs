//! Files in our directories: what another local user (or a
//! broken disk) may put where we keep cache entries, lock files and IdP
//! sessions: FIFOs, symlinks, huge files, foreign files, leftovers. Every
//! case must end (no hang), print credentials or a one-line error, and
//! never touch what a planted link points to. Also the odd homes: a
//! read-only HOME without a cache directory, and no HOME at all.
// Planted symlinks, FIFOs, file modes and foreign owners: Unix file
// semantics (Windows gets its own refusals in safe_fs).
#![cfg(unix)]

use crate::common;
use crate::conformance_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use conformance_support::{entries, walk};

/// `cmd` under coreutils `timeout`: a hang fails the test (status 124)
/// instead of hanging the suite.
fn bounded(cmd: &Command) -> Command {
    // Absolute: some cases run with an empty or hostile PATH.
    let mut c = Command::new("/usr/bin/timeout");
    c.arg("-k").arg("5").arg("60").arg(cmd.get_program());
    c.args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        c.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.stdin(std::process::Stdio::null());
    c
}

#[track_caller]
fn run_bounded(cmd: Command) -> Out {
    let out = run(bounded(&cmd));
    assert_ne!(out.code, 124, "the command hung; stderr:\n{}", out.stderr);
    out
}

fn mkfifo(p: &Path) {
    // `mkfifo(1)`, not mknodat: macOS has no mknodat.
    assert!(std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success());
}

/// Log in once and return the path of the entry written.
fn seed(ctx: &Ctx) -> PathBuf {
    run_bounded(ctx.saml(&[])).ok();
    let e = entries(&ctx.cache_dir());
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].clone()
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[test]
fn a_fifo_in_place_of_an_entry_or_lock_is_a_miss_not_a_hang() {
    let ctx = Ctx::new();
    let entry = seed(&ctx);
    let lock = entry.with_extension("lock");
    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);
    let _ = std::fs::remove_file(&lock);
    mkfifo(&lock);
    let out = run_bounded(ctx.saml(&[]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(ctx.idp_hits(), 2, "the FIFO must read as a miss");
    assert_eq!(
        out.stderr.matches("is a FIFO").count(),
        2,
        "one warning for the entry, one for the lock:\n{}",
        out.stderr
    );
    // The login replaced both with regular files.
    assert!(std::fs::symlink_metadata(&entry).unwrap().is_file());

    // `cache list`, `doctor` and `cache clear` with a FIFO planted.
    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);
    let list = run_bounded({
        let mut c = ctx.command("awsprocesscreds");
        c.args(["cache", "list"]);
        c
    });
    list.ok();
    assert!(
        list.stdout.contains("No cached credentials"),
        "{}",
        list.stdout
    );
    let doctor = run_bounded({
        let mut c = ctx.command("awsprocesscreds");
        c.args(["doctor", "--plugin-dir"]).arg(&ctx.plugin_dir);
        c
    });
    assert!(
        doctor.stdout.contains("1 unreadable"),
        "doctor must count the FIFO:\n{}",
        doctor.stdout
    );
    run_bounded({
        let mut c = ctx.command("awsprocesscreds");
        c.args(["cache", "clear"]);
        c
    })
    .ok();
    assert!(
        std::fs::symlink_metadata(&entry).is_err(),
        "clear keeps the FIFO"
    );
}

#[test]
fn a_planted_lock_symlink_never_touches_its_target() {
    let ctx = Ctx::new();
    let entry = seed(&ctx);
    std::fs::remove_file(&entry).unwrap();
    let lock = entry.with_extension("lock");
    let _ = std::fs::remove_file(&lock);
    let victim = ctx.tmp.path().join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let out = run_bounded(ctx.saml(&[]));
    out.ok();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
}

#[test]
fn symlinked_oversized_and_corrupt_entries_are_misses_warned_once() {
    let ctx = Ctx::new();
    let entry = seed(&ctx);
    // A symlink to a perfectly valid entry elsewhere: still not trusted.
    let elsewhere = ctx.tmp.path().join("copy.json");
    std::fs::copy(&entry, &elsewhere).unwrap();
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &entry).unwrap();
    let out = run_bounded(ctx.saml(&[]));
    out.ok();
    assert_eq!(ctx.idp_hits(), 2);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);

    // 2 MiB where a 2 KiB entry belongs.
    std::fs::write(&entry, vec![b' '; 2 << 20]).unwrap();
    let out = run_bounded(ctx.saml(&[]));
    out.ok();
    assert_eq!(ctx.idp_hits(), 3);
    assert!(out.stderr.contains("more than the"), "{}", out.stderr);

    // Corrupt: read before the lock and again after it, warned once.
    std::fs::write(&entry, b"{\"format\":1,\"key\":{\"provi").unwrap();
    let out = run_bounded(ctx.saml(&[]));
    out.ok();
    assert_eq!(
        out.stderr.matches("is corrupt").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn cache_clear_removes_every_file_including_leftovers_and_sessions() {
    let ctx = Ctx::new();
    seed(&ctx);
    let dir = ctx.cache_dir();
    std::fs::write(dir.join("0000.json"), b"{ corrupt").unwrap();
    std::fs::write(
        dir.join("1111.json"),
        br#"{"format":0,"credentials":{"SecretAccessKey":"old-secret"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("2222.lock"), b"123").unwrap();
    mkfifo(&dir.join("3333.json"));
    std::fs::create_dir_all(dir.join("sessions")).unwrap();
    std::fs::write(dir.join("sessions").join("abcd.json"), b"{}").unwrap();
    let out = run_bounded({
        let mut c = ctx.command("awsprocesscreds");
        c.args(["cache", "clear"]);
        c
    });
    out.ok();
    let left: Vec<PathBuf> = walk(&dir).into_iter().filter(|p| !p.is_dir()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(
        out.stderr.contains("removed 4 cached credentials"),
        "{}",
        out.stderr
    );
}

#[test]
fn stale_lock_files_of_keys_without_an_entry_are_cleaned() {
    let ctx = Ctx::new();
    let dir = ctx.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, 0o700);
    let orphan = dir.join(format!("{}.lock", "ab".repeat(32)));
    std::fs::write(&orphan, b"4242").unwrap();
    let entry = seed(&ctx);
    assert!(!orphan.exists(), "an orphan lock survived a login");
    assert!(entry.with_extension("lock").exists(), "our own lock stays");
    // A filtered clear removes the entry and then its stale lock.
    run_bounded({
        let mut c = ctx.command("awsprocesscreds");
        c.args(["cache", "clear", "-p", "fixture-saml"]);
        c
    })
    .ok();
    assert!(!entry.exists());
    assert!(!entry.with_extension("lock").exists());
}

#[test]
fn a_directory_others_could_write_is_tightened_and_its_plants_removed() {
    let ctx = Ctx::new();
    let dir = ctx.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, 0o777);
    let planted = dir.join("planted.json");
    std::os::unix::fs::symlink("/etc/passwd", &planted).unwrap();
    mkfifo(&dir.join("fifo.lock"));
    let foreign = dir.join("foreign.json");
    if is_root() {
        std::fs::write(&foreign, b"{}").unwrap();
        std::os::unix::fs::chown(&foreign, Some(4242), Some(4242)).unwrap();
    }
    let out = run_bounded(ctx.saml(&[]));
    out.ok();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(std::fs::symlink_metadata(&planted).is_err());
    assert!(std::fs::symlink_metadata(dir.join("fifo.lock")).is_err());
    if is_root() {
        assert!(!foreign.exists(), "a foreign file survived the tightening");
    }
}

#[test]
fn a_read_only_home_without_a_cache_dir_still_logs_in() {
    if !is_root() {
        // Without root a 0500 HOME is read-only; with root only chattr is.
        let ctx = Ctx::new();
        let home = ctx.home();
        std::fs::create_dir_all(&home).unwrap();
        set_mode(&home, 0o500);
        let mut cmd = ctx.saml(&[]);
        cmd.env_remove("AWSPROCESSCREDS_CACHE_DIR");
        let out = run_bounded(cmd);
        set_mode(&home, 0o700);
        out.ok();
        assert!(out.stderr.contains("could not cache the credentials"));
        return;
    }
    let ctx = Ctx::new();
    let home = ctx.home();
    std::fs::create_dir_all(&home).unwrap();
    let ok = Command::new("chattr")
        .arg("+i")
        .arg(&home)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: chattr +i is not supported here");
        return;
    }
    let mut cmd = ctx.saml(&[]);
    cmd.env_remove("AWSPROCESSCREDS_CACHE_DIR");
    let out = run(bounded(&cmd));
    let _ = Command::new("chattr").arg("-i").arg(&home).status();
    out.ok();
    assert_credentials(&out.json());
    assert!(
        out.stderr.contains("could not cache the credentials"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_home_works_with_no_cache_and_is_a_clear_error_without() {
    let ctx = Ctx::new();
    let mut cmd = ctx.saml(&["--no-cache"]);
    cmd.env_remove("HOME")
        .env_remove("AWSPROCESSCREDS_CACHE_DIR");
    let out = run_bounded(cmd);
    out.ok();
    assert_credentials(&out.json());
    let mut cmd = ctx.saml(&[]);
    cmd.env_remove("HOME")
        .env_remove("AWSPROCESSCREDS_CACHE_DIR");
    run_bounded(cmd).fails(2, "HOME is not set");
}

#[test]
fn a_session_file_of_another_user_or_a_fifo_is_ignored() {
    // The session store itself is covered by unit tests; here: a planted
    // sessions directory full of hostile files does not stop a login, and
    // `cache clear` empties it.
    let ctx = Ctx::new();
    let sessions = ctx.cache_dir().join("sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    set_mode(&ctx.cache_dir(), 0o700);
    set_mode(&sessions, 0o700);
    mkfifo(&sessions.join("fifo.json"));
    std::fs::write(sessions.join("big.json"), vec![b' '; 2 << 20]).unwrap();
    run_bounded(ctx.saml(&[])).ok();
    run_bounded({
        let mut c = ctx.command("awsprocesscreds");
        c.args(["cache", "clear"]);
        c
    })
    .ok();
    assert!(walk(&ctx.cache_dir()).iter().all(|p| p.is_dir()));
}

#[test]
fn the_lock_wait_notice_names_the_program_once() {
    let ctx = Ctx::new();
    let entry = seed(&ctx);
    std::fs::remove_file(&entry).unwrap();
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(entry.with_extension("lock"))
        .unwrap();
    lock.lock().unwrap();
    let out = run_bounded(ctx.saml(&["-v", "--lock-timeout", "2"]));
    drop(lock);
    out.fails(1, "gave up after 2s");
    let notice = out
        .stderr
        .lines()
        .find(|l| l.contains("waiting for another login"))
        .unwrap_or_else(|| panic!("no wait notice:\n{}", out.stderr));
    assert_eq!(
        notice.matches("awsprocesscreds-saml").count(),
        1,
        "{notice}"
    );
}

#[test]
fn the_slim_front_end_never_runs_awsprocesscreds_from_the_current_directory() {
    let ctx = Ctx::new();
    // The slim binary alone in a directory, nothing beside it.
    let lone = ctx.tmp.path().join("lone");
    std::fs::create_dir(&lone).unwrap();
    let slim = lone.join("awsprocesscreds-saml");
    std::fs::copy(bin_dir().join("awsprocesscreds-saml"), &slim).unwrap();
    // An attacker's `awsprocesscreds` in the directory the AWS CLI runs in.
    let cwd = ctx.tmp.path().join("project");
    std::fs::create_dir(&cwd).unwrap();
    let marker = ctx.tmp.path().join("ran");
    let evil = cwd.join("awsprocesscreds");
    std::fs::write(&evil, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    set_mode(&evil, 0o755);
    for path in ["", ".", ":/usr/bin", "/usr/bin::/bin", "project"] {
        let mut cmd = ctx.saml(&[]);
        let mut c = Command::new(&slim);
        c.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c.env("PATH", path).current_dir(if path == "project" {
            ctx.tmp.path()
        } else {
            cwd.as_path()
        });
        cmd = c;
        let out = run_bounded(cmd);
        assert!(!marker.exists(), "PATH={path:?} ran ./awsprocesscreds");
        out.fails(1, "cannot find the awsprocesscreds binary");
    }
    // An absolute PATH entry is fine.
    let mut c = Command::new(&slim);
    let cmd = ctx.saml(&[]);
    c.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    c.env("PATH", bin_dir()).current_dir(&cwd);
    run_bounded(c).ok();
    assert!(!marker.exists());
}
