//! The server's allocator: mimalloc, told to hand freed pages back to the
//! system within 10 ms.
//!
//! mimalloc 3 keeps a thread's freed pages for a second (ten for whole
//! arenas) before giving them back. A schedule request on 151 200 tasks
//! runs on whichever blocking thread is free, so back-to-back requests each
//! found the previous one's pages still resident: the server's peak grew
//! from 271 to 344 MiB over six critical-path requests, above issue 16's
//! 300 MB, and a causes request peaked at 340 MiB. With a 10 ms delay the
//! peak stays at 239–262 MiB and causes at ~315 MiB; list and small-request
//! throughput did not move measurably (bench/README.md).
//!
//! mimalloc reads its options from the environment once, when the process
//! loads, and setting one afterwards needs its C API (`unsafe`). So `fennec
//! serve` started without `MIMALLOC_PURGE_DELAY` replaces itself, same pid
//! and arguments, by an `exec` with it set. An operator's own value is kept.

use std::ffi::OsStr;

/// mimalloc's environment variable for the delay, and Fennec's default.
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";
const PURGE_DELAY_MS: &str = "10";

/// For `fennec serve` without `MIMALLOC_PURGE_DELAY` set: re-executes the
/// binary with it set, never returning on success. Returns (and the server
/// runs with mimalloc's default) when the binary cannot be re-executed.
pub fn purge_promptly_when_serving() {
    if cfg!(feature = "system-allocator")
        || std::env::var_os(PURGE_DELAY).is_some()
        || std::env::args_os().nth(1).as_deref() != Some(OsStr::new("serve"))
    {
        return;
    }
    reexec_with_delay();
}

#[cfg(unix)]
fn reexec_with_delay() {
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let err = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env(PURGE_DELAY, PURGE_DELAY_MS)
        .exec();
    eprintln!(
        "fennec: could not restart with {PURGE_DELAY}={PURGE_DELAY_MS} ({err}); \
         serving with mimalloc's default, memory may stay higher after large requests"
    );
}

#[cfg(not(unix))]
fn reexec_with_delay() {}
