//! One test at a time among those that start a desktop of their own: a sound server (the
//! siren tests record it in real time) or an X display with a webview (the window tests). Run
//! side by side on two busy cores they starve each other's real-time paths and time out for
//! reasons that are not Klaxon's. Tests of one binary run on parallel threads, and other
//! binaries (or a second `cargo test`) may run at once, so the turn is an `flock` on a file in
//! the temp dir, which both kinds of neighbour respect and the kernel releases if the holder
//! dies.
//!
//! A test that needs both (a window and a sound server) takes the turn twice on its own
//! thread: the second is free, so one test can never wait on itself.

use std::cell::Cell;
use std::fs::File;
use std::os::fd::AsRawFd;

thread_local! {
    /// How many turns this thread holds.
    static HELD: Cell<usize> = const { Cell::new(0) };
}

/// Held until dropped; the outermost one holds the lock file.
pub struct Turn {
    lock: Option<File>,
}

/// Waits for the desktop, however long the tests before take.
pub fn desktop_turn() -> Turn {
    let held = HELD.with(Cell::get);
    let lock = (held == 0).then(|| {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        let path = std::env::temp_dir().join(format!("klaxon-e2e-desktop-{uid}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        loop {
            // SAFETY: flock on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                break;
            }
            let e = std::io::Error::last_os_error();
            assert!(
                e.kind() == std::io::ErrorKind::Interrupted,
                "cannot lock {}: {e}",
                path.display()
            );
        }
        file
    });
    HELD.with(|h| h.set(held + 1));
    Turn { lock }
}

impl Drop for Turn {
    fn drop(&mut self) {
        HELD.with(|h| h.set(h.get().saturating_sub(1)));
        // Closing the file releases the lock.
        self.lock.take();
    }
}
