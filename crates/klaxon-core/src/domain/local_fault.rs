//! Faults of this machine, not of the target: a check that fails because Klaxon's own process
//! ran out of open files (EMFILE), the system ran out of file handles (ENFILE) or memory
//! (ENOMEM), or no local port was free for the connection (EADDRNOTAVAIL on connect) says
//! nothing about the service it was checking.
//!
//! This module owns the one decision "is this error ours?" ([`LocalFault::of`]). The probes ask
//! it about every error they meet; a sample that carries a [`LocalFault`] is never judged (the
//! judge treats it as inconclusive), and the engine shows the fault loudly instead of ringing for
//! a healthy service.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use serde::{Deserialize, Serialize};

/// What this machine ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalFault {
    /// EMFILE: Klaxon's process has as many files open as its limit allows.
    OpenFiles,
    /// ENFILE: the whole system's file table is full.
    SystemFiles,
    /// ENOMEM (and ENOBUFS): no memory for the socket or the buffer.
    Memory,
    /// EADDRNOTAVAIL on connect: no free local (ephemeral) port.
    Ports,
}

impl LocalFault {
    /// The local fault an io error stands for, if it is one.
    pub fn of(e: &io::Error) -> Option<LocalFault> {
        if e.kind() == io::ErrorKind::OutOfMemory {
            return Some(LocalFault::Memory);
        }
        e.raw_os_error().and_then(from_errno)
    }

    /// The first local fault anywhere in an error's chain, looking inside `io::Error`s too
    /// (libraries wrap the socket's error several layers deep: reqwest → hyper-util → io).
    pub fn in_chain(err: &(dyn StdError + 'static)) -> Option<LocalFault> {
        let mut next = Some(err);
        while let Some(e) = next {
            if let Some(io) = e.downcast_ref::<io::Error>() {
                if let Some(fault) = LocalFault::of(io) {
                    return Some(fault);
                }
                // `io::Error::source` skips the error it wraps; `get_ref` does not.
                next = match io.get_ref() {
                    Some(inner) => Some(inner as &(dyn StdError + 'static)),
                    None => e.source(),
                };
            } else {
                next = e.source();
            }
        }
        None
    }

    /// The sentence a check's reason carries: it says whose fault it is.
    pub fn reason(self) -> String {
        format!("not checked: {self} (a fault on this machine, not the service)")
    }
}

impl fmt::Display for LocalFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocalFault::OpenFiles => "Klaxon has too many open files",
            LocalFault::SystemFiles => "the system has too many open files",
            LocalFault::Memory => "this machine is out of memory",
            LocalFault::Ports => "no local port is free for a new connection",
        })
    }
}

#[cfg(unix)]
fn from_errno(code: i32) -> Option<LocalFault> {
    use rustix::io::Errno;
    match Errno::from_raw_os_error(code) {
        Errno::MFILE => Some(LocalFault::OpenFiles),
        Errno::NFILE => Some(LocalFault::SystemFiles),
        Errno::NOMEM | Errno::NOBUFS => Some(LocalFault::Memory),
        Errno::ADDRNOTAVAIL => Some(LocalFault::Ports),
        _ => None,
    }
}

#[cfg(not(unix))]
fn from_errno(code: i32) -> Option<LocalFault> {
    // Winsock's names for the same conditions.
    match code {
        10024 => Some(LocalFault::OpenFiles), // WSAEMFILE
        10055 => Some(LocalFault::Memory),    // WSAENOBUFS
        10049 => Some(LocalFault::Ports),     // WSAEADDRNOTAVAIL
        _ => None,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use rustix::io::Errno;

    fn os(errno: Errno) -> io::Error {
        io::Error::from_raw_os_error(errno.raw_os_error())
    }

    #[test]
    fn running_out_of_files_memory_or_ports_is_a_local_fault() {
        assert_eq!(
            LocalFault::of(&os(Errno::MFILE)),
            Some(LocalFault::OpenFiles)
        );
        assert_eq!(
            LocalFault::of(&os(Errno::NFILE)),
            Some(LocalFault::SystemFiles)
        );
        assert_eq!(LocalFault::of(&os(Errno::NOMEM)), Some(LocalFault::Memory));
        assert_eq!(
            LocalFault::of(&os(Errno::ADDRNOTAVAIL)),
            Some(LocalFault::Ports)
        );
    }

    #[test]
    fn the_service_refusing_or_timing_out_is_not_a_local_fault() {
        assert_eq!(LocalFault::of(&os(Errno::CONNREFUSED)), None);
        assert_eq!(LocalFault::of(&os(Errno::TIMEDOUT)), None);
        assert_eq!(LocalFault::of(&os(Errno::HOSTUNREACH)), None);
    }

    #[test]
    fn a_local_fault_is_found_deep_in_an_error_chain() {
        let wrapped = io::Error::other(io::Error::other(os(Errno::MFILE)));
        assert_eq!(LocalFault::in_chain(&wrapped), Some(LocalFault::OpenFiles));
    }
}
