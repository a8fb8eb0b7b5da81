//! What greenq leaves on a terminal (a real pty, read back through a terminal emulator):
//! the spinner and the drain's bar redrawn in place, cleared before the summary, and one
//! status line for a tail of several instances.

use std::time::{Duration, Instant};

use crate::support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// The lines of `screen` that hold `text`.
fn holding<'a>(screen: &'a [String], text: &str) -> Vec<&'a String> {
    screen.iter().filter(|l| l.contains(text)).collect()
}

#[test]
fn ctrl_c_leaves_the_summary_and_no_spinner_line_above_it() {
    // The terminal echoes ^C where the cursor is; the spinner must still clear its line.
    let emu = Emulator::start(20);
    let mut pty = Pty::spawn(&emu.url(), &["tail", "--format", "text"]);
    pty.wait_for("waiting", LIMIT);
    pty.type_raw("\x03");
    assert_eq!(pty.wait_exit(LIMIT), 130, "{}", pty.output());
    let screen = pty.screen();
    assert!(holding(&screen, "waiting").is_empty(), "{screen:#?}");
    assert_eq!(
        holding(&screen, "greenq: interrupted: 0 printed").len(),
        1,
        "{screen:#?}"
    );
}

#[test]
fn a_drain_shows_its_total_when_the_last_is_printed_and_ends_after_the_shortest_last_look() {
    // The emulator's receive waits 20 s unless asked for less, as the specification's.
    let emu = Emulator::start(20);
    let bodies: Vec<String> = (1..=30)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect();
    emu.publish_all(&bodies);
    let mut pty = Pty::spawn(&emu.url(), &["-v", "tail", "-e", "--format", "text"]);
    pty.wait_for("30/30", LIMIT);
    let full = Instant::now();
    assert_eq!(pty.wait_exit(LIMIT), 0, "{}", pty.output());
    // The last look asks for 5 s, not the 20 s of before: well inside 15 s however busy.
    assert!(
        full.elapsed() < Duration::from_secs(15),
        "ended {:?} after 30/30",
        full.elapsed()
    );
    let out = pty.output();
    // The last look went out with the last delete, asking for the shortest long poll, and
    // the bar stood at 30/30 before its empty answer came.
    let look = out
        .rfind("/receiveNotification/***?receiveTimeout=5 200")
        .unwrap_or_else(|| panic!("no last look asking for 5 s:\n{out}"));
    assert!(
        out[look..].lines().next().unwrap().contains("pipelined"),
        "{out}"
    );
    assert!(out.find("30/30").unwrap() < look, "{out}");
    let screen = pty.screen();
    assert!(holding(&screen, "draining").is_empty(), "{screen:#?}");
    assert_eq!(
        holding(&screen, "greenq: 30 printed, 0 skipped, 30 deleted").len(),
        1,
        "{screen:#?}"
    );
}

#[test]
fn a_tail_of_several_profiles_draws_one_line_over_all_and_leaves_none_behind() {
    // p0 is drained, p1's token is wrong (it stops), p2's host answers 502 (it retries).
    let fleet = Fleet::start(3, 20);
    fleet.write_profiles(Some(1));
    let failing = Scripted::start(Vec::new(), reply(502, ""));
    fleet.point_profile_at(2, &failing.url());
    for seq in 0..2 {
        assert_eq!(fleet.emulator.publish(&fleet_body(fleet_id(0), seq)), 200);
    }
    let config = fleet.config.display().to_string();
    let mut pty = Pty::spawn_configured_by(
        &[("GREENQ_CONFIG", &config)],
        &["tail", "--all-profiles", "--format", "text"],
    );
    pty.wait_for(
        "2 printed · 3 instances: 1 waiting, 1 failing, 1 stopped",
        LIMIT,
    );
    pty.type_raw("\x03");
    // The summary is the last thing said: wait for it, not only for the exit (another
    // test's child can hold the terminal open, and so its end unseen, for a while).
    pty.wait_for("greenq: total:", LIMIT);
    assert_eq!(pty.wait_exit(LIMIT), 4, "{}", pty.output());
    let screen = pty.screen();
    // The line is gone; what was said above it stands whole, a line each.
    assert!(holding(&screen, "instances:").is_empty(), "{screen:#?}");
    assert_eq!(holding(&screen, "[p0]").len(), 2, "{screen:#?}");
    let stopped = holding(&screen, "profile p1 stopped");
    assert!(
        stopped.len() == 1 && stopped[0].starts_with("greenq: error: profile p1 stopped: "),
        "{screen:#?}"
    );
    assert!(
        holding(&screen, "retrying in")
            .iter()
            .all(|l| l.starts_with("greenq: p2: retrying in")),
        "{screen:#?}"
    );
    assert_eq!(
        holding(&screen, "greenq: total: 2 printed").len(),
        1,
        "{screen:#?}"
    );
    assert_no_token(&[pty.output().as_bytes()]);
}

#[test]
fn the_demo_drains_without_a_last_look_its_emulator_answers_at_once() {
    // Its emulator answers an empty receive at once: a 5 s last look would only slow it.
    let mut pty = Pty::spawn("http://127.0.0.1:9", &["-v", "demo", "--format", "text"]);
    assert_eq!(pty.wait_exit(LIMIT), 0, "{}", pty.output());
    let out = pty.output();
    assert!(out.contains("draining ["), "the demo's bar: {out}");
    assert!(!out.contains("receiveTimeout"), "{out}");
}
