//! Profiles: the config file, `--profile` / `GREENQ_PROFILE`, the 0600 rule, and `greenq
//! profile list|add|remove|import` (the Partner API against the emulator).

use std::os::unix::fs::PermissionsExt;

use crate::support::*;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_profile_gives_instance_token_and_urls_and_flags_beat_it() {
    let fleet = Fleet::start(2, 0);
    fleet.write_profiles(None);
    fleet.publish(2);
    // The environment points elsewhere: the profile beats it.
    let out = fleet
        .cmd()
        .env("GREEN_API_URL", "http://127.0.0.1:9")
        .env("GREEN_API_INSTANCE_ID", "77")
        .args(["--profile", "p0", "tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(by_instance(&out.stdout)[&fleet_id(0)], vec![0, 1]);
    // GREENQ_PROFILE chooses one too; -i beats the profile's instance (p1's token is
    // not instance 1's, so the answer is 401: the flag was used).
    let out = fleet
        .cmd()
        .env("GREENQ_PROFILE", "p1")
        .args(["-i", &fleet_id(0).to_string(), "receive"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let out = fleet
        .cmd()
        .env("GREENQ_PROFILE", "p1")
        .args(["tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(by_instance(&out.stdout)[&fleet_id(1)], vec![0, 1]);
    let out = fleet
        .cmd()
        .args(["--profile", "nope", "receive"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no profile named nope") && err.contains("p0, p1"),
        "{err}"
    );
}

#[test]
fn a_config_file_holding_a_token_with_mode_0644_is_refused() {
    let fleet = Fleet::start(1, 0);
    fleet.publish(1);
    std::fs::write(
        &fleet.config,
        format!(
            "[profiles.shop]\napi_url = \"{}\"\ninstance = {}\ntoken = \"{}\"\n",
            fleet.emulator.url(),
            fleet_id(0),
            fleet_token(0)
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fleet.config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = fleet
        .cmd()
        .args(["--profile", "shop", "tail", "-e"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("run: chmod 600 {}", fleet.config.display())),
        "{err}"
    );
    assert!(err.contains("its mode is 644"), "{err}");
    assert_no_token(&[&out.stdout, &out.stderr]);
    // Nothing was received, let alone deleted.
    std::fs::set_permissions(&fleet.config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = fleet
        .cmd()
        .args(["--profile", "shop", "tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out.stdout).len(), 1);
}

#[test]
fn a_profiles_token_file_must_be_0600_too() {
    let fleet = Fleet::start(1, 0);
    fleet.write_profiles(None);
    let token_file = fleet.dir.path().join("token-0");
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = fleet
        .cmd()
        .args(["--profile", "p0", "receive"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("run: chmod 600 {}", token_file.display())),
        "{err}"
    );
}

#[test]
fn profile_add_list_remove_keep_the_file_private_and_its_comments() {
    let fleet = Fleet::start(2, 0);
    let url = fleet.emulator.url();
    std::fs::write(&fleet.config, "# mine: keep this\n\n[other]\nx = 1\n").unwrap();
    let token_file = fleet.dir.path().join("t0");
    std::fs::write(&token_file, fleet_token(0)).unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let id0 = fleet_id(0).to_string();
    let add = |extra: &[&str]| {
        let mut cmd = fleet.cmd();
        cmd.args(["profile", "add"]).args(extra);
        cmd
    };
    let out = add(&["shop", "-i", &id0, "--api-url", &url, "--webhook-url", &url])
        .arg("--token-file")
        .arg(&token_file)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let id1 = fleet_id(1).to_string();
    let out = add(&["support", "-i", &id1, "--api-url", &url, "--token-stdin"])
        .write_stdin(format!("{}\n", fleet_token(1)))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(mode(&fleet.config), 0o600);
    let text = std::fs::read_to_string(&fleet.config).unwrap();
    assert!(
        text.starts_with("# mine: keep this\n\n[other]\nx = 1\n"),
        "{text}"
    );
    // Existing profiles are not overwritten without --force.
    let out = add(&["shop", "-i", &id1, "--api-url", &url, "--token-stdin"])
        .write_stdin(fleet_token(1))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));

    let out = fleet.cmd().args(["profile", "list"]).output().unwrap();
    assert_exit(&out, 0);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("shop") && listed.contains(&id0), "{listed}");
    assert!(
        listed.contains(&token_file.display().to_string()),
        "{listed}"
    );
    assert!(listed.contains("in the config file"), "{listed}");
    assert_no_token(&[&out.stdout, &out.stderr]);

    // Both work: publish through one, tail through both.
    fleet.publish(1);
    let out = fleet
        .cmd()
        .args([
            "tail",
            "--profile",
            "shop",
            "--profile",
            "support",
            "-e",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(by_instance(&out.stdout).len(), 2);

    let out = fleet
        .cmd()
        .args(["profile", "remove", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = fleet
        .cmd()
        .args(["profile", "remove", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let text = std::fs::read_to_string(&fleet.config).unwrap();
    assert!(!text.contains("[profiles.shop]") && text.contains("[profiles.support]"));
    assert!(text.starts_with("# mine: keep this\n"), "{text}");
    // Bad input changes nothing.
    let before = std::fs::read_to_string(&fleet.config).unwrap();
    for args in [
        &[
            "profile",
            "add",
            "bad name",
            "-i",
            "1",
            "--api-url",
            "https://h",
            "--token-stdin",
        ][..],
        &[
            "profile",
            "add",
            "x",
            "--api-url",
            "https://h",
            "--token-stdin",
        ],
        &["profile", "add", "x", "-i", "1", "--token-stdin"],
        &["profile", "add", "x", "-i", "1", "--api-url", "https://h"],
        // A TOML integer holds no more: it was written negative, a profile never read back.
        &[
            "profile",
            "add",
            "x",
            "-i",
            "9223372036854775808",
            "--api-url",
            "https://h",
            "--token-stdin",
        ],
    ] {
        let out = fleet.cmd().args(args).write_stdin("tok").output().unwrap();
        assert_exit(&out, 2);
    }
    assert_eq!(std::fs::read_to_string(&fleet.config).unwrap(), before);
}

#[test]
fn partner_import_against_the_emulator_then_one_tail_follows_them_all() {
    let fleet = Fleet::start(3, 0);
    let partner_file = fleet.dir.path().join("partner");
    std::fs::write(&partner_file, PARTNER_TOKEN).unwrap();
    std::fs::set_permissions(&partner_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = fleet.emulator.url();
    let import = |extra: &[&str]| {
        let mut cmd = fleet.cmd();
        cmd.args([
            "-v",
            "profile",
            "import",
            "--partner-url",
            &url,
            "--api-url",
            &url,
        ])
        .args(["--webhook-url", &url, "--partner-token-file"])
        .arg(&partner_file)
        .args(extra);
        cmd.output().unwrap()
    };
    let out = import(&[]);
    assert_exit(&out, 0);
    let said = String::from_utf8_lossy(&out.stdout);
    // Named from `name` made safe ("Shop #1" -> shop-1).
    for i in 0..3 {
        assert!(
            said.contains(&format!("added shop-{} (instance {})", i + 1, fleet_id(i))),
            "{said}"
        );
    }
    assert_eq!(mode(&fleet.config), 0o600);
    assert_no_token(&[&out.stdout, &out.stderr]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(PARTNER_TOKEN));
    // Again: kept without --force, replaced with it.
    let out = import(&[]);
    assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept shop-1"));
    let out = import(&["--force"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("replaced shop-1"));

    fleet.publish(3);
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let got = by_instance(&out.stdout);
    assert_eq!(got.len(), 3);
    assert!(got.values().all(|seqs| *seqs == vec![0, 1, 2]), "{got:?}");

    // A wrong partner token: HTTP 200 with {"code": 401}: exit 4, nothing written.
    std::fs::write(&partner_file, "not-the-partner-token").unwrap();
    let before = std::fs::read_to_string(&fleet.config).unwrap();
    let out = import(&["--force"]);
    assert_exit(&out, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--partner-token-file"), "{err}");
    assert!(!err.contains("not-the-partner-token"), "{err}");
    assert_eq!(std::fs::read_to_string(&fleet.config).unwrap(), before);
}

#[test]
fn profile_set_changes_one_field_and_keeps_the_token_and_the_comments() {
    let fleet = Fleet::start(1, 0);
    let url = fleet.emulator.url();
    let id = fleet_id(0);
    let original = format!(
        "# my instances\n\n# the shop's bot\n[profiles.shop]  # since May\ninstance = {id}\ntoken = \"{}\"  # rotated monthly\napi_url = \"https://7103.api.greenapi.com\"\n\n# keep me\n[profiles.other]\ninstance = 7\n",
        fleet_token(0)
    );
    std::fs::write(&fleet.config, &original).unwrap();
    std::fs::set_permissions(&fleet.config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = fleet
        .cmd()
        .args([
            "profile",
            "set",
            "shop",
            "--api-url",
            &url,
            "--webhook-url",
            &url,
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "changed api_url, webhook_url of profile shop in {}",
            fleet.config.display()
        )
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
    let text = std::fs::read_to_string(&fleet.config).unwrap();
    let expected = original.replace(
        "api_url = \"https://7103.api.greenapi.com\"\n",
        &format!("api_url = \"{url}\"\nwebhook_url = \"{url}\"\n"),
    );
    assert_eq!(text, expected);
    assert_eq!(mode(&fleet.config), 0o600);
    // The profile works with the token it kept.
    fleet.publish(1);
    let out = fleet
        .cmd()
        .args(["--profile", "shop", "tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out.stdout).len(), 1);
    // `edit` is the same command; a profile that is not there, or nothing to change, changes nothing.
    let out = fleet
        .cmd()
        .args(["profile", "edit", "nope", "-i", "5"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no profile named nope"));
    let out = fleet
        .cmd()
        .args(["profile", "set", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to change"));
    let out = fleet
        .cmd()
        .args(["profile", "set", "shop", "-i", "18446744073709551615"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("larger than a config file can hold"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&fleet.config).unwrap(), expected);
}

#[test]
fn a_loopback_profile_without_a_webhook_url_is_told_where_its_publish_goes() {
    let fleet = Fleet::start(1, 0);
    let url = fleet.emulator.url();
    let id = fleet_id(0).to_string();
    let add = |name: &str, extra: &[&str]| {
        fleet
            .cmd()
            .args([
                "profile",
                "add",
                name,
                "-i",
                &id,
                "--api-url",
                &url,
                "--token-stdin",
            ])
            .args(extra)
            .write_stdin(format!("{}\n", fleet_token(0)))
            .output()
            .unwrap()
    };
    let out = add("emu", &[]);
    assert_exit(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "greenq: note: profile emu has no webhook_url, so its publish goes to GREEN_API_WEBHOOK_URL, else https://webhook.green-api.com, not to {url}; for greenq serve: greenq profile set emu --webhook-url {url}"
        )),
        "{err}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
    let out = add("emu2", &["--webhook-url", &url]);
    assert_exit(&out, 0);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ls_and_rm_are_list_and_remove() {
    let fleet = Fleet::start(1, 0);
    let url = fleet.emulator.url();
    let id = fleet_id(0).to_string();
    let out = fleet
        .cmd()
        .args([
            "profile",
            "add",
            "shop",
            "-i",
            &id,
            "--api-url",
            &url,
            "--webhook-url",
            &url,
        ])
        .arg("--token-stdin")
        .write_stdin(format!("{}\n", fleet_token(0)))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = fleet.cmd().args(["profile", "ls"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("shop"));
    let out = fleet
        .cmd()
        .args(["profile", "rm", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = fleet
        .cmd()
        .args(["profile", "rm", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
}

#[test]
fn rejected_credentials_from_a_profile_point_at_the_profile() {
    let fleet = Fleet::start(2, 0);
    let url = fleet.emulator.url();
    let id0 = fleet_id(0).to_string();
    // Instance 0 with instance 1's token: rejected.
    let out = fleet
        .cmd()
        .args([
            "profile",
            "add",
            "bad",
            "-i",
            &id0,
            "--api-url",
            &url,
            "--webhook-url",
            &url,
        ])
        .arg("--token-stdin")
        .write_stdin(format!("{}\n", fleet_token(1)))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let advice = "check the instance id, the token and the API host of profile bad (flags given beat it): \
        `greenq profile list` shows it, `greenq profile set bad --token-stdin` (or -i, --api-url) changes it";
    let out = fleet
        .cmd()
        .args(["--profile", "bad", "count"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("(HTTP 401: the token was not accepted: {{\"error\":\"wrong apiTokenInstance\"}}); {advice}")), "{err}");
    assert!(!err.contains("GREEN_API_TOKEN"), "{err}");
    // What was and was not done stays before it.
    let out = fleet
        .cmd()
        .env("GREENQ_PROFILE", "bad")
        .args(["delete", "5"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("0 of 1 done; not done: 5; {advice}")),
        "{err}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn an_unreachable_url_from_a_profile_points_at_the_profile() {
    let fleet = Fleet::start(1, 0);
    let closed = format!("http://{}", unused_addr());
    let id0 = fleet_id(0).to_string();
    let out = fleet
        .cmd()
        .args([
            "profile",
            "add",
            "far",
            "-i",
            &id0,
            "--api-url",
            &closed,
            "--webhook-url",
            &closed,
        ])
        .arg("--token-stdin")
        .write_stdin(format!("{}\n", fleet_token(0)))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = fleet
        .cmd()
        .args(["--profile", "far", "count"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "start it, or check api_url of profile far (`greenq profile set far --api-url URL`)"
        ),
        "{err}"
    );
    let out = fleet
        .cmd()
        .args([
            "--profile",
            "far",
            "publish",
            "--text",
            "hi",
            "--chat-id",
            "79001234568",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "check webhook_url of profile far (`greenq profile set far --webhook-url URL`)"
        ),
        "{err}"
    );
    // A flag given beats the profile, and the advice names the flag.
    let out = fleet
        .cmd()
        .args(["--profile", "far", "--api-url", &closed, "count"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("check --api-url or GREEN_API_URL"), "{err}");
    assert_no_token(&[&out.stdout, &out.stderr]);
}
