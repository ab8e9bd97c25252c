//! The tray app as a founder uses it, end to end: the real `klaxon-app` under Xvfb, driven over
//! WebDriver (tauri-driver + WebKitWebDriver), its siren recorded from a PulseAudio null sink.
//! Add a monitor for a loopback server and see it up; stop the server, see the incident and
//! hear it; acknowledge by typing the code, see it acknowledged and hear the siren stop; look
//! at the history and the settings; close the window (the app keeps watching) and open it
//! again. After the outage: write notes, draft an apology to a named customer and copy it.
//! A screenshot of each view goes to `target/e2e/`.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::app::{Display, Driver, app_bin, open_window, start_tray, window_processes};
use support::fake_bus::PrivateBus;
use support::pulse::Pulse;
use support::siren::{AUDIBLE, WINDOW, fast_alarm, first_sound, mean};
use support::window::*;
use support::*;

#[test]
fn a_founder_adds_a_monitor_hears_the_outage_and_acknowledges_it_in_the_window() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let pulse = Pulse::start();
    pulse.set_level(30, false);
    let mut server = Some(HttpServer::start());
    let url = server.as_ref().unwrap().url();
    // First run: no monitors. Fast confirmation and escalation so the test takes seconds.
    let home = Home::new(&format!(
        "# Written by hand before the app ever ran.\n[product]\nname = \"Acme Invoices\"\nsignature = \"Sam\"\n\n{}[judge]\nconfirm = 1\nrecover = 1\nretry_every = \"300ms\"\nwitnesses = []\n",
        fast_alarm()
    ));
    let user_home = home.dir.path().join("home");
    std::fs::create_dir_all(&user_home).unwrap();
    let env: Vec<(&'static str, PathBuf)> = vec![
        ("DISPLAY", PathBuf::from(&display.name)),
        ("DBUS_SESSION_BUS_ADDRESS", PathBuf::from(&bus.address)),
        ("XDG_RUNTIME_DIR", pulse.runtime.path().to_path_buf()),
        ("HOME", user_home.clone()),
        ("KLAXON_CONFIG", home.config()),
        ("KLAXON_DATA_DIR", home.data()),
    ];
    let driver = Driver::start(&env);
    let mut rec = pulse.record("app.raw");
    let mut tray = start_tray(&env);

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = open_window(&driver).await;

        // First run: the guided start opens first; this founder skips it (first_run.rs walks
        // it) and finds the invitation to add a monitor, and nothing is checked.
        click(&client, "guide-skip-all").await;
        wait_text(&client, "empty", "No monitors yet").await;
        screenshot(&display, "01-first-run").await;

        // Add one from the invitation, check it for real, save it.
        click(&client, "add-first-monitor").await;
        type_into(&client, "monitor-name", "API").await;
        type_into(&client, "monitor-target", &url).await;
        type_into(&client, "monitor-every", "1s").await;
        type_into(&client, "monitor-timeout", "1s").await;
        click(&client, "check-now").await;
        wait_text(&client, "check-outcome", "Up").await;
        assert_no_sideways_scroll(&client).await;
        screenshot(&display, "02-add-monitor").await;
        click(&client, "save-monitor").await;
        wait_text(&client, "message", "API saved").await;
        let written = std::fs::read_to_string(home.config()).unwrap();
        assert!(written.starts_with("# Written by hand"), "{written}");
        assert!(written.contains(&format!("url = \"{url}\"")), "{written}");

        // Now: the monitor is up, with its 24-hour bar.
        click(&client, "tab-now").await;
        wait_text(&client, "monitor", "up").await;
        client
            .find(css(&id("day-bar")))
            .await
            .expect("a 24-hour bar");
        screenshot(&display, "03-now-up").await;
        assert!(
            first_sound(&rec, 0.0).is_none(),
            "the siren sounded while everything was up"
        );

        // The service goes down: the incident on top, and the siren is heard.
        let down_at = rec.now();
        server.take().unwrap().stop();
        let code = text_of(&client, "ack-code").await;
        wait_text(&client, "incident", "ringing").await;
        let heard = until("the siren in the recording", || async {
            first_sound(&rec, down_at)
        })
        .await;
        assert!(
            heard - down_at < 10.0,
            "the siren took {:.1} s",
            heard - down_at
        );
        screenshot(&display, "04-ringing").await;

        // Acknowledge by typing the code shown: acknowledged, and the recording goes quiet.
        type_into(&client, "code-input", &code).await;
        click(&client, "acknowledge").await;
        wait_text(&client, "incident", "acknowledged").await;
        let acked_at = rec.now();
        until("two seconds of recording after the ack", || async {
            (rec.now() > acked_at + 4.5).then_some(())
        })
        .await;
        let rms = rec.loudness(WINDOW);
        assert!(
            mean(&rms, heard, heard + 1.0) > AUDIBLE,
            "the siren was not heard while ringing"
        );
        // rodio runs ~1.3 s ahead of the recording (tests/README.md): judge from 2.5 s after.
        let after = mean(&rms, acked_at + 2.5, acked_at + 4.5);
        assert!(after < AUDIBLE, "still ringing after the ack: RMS {after}");
        screenshot(&display, "05-acknowledged").await;

        // Incidents: the outage, opened to its timeline and evidence.
        click(&client, "tab-incidents").await;
        wait_text(&client, "incident-row", "API").await;
        click(&client, "incident-row").await;
        let detail = wait_text(&client, "incident-detail", "API").await;
        assert!(detail.to_lowercase().contains("acknowledged"), "{detail}");
        screenshot(&display, "06-incident").await;

        // After the outage: the founder's notes, then an apology to a named customer, copied.
        type_into(
            &client,
            "note-cause",
            "a config change pointed the API at a closed port",
        )
        .await;
        type_into(&client, "note-fix", "we reverted the change").await;
        click(&client, "add-prevention").await;
        let items = client.find_all(css(&id("note-prevention"))).await.unwrap();
        let last = items.last().expect("a prevention item");
        last.send_keys("config changes are checked before they ship")
            .await
            .unwrap();
        type_into(&client, "note-impact", "every request to the API failed").await;
        type_into(&client, "note-data-loss", "none").await;
        click(&client, "save-notes").await;
        wait_text(&client, "notes-message", "Notes saved").await;
        type_into(&client, "draft-customer", "Dana").await;
        type_into(&client, "draft-tz", "Europe/Berlin").await;
        click(&client, "write-draft").await;
        let body = until("the apology in the editor", || async {
            let value = client
                .find(css(&id("draft-body")))
                .await
                .ok()?
                .prop("value")
                .await
                .ok()??;
            value.starts_with("Hi Dana,").then_some(value)
        })
        .await;
        assert!(
            body.contains("A config change pointed the API at a closed port"),
            "{body}"
        );
        click(&client, "copy-draft").await;
        wait_text(&client, "draft-message", "Copied").await;
        let clipboard = display.clipboard();
        assert!(
            clipboard.starts_with("Subject: I'm sorry about Acme Invoices"),
            "{clipboard}"
        );
        assert!(
            clipboard.contains(&body),
            "the clipboard lacks the draft: {clipboard}"
        );
        assert!(!clipboard.contains("[add:"), "{clipboard}");
        screenshot(&display, "07-apology").await;

        // Settings: the monitor is listed; launch at login writes the OS's autostart entry.
        click(&client, "tab-settings").await;
        wait_text(&client, "settings-monitor", "API").await;
        click(&client, "launch-at-login").await;
        let autostart = user_home.join(".config/autostart");
        let entry = wait_for(LIMIT, || {
            std::fs::read_dir(&autostart)
                .ok()?
                .flatten()
                .find(|e| e.file_name().to_string_lossy().ends_with(".desktop"))
        });
        // It starts the tray process installed beside this app, to the tray only.
        let desktop = std::fs::read_to_string(entry.path()).unwrap();
        let exec = desktop
            .lines()
            .find_map(|l| l.strip_prefix("Exec="))
            .unwrap_or_default();
        let tray_bin = app_bin().with_file_name("klaxon-tray");
        assert_eq!(
            exec,
            format!("\"{}\" --background", tray_bin.display()),
            "{desktop}"
        );
        screenshot(&display, "08-settings").await;

        // Close the window as a user does: its process ends and gives its memory back, and
        // the tray app keeps running and watching.
        assert_eq!(
            window_processes(&home.data()).len(),
            1,
            "one window process"
        );
        let window = display.windows("Klaxon").pop().expect("the Klaxon window");
        display.close(&window);
        wait_for(LIMIT, || display.windows("Klaxon").is_empty().then_some(()));
        wait_for(LIMIT, || {
            window_processes(&home.data()).is_empty().then_some(())
        });
        assert!(!tray.exited(), "the tray app ended with its window");
        let status = home.status();
        assert_eq!(status["live"], true, "the engine stopped with the window");
        assert_eq!(status["incidents"][0]["state"], "acknowledged");
        let _ = client.close().await;
    });

    // Launching Klaxon again (from a launcher) opens the window of the running app, not a
    // second app; launching it once more brings that window up instead of a second one.
    for _ in 0..2 {
        let again = std::process::Command::new(app_bin())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .status()
            .unwrap();
        assert!(again.success());
    }
    wait_for(LIMIT, || {
        (display.windows("Klaxon").len() == 1).then_some(())
    });
    // What must not happen (a second window) has no event to wait for: give it two seconds.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(display.windows("Klaxon").len(), 1, "a second window opened");
    assert_eq!(
        window_processes(&home.data()).len(),
        1,
        "{:?}",
        window_processes(&home.data())
    );
    rt.block_on(screenshot(&display, "09-reopened"));
    // A logout's SIGTERM quits the tray app as Quit does: the window it opened goes with it.
    // SAFETY: kill(2) on the tray app this test started.
    unsafe { libc::kill(tray.id() as libc::pid_t, libc::SIGTERM) };
    let ended = wait_for(LIMIT, || tray.ended());
    assert!(ended.success(), "the tray app ended with {ended}");
    wait_for(LIMIT, || {
        window_processes(&home.data()).is_empty().then_some(())
    });
    display.assert_no_window_for("Klaxon", Duration::from_secs(2));
    rec.stop();
}

#[test]
fn a_founder_adds_an_ntfy_channel_and_a_ladder_in_settings_and_finds_them_in_klaxon_toml() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let home = Home::new("# Mine, by hand.\n[judge]\nwitnesses = []   # loopback only\n");
    let user_home = home.dir.path().join("home");
    std::fs::create_dir_all(&user_home).unwrap();
    let env: Vec<(&'static str, PathBuf)> = vec![
        ("DISPLAY", PathBuf::from(&display.name)),
        ("DBUS_SESSION_BUS_ADDRESS", PathBuf::from(&bus.address)),
        ("XDG_RUNTIME_DIR", home.quiet_runtime()),
        ("HOME", user_home),
        ("KLAXON_CONFIG", home.config()),
        ("KLAXON_DATA_DIR", home.data()),
    ];
    let driver = Driver::start(&env);
    let tray = start_tray(&env);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = open_window(&driver).await;

        // Past the guided start (skipped), to Settings.
        click(&client, "guide-skip-all").await;
        click(&client, "tab-settings").await;
        click(&client, "add-channel").await;
        type_into(&client, "channel-name", "phone").await;
        // Loopback only: nothing is sent unless a test or an incident asks.
        type_into(&client, "channel-server", "http://127.0.0.1:9").await;
        type_into(&client, "channel-topic", "klaxon-sam").await;
        wait_enabled(&client, "save-channel").await;
        screenshot(&display, "10-add-channel").await;
        click(&client, "save-channel").await;
        wait_text(&client, "channels-message", "phone saved").await;
        wait_text(&client, "channel", "phone").await;
        let written = std::fs::read_to_string(home.config()).unwrap();
        assert!(
            written.starts_with("# Mine, by hand.\n[judge]\nwitnesses = []   # loopback only\n"),
            "{written}"
        );
        assert!(
            written.contains(
                "[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\nserver = \"http://127.0.0.1:9\"\ntopic = \"klaxon-sam\"\n"
            ),
            "{written}"
        );

        // A first ladder: the siren at once, then the phone after three minutes.
        click(&client, "edit-ladder").await;
        wait_enabled(&client, "save-ladder").await;
        click(&client, "save-ladder").await;
        wait_text(&client, "ladder-message", "Escalation saved").await;
        wait_text(&client, "ladder-words", "after 3 minutes, notify phone").await;
        screenshot(&display, "11-ladder").await;
        let written = std::fs::read_to_string(home.config()).unwrap();
        assert!(
            written.contains("{ after = \"3m\", notify = [\"phone\"] }"),
            "{written}"
        );
        // The engine took it: the config it runs has the channel.
        let status = home.status();
        assert_eq!(status["live"], true, "{status}");

        // The tray app killed outright: the window, a process of its own, says nothing is
        // watched instead of going on showing its last state.
        drop(tray);
        wait_text(&client, "headline", "Not running").await;
        click(&client, "tab-now").await;
        wait_text(&client, "failure", "nothing is being watched").await;
        screenshot(&display, "12-engine-gone").await;
        client.close().await.unwrap();
    });
}
