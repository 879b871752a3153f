//! `fennec serve` restarts itself with mimalloc's purge delay set
//! (allocator.rs), in the same process, and keeps an operator's own value.
#![cfg(target_os = "linux")]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn serve(delay: Option<&str>) -> (Child, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fennec"));
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.path().join("f.db").display()))
        .arg("--media-dir")
        .arg(dir.path().join("media"))
        .env("FENNEC_ADMIN_PASSWORD", "not-used-here")
        .env_remove("MIMALLOC_PURGE_DELAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(d) = delay {
        cmd.env("MIMALLOC_PURGE_DELAY", d);
    }
    let mut child = cmd.spawn().unwrap();
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, dir);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("fennec serve did not listen on {port}");
}

/// The environment the kernel holds for `pid`: what exec gave the image
/// now running there.
fn environment(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/environ"))
        .unwrap()
        .split(|b| *b == 0)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

/// The environment of a `fennec serve` started with `delay`, read while
/// it listens; the server is stopped before this returns.
fn serving_environment(delay: Option<&str>) -> Vec<String> {
    let (mut child, _dir) = serve(delay);
    // The server listening is the spawned pid itself, after its exec.
    let env = environment(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    env
}

#[test]
fn serve_runs_with_a_short_purge_delay_in_the_process_it_was_started_as() {
    let env = serving_environment(None);
    assert!(
        env.iter().any(|v| v == "MIMALLOC_PURGE_DELAY=10"),
        "{env:?}"
    );
}

#[test]
fn serve_keeps_an_operators_own_purge_delay() {
    let env = serving_environment(Some("250"));
    assert!(
        env.iter().any(|v| v == "MIMALLOC_PURGE_DELAY=250"),
        "{env:?}"
    );
    assert!(!env.iter().any(|v| v == "MIMALLOC_PURGE_DELAY=10"));
}
