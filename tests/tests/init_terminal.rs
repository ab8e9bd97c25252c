//! `klaxon init` on a real terminal (a pseudo-terminal driven by python3's pty module): Ctrl-C
//! at the hidden token prompt ends init and leaves the terminal echoing, as a founder who gives
//! up half way expects of their shell.

mod support;

use std::process::Command;

use support::*;

/// Runs `klaxon init` on a pty, answers up to the Pushover token prompt, presses Ctrl-C there,
/// and prints `exit=CODE echo=0|1` (the pty's ECHO flag after init has gone).
const DRIVER: &str = r#"
import os, pty, sys, termios, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "init", "--skip-alarm"])
seen = b""
def wait_for(text, limit=60):
    global seen
    end = time.time() + limit
    while text not in seen:
        if time.time() > end:
            sys.exit("never saw %r in %r" % (text, seen))
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                sys.exit("init ended before %r: %r" % (text, seen))
for prompt, answer in [(b"Address to watch", b"\n"), (b"Which app", b"pushover\n"),
                       (b"Pushover user key", b"ukey\n"), (b"(not shown", None)]:
    wait_for(prompt)
    if answer:
        os.write(fd, answer)
# The prompt is printed before echo goes off: wait until it is off, as a person would be slower.
end = time.time() + 30
while termios.tcgetattr(fd)[3] & termios.ECHO and time.time() < end:
    time.sleep(0.05)
os.write(fd, b"\x03")
end = time.time() + 30
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.time() > end:
        os.kill(pid, 9)
        sys.exit("init did not end on Ctrl-C: %r" % seen)
    time.sleep(0.05)
echo = 1 if termios.tcgetattr(fd)[3] & termios.ECHO else 0
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
print("exit=%d echo=%d" % (code, echo))
"#;

#[test]
fn ctrl_c_at_the_hidden_token_prompt_leaves_the_terminal_echoing() {
    let home = Home::new("[judge]\nwitnesses = []\n");
    let out = Command::new("python3")
        .args(["-c", DRIVER])
        .arg(klaxon_bin())
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .output()
        .expect("python3 runs the pty driver");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert_eq!(said.trim(), "exit=130 echo=1");
    // Nothing was saved: the channel was left half asked.
    assert!(
        !std::fs::read_to_string(home.config())
            .unwrap()
            .contains("[[channel]]")
    );
}
