//! `klaxon`: the headless engine (`klaxon run`) and the one-shot commands that talk to a
//! running engine over its control socket, or read the database when none runs.

mod aftermath;
mod channel;
mod commands;
mod import;
mod init;
mod logs;
mod output;
mod page;
mod secret;
mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use klaxon_core::aftermath::draft::{self, DraftKind, DraftTone};
use klaxon_core::config::bounds;

#[derive(Parser)]
#[command(
    name = "klaxon",
    version,
    about = "An on-call alarm for founders: checks your services and wakes you when one goes down."
)]
struct Cli {
    /// The config file [default: the platform's config dir, klaxon/klaxon.toml]
    #[arg(long, global = true, env = "KLAXON_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the database and control socket live [default: the platform's data dir]
    #[arg(long, global = true, env = "KLAXON_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine, headless, until Ctrl-C.
    Run,
    /// Set Klaxon up step by step: a first service, the test alarm, your phone, the verdict.
    /// Press Enter to skip any question; `--yes` takes every default without asking.
    Init {
        /// The service to watch (a URL, host:port or host name), instead of asking.
        #[arg(long)]
        url: Option<String>,
        /// Its name, instead of the guess.
        #[arg(long)]
        name: Option<String>,
        /// The ntfy topic your phone subscribes to, instead of asking.
        #[arg(long)]
        ntfy: Option<String>,
        /// The ntfy server (default: ntfy.sh).
        #[arg(long, requires = "ntfy")]
        ntfy_server: Option<String>,
        /// Do not play the test alarm.
        #[arg(long)]
        skip_alarm: bool,
        /// Answer every question with its default, without asking.
        #[arg(long, short)]
        yes: bool,
    },
    /// Add the monitors of a Gatus config.yaml or an Uptime Kuma JSON backup to the config,
    /// listing every field that has no Klaxon equivalent.
    Import {
        /// gatus or uptime-kuma.
        #[arg(value_parser = klaxon_core::config::import::ImportSource::named)]
        tool: klaxon_core::config::import::ImportSource,
        /// The file: Gatus's config.yaml, or Uptime Kuma's backup .json.
        file: PathBuf,
        /// Show what would be added, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Probe once and print the outcome; exit 0 when up, 1 when down.
    Check {
        /// A URL, host:port, tcp://host:port, tls://host:port, dns://name, or a monitor's name.
        target: String,
        /// How long to wait for an answer (above zero, at most 10m).
        #[arg(long, default_value = "10s", value_parser = bounds::check_timeout)]
        timeout: Duration,
    },
    /// Monitors and open incidents.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge: the alarm stops. Without an id, every ringing incident.
    Ack { incident: Option<i64> },
    /// Silence the alarm for MINUTES (1 to 1440); it rings again if the service is still down.
    Snooze {
        #[arg(value_parser = bounds::snooze_minutes)]
        minutes: u64,
    },
    /// Stop checking (maintenance), for MINUTES (1 to 525600) or until `klaxon resume`.
    Pause {
        #[arg(value_parser = bounds::pause_minutes)]
        minutes: Option<u64>,
    },
    /// Start checking again after `pause`.
    Resume,
    /// Re-read the config file in the running engine.
    Reload,
    /// Incidents, newest first.
    History {
        #[arg(long)]
        json: bool,
    },
    /// The siren.
    Alarm {
        #[command(subcommand)]
        action: AlarmAction,
    },
    /// The config file.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Write down what happened: cause, fix, what will change, who was affected.
    Note {
        incident: i64,
        /// What caused it, in plain language.
        #[arg(long)]
        cause: Option<String>,
        /// What was done to fix it.
        #[arg(long)]
        fix: Option<String>,
        /// Something that will change so it does not happen again (repeat for several).
        #[arg(long = "prevent")]
        prevent: Vec<String>,
        /// Who and what was affected: what users saw.
        #[arg(long)]
        impact: Option<String>,
        /// Whether any data was lost.
        #[arg(long)]
        data_loss: Option<String>,
        /// An offer to make up for it (a credit, a call).
        #[arg(long)]
        offer: Option<String>,
    },
    /// Write a reply from the incident's facts and notes: an apology, a short reply, status
    /// updates or a postmortem.
    Draft {
        incident: i64,
        /// apology, reply, status or postmortem.
        #[arg(long, default_value = "apology", value_parser = draft_kind)]
        kind: DraftKind,
        /// personal or formal.
        #[arg(long, default_value = "personal", value_parser = draft_tone)]
        tone: DraftTone,
        /// The customer's name.
        #[arg(long, default_value = "")]
        customer: String,
        /// The customer's time zone, like Europe/Berlin (default UTC).
        #[arg(long, default_value = "")]
        tz: String,
        /// Keep this version with the incident.
        #[arg(long)]
        save: bool,
    },
    /// Where the engine's log file is, and its last lines.
    Logs {
        /// How many of the newest lines to show.
        #[arg(long, default_value_t = 50)]
        lines: usize,
        /// Print only the log file's path.
        #[arg(long)]
        path: bool,
    },
    /// Secrets in the OS keyring, for `{secret:NAME}` in the config.
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
    /// Wake the founder: an urgent page to the `[page]` ntfy topic, then wait for the answer.
    Page {
        /// What is wrong, and what you need ("checkout is down, call me").
        message: String,
        /// Who is paging (default: user@host).
        #[arg(long)]
        from: Option<String>,
        /// How long to wait for the acknowledgement ("0s": do not wait).
        #[arg(long, default_value = "10m", value_parser = wait_duration)]
        wait: std::time::Duration,
    },
    /// The `[[channel]]`s an incident reaches past this machine by.
    Channel {
        #[command(subcommand)]
        action: ChannelAction,
    },
}

#[derive(Subcommand)]
enum ChannelAction {
    /// Each channel, its kind and how its newest delivery went.
    List,
    /// Send a clearly marked test message and say how it went.
    Test { name: String },
}

#[derive(Subcommand)]
enum SecretAction {
    /// Store a secret: typed without echo, or piped in on standard input.
    Set { name: String },
    /// Remove a secret.
    Delete { name: String },
    /// The secrets the config refers to, and whether each is set.
    List,
}

#[derive(Subcommand)]
enum AlarmAction {
    /// Play the whole escalation, compressed, to check the volume before bed.
    Test {
        /// How long the test lasts (1 to 120).
        #[arg(long, default_value = "10", value_parser = bounds::alarm_test_seconds)]
        seconds: u64,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Validate the config, with the line and field of every error.
    Check,
    /// Print the config file's path.
    Path,
}

fn draft_kind(text: &str) -> Result<DraftKind, String> {
    draft::kind_named(text).map_err(|e| e.to_string())
}

fn draft_tone(text: &str) -> Result<DraftTone, String> {
    draft::tone_named(text).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let paths = match klaxon_core::paths::Paths::resolve(cli.config, cli.data_dir) {
        Ok(p) => p,
        Err(e) => {
            terminal::errln!("klaxon: {e}");
            return ExitCode::from(2);
        }
    };
    // The engine logs to the terminal for the person watching it and to the data dir's log
    // file, the same one the tray app writes, so `klaxon logs` finds last night's lines
    // whichever ran (and a `klaxon run` whose stderr nobody keeps still leaves a record).
    let engine_runs = matches!(cli.command, Command::Run);
    klaxon_core::logging::init(engine_runs.then_some(paths.data_dir.as_path()));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            terminal::errln!("klaxon: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run => commands::run(&paths).await,
            Command::Init {
                url,
                name,
                ntfy,
                ntfy_server,
                skip_alarm,
                yes,
            } => {
                let given = init::Given {
                    url,
                    name,
                    ntfy,
                    ntfy_server,
                    yes,
                    skip_alarm,
                };
                init::init(&paths, given).await
            }
            Command::Import {
                tool,
                file,
                dry_run,
                json,
            } => import::run(&paths, tool, &file, dry_run, json),
            Command::Check { target, timeout } => commands::check(&paths, &target, timeout).await,
            Command::Status { json } => commands::status(&paths, json).await,
            Command::Ack { incident } => commands::ack(&paths, incident).await,
            Command::Snooze { minutes } => commands::snooze(&paths, minutes).await,
            Command::Pause { minutes } => commands::pause(&paths, minutes).await,
            Command::Resume => commands::resume(&paths).await,
            Command::Reload => commands::reload(&paths).await,
            Command::History { json } => commands::history(&paths, json).await,
            Command::Alarm {
                action: AlarmAction::Test { seconds },
            } => commands::alarm_test(&paths, seconds).await,
            Command::Note {
                incident,
                cause,
                fix,
                prevent,
                impact,
                data_loss,
                offer,
            } => {
                aftermath::note(
                    &paths,
                    incident,
                    klaxon_core::domain::notes::IncidentNotes {
                        cause: cause.unwrap_or_default(),
                        fix: fix.unwrap_or_default(),
                        prevention: prevent,
                        impact: impact.unwrap_or_default(),
                        data_loss: data_loss.unwrap_or_default(),
                        offer: offer.unwrap_or_default(),
                    },
                )
                .await
            }
            Command::Draft {
                incident,
                kind,
                tone,
                customer,
                tz,
                save,
            } => {
                aftermath::draft(
                    &paths,
                    incident,
                    draft::DraftRequest {
                        kind,
                        tone,
                        customer,
                        tz,
                    },
                    save,
                )
                .await
            }
            Command::Logs { lines, path } => logs::show(&paths, lines, path),
            Command::Secret {
                action: SecretAction::Set { name },
            } => secret::set(&paths, &name).await,
            Command::Secret {
                action: SecretAction::Delete { name },
            } => secret::delete(&paths, &name).await,
            Command::Secret {
                action: SecretAction::List,
            } => secret::list(&paths),
            Command::Page {
                message,
                from,
                wait,
            } => page::page(&paths, &message, from, wait).await,
            Command::Channel {
                action: ChannelAction::List,
            } => channel::list(&paths).await,
            Command::Channel {
                action: ChannelAction::Test { name },
            } => channel::test(&paths, &name).await,
            Command::Config {
                action: ConfigAction::Check,
            } => commands::config_check(&paths),
            Command::Config {
                action: ConfigAction::Path,
            } => terminal::outln!("{}", paths.config.display()).map(|()| ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        // `klaxon status | head -1`: the reader has what it wanted.
        Err(e) if terminal::is_closed_stdout(&e) => ExitCode::SUCCESS,
        Err(e) => {
            terminal::errln!("klaxon: {}", terminal::sentence(&e));
            ExitCode::from(2)
        }
    }
}

/// `--wait`: up to a day.
fn wait_duration(text: &str) -> Result<std::time::Duration, String> {
    let d = klaxon_core::config::parse_duration(text)?;
    if d > std::time::Duration::from_secs(24 * 3600) {
        return Err("wait at most 24h".into());
    }
    Ok(d)
}
