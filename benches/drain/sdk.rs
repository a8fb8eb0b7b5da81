//! Section "sdk": the drain rate of the official GREEN-API Python SDK
//! (`whatsapp-api-client-python`, its own receive loop, see `sdk_drain.py`) next to
//! `greenq tail`'s, over the same pre-filled queue of the same emulator: on loopback, and
//! through the delay proxy, where both wait on round trips as on the live service.
//!
//! The SDK is installed from PyPI into a venv under `target/` on first use; when that is
//! not possible the section says why and is skipped. Its time is measured inside the
//! script (interpreter start and imports excluded); tail's is its process's wall time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{
    CHILD_LIMIT, DelayProxy, Emulator, INSTANCE, Sizes, TOKEN, Table, assert_empty, prefill,
    progress, tail_rate, tail_through_delay, watchdog,
};

const PACKAGE: &str = "whatsapp-api-client-python";
pub(super) const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/drain/sdk_drain.py");
/// Each way, as in the round-trip section.
const ONE_WAY: Duration = Duration::from_millis(10);

pub fn report(sizes: &Sizes, table: &mut Table) {
    if let Err(why) = measure(sizes, table) {
        progress(format_args!("sdk: skipped: {why}"));
        table.row(
            format!("official Python SDK ({PACKAGE})"),
            "skipped",
            "",
            None,
        );
        table.row(format!("  {why}"), "", "", None);
    }
}

fn measure(sizes: &Sizes, table: &mut Table) -> Result<(), String> {
    let python = python_with_sdk()?;
    let n = sizes.sdk;
    let (mut sdk_best, mut tail_best) = (0.0f64, 0.0f64);
    let mut version = String::new();
    for round in 1..=sizes.rounds {
        let emulator = Emulator::start(0);
        prefill(&emulator, n);
        let (v, seconds) = sdk_drain(&python, &emulator.url(), n)?;
        assert_empty(&emulator, "after the SDK's drain");
        let sdk = n as f64 / seconds;
        let tail = tail_rate(n);
        progress(format_args!(
            "sdk round {round}: SDK {sdk:.0}/s, tail {tail:.0}/s"
        ));
        sdk_best = sdk_best.max(sdk);
        tail_best = tail_best.max(tail);
        version = v;
    }
    rows(table, &format!("N={n}"), &version, sdk_best, tail_best);

    let n = sizes.sdk_delay;
    let emulator = Emulator::start(0);
    prefill(&emulator, n);
    let proxy = DelayProxy::start(emulator.addr, ONE_WAY);
    let (_, seconds) = sdk_drain(&python, &format!("http://{}", proxy.addr), n)?;
    assert_empty(&emulator, "after the SDK's drain through the proxy");
    let sdk = n as f64 / seconds;
    let sdk_connections = proxy.connections.load(Ordering::SeqCst);
    let (run, tail_connections) = tail_through_delay(n, ONE_WAY);
    let tail = n as f64 / run.elapsed.as_secs_f64();
    progress(format_args!(
        "sdk via proxy: SDK {sdk:.0}/s, tail {tail:.0}/s"
    ));
    let rtt = ONE_WAY.as_millis() * 2;
    rows(
        table,
        &format!("via {rtt} ms RTT proxy, N={n}"),
        &version,
        sdk,
        tail,
    );
    table.row(
        "  TCP connections opened, SDK / tail",
        format!("{sdk_connections} / {tail_connections}"),
        "",
        None,
    );
    Ok(())
}

fn rows(table: &mut Table, how: &str, version: &str, sdk: f64, tail: f64) {
    table.row(
        format!("Python SDK {version} drain, {how}"),
        format!("{sdk:.0} /s"),
        "",
        None,
    );
    table.row(
        format!("tail drain, same queue, {how}"),
        format!("{tail:.0} /s"),
        "",
        None,
    );
    table.row("  tail / SDK", format!("{:.2} x", tail / sdk), "", None);
}

/// Drains `n` with the SDK pointed at `host`: its version and the seconds it took.
fn sdk_drain(python: &Path, host: &str, n: usize) -> Result<(String, f64), String> {
    let mut cmd = Command::new(python);
    cmd.arg(SCRIPT)
        .args([host, &INSTANCE.to_string(), TOKEN, &n.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_PROXY", "*");
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let guard = watchdog(child.id() as libc::pid_t, CHILD_LIMIT);
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for the SDK's drain: {e}"))?;
    drop(guard);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed = stdout.split_once(' ').and_then(|(version, seconds)| {
        Some((version.to_string(), seconds.trim().parse::<f64>().ok()?))
    });
    match parsed {
        Some(figures) if out.status.success() => Ok(figures),
        _ => Err(format!(
            "the SDK's drain failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// A Python with the SDK: a venv under target/, made and filled from PyPI when missing.
pub(super) fn python_with_sdk() -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let venv = target.join("bench-sdk-venv");
    let python = venv.join("bin").join("python");
    if has_sdk(&python) {
        return Ok(python);
    }
    progress(format_args!(
        "sdk: installing {PACKAGE} into {}",
        venv.display()
    ));
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    run(
        Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PACKAGE,
        ]),
        "pip install",
    )?;
    if has_sdk(&python) {
        Ok(python)
    } else {
        Err(format!("{PACKAGE} was installed but does not import"))
    }
}

fn has_sdk(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import whatsapp_api_client_python.API"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(format!("{what} failed ({}): {}", out.status, last.trim()))
}
