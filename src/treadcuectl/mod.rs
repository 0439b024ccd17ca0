//! `treadcuectl`: the command-line client of the daemon's D-Bus interface.

use std::ffi::OsString;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use zbus::proxy;

use crate::frontend::dbus::Bus;
use crate::frontend::dbus::record::Records;
use crate::program::clock;

mod bluetooth;
mod course;
mod export;
mod history;
mod properties;
mod status;
mod view;
mod walker;
mod watch;
mod web;

use crate::calendar::Date;
use crate::controller::Whose;
use history::{history, parse_date, weeks};
use properties::{
    Properties, all_properties, left, micros, number, properties_proxy, seconds_until, text, time,
    unsigned,
};
use status::status;
use watch::watch;

#[proxy(
    interface = "io.github.treadcue.Treadcue1",
    default_service = "io.github.treadcue.Treadcue1",
    default_path = "/io/github/treadcue/Treadcue1"
)]
pub trait Treadcue {
    fn list_programs(&self) -> zbus::Result<Vec<(String, String, String, f64)>>;
    fn list_broken_programs(&self) -> zbus::Result<Vec<(String, String)>>;
    fn start(&self, program: &str) -> zbus::Result<()>;
    fn pause(&self) -> zbus::Result<()>;
    fn resume(&self) -> zbus::Result<()>;
    fn stop(&self) -> zbus::Result<()>;
    fn next(&self) -> zbus::Result<()>;
    fn previous(&self) -> zbus::Result<()>;
    fn say(&self, text: &str) -> zbus::Result<()>;
    fn reload(&self) -> zbus::Result<Vec<String>>;
    fn history(&self) -> zbus::Result<Vec<crate::frontend::dbus::treadcue::HistoryRow>>;
    fn history_page(
        &self,
        offset: u32,
        limit: u32,
    ) -> zbus::Result<(Vec<crate::frontend::dbus::treadcue::HistoryRow>, u32)>;
    fn history_records(&self, offset: u32, limit: u32) -> zbus::Result<Records>;
    fn walker_history_records(
        &self,
        walker: &str,
        offset: u32,
        limit: u32,
    ) -> zbus::Result<Records>;
    fn list_walkers(&self) -> zbus::Result<Vec<(String, bool, u32, String)>>;
    fn add_walker(&self, name: &str) -> zbus::Result<()>;
    fn use_walker(&self, name: &str) -> zbus::Result<()>;
    fn rename_walker(&self, name: &str, new_name: &str) -> zbus::Result<()>;
    fn set_walker(&self, name: &str, heart_max: u32, units: &str) -> zbus::Result<()>;
    fn remove_walker(&self, name: &str, delete: bool) -> zbus::Result<String>;
    fn weekly_minutes(&self) -> zbus::Result<Vec<(String, f64, f64)>>;
    fn list_courses(&self) -> zbus::Result<Vec<(String, String, String, u32)>>;
    fn enrol(&self, course: &str) -> zbus::Result<()>;
    fn leave(&self) -> zbus::Result<()>;
    fn start_today(&self) -> zbus::Result<()>;
    fn rate(&self, rating: &str) -> zbus::Result<()>;
    fn course_overview(&self) -> zbus::Result<Vec<(u32, String, String, String, String)>>;
    fn course_history(&self) -> zbus::Result<Vec<(String, String, u32, String)>>;
    fn backward_history(&self) -> zbus::Result<Vec<(String, f64, f64, String)>>;
    #[zbus(property)]
    fn state(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn volume(&self) -> zbus::Result<f64>;
    #[zbus(property)]
    fn course(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn course_session(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn next_due(&self) -> zbus::Result<i64>;
    #[zbus(property)]
    fn set_volume(&self, volume: f64) -> zbus::Result<()>;
    #[zbus(signal)]
    fn step_started(
        &self,
        index: u32,
        name: &str,
        direction: &str,
        speed: f64,
        incline: f64,
        length: f64,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn session_finished(&self, program: &str, completed: bool) -> zbus::Result<()>;
    #[zbus(signal)]
    fn config_error(&self, message: &str) -> zbus::Result<()>;
}

#[derive(Debug, Parser)]
#[command(
    name = "treadcuectl",
    version,
    about = "Control the treadcue daemon over D-Bus"
)]
pub struct Args {
    /// Talk to the daemon on the system bus.
    #[arg(long, global = true, conflicts_with = "bus_address")]
    pub system: bool,
    /// Talk to the daemon on the bus at this address.
    #[arg(long, global = true, value_name = "ADDRESS")]
    pub bus_address: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the programs the daemon can play.
    List {
        /// Also the program files that cannot be played, with their first
        /// error.
        #[arg(long)]
        all: bool,
    },
    /// Start a program by name.
    Start {
        /// The program's name, as `treadcuectl list` shows it (a file
        /// `knee.toml` in a program folder is `knee`).
        program: String,
    },
    /// Pause the session (nothing happens when it is paused already).
    Pause,
    /// Resume a paused session (nothing happens when it is running).
    Resume,
    /// Pause if running, resume if paused.
    Toggle,
    /// Stop the session; it goes to the history.
    Stop,
    /// Skip to the next step.
    Next,
    /// Back to the start of the step, or the step before.
    Previous,
    /// Show the session.
    Status {
        /// As JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Speak a phrase now.
    Say {
        /// The words to say (at most 500 characters).
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Show the volume, or set it (0 to 1).
    Volume {
        /// The new volume, from 0 (silent) to 1.
        level: Option<f64>,
    },
    /// Follow the session live, with progress bars.
    Watch,
    /// Ask the daemon to re-read its configuration.
    Reload,
    /// Show the sessions walked, oldest first, in local time.
    History {
        /// As JSON, for scripts (times in RFC 3339).
        #[arg(long)]
        json: bool,
        /// Only the last N sessions.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Only sessions started on or after this local date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<Date>,
        /// Minutes walked forward and backward per week instead.
        #[arg(long, conflicts_with_all = ["limit", "since", "walker", "all"])]
        weeks: bool,
        /// This walker's sessions, not the active walker's.
        #[arg(long, value_name = "NAME")]
        walker: Option<String>,
        /// Every walker's sessions, each line naming its walker.
        #[arg(long, conflicts_with = "walker")]
        all: bool,
    },
    /// Who walks: `list`, `add NAME`, `use NAME`, `remove NAME`, `rename`,
    /// `set`. Each walker has their own course, history and settings.
    Walker {
        #[command(subcommand)]
        command: Option<walker::WalkerCommand>,
    },
    /// Courses: weeks of sessions that carry you from the first steps on.
    Course {
        #[command(subcommand)]
        command: course::CourseCommand,
    },
    /// Start today's session of your course (due or not).
    Today,
    /// The web remote: where a phone opens it (with a QR code), pair a
    /// phone, list and forget paired phones.
    Web {
        #[command(subcommand)]
        command: Option<web::WebCommand>,
    },
    /// The Bluetooth treadmill (FTMS): what it reports, or `scan`, `use
    /// ADDRESS`, `forget`.
    Treadmill {
        #[command(subcommand)]
        command: Option<bluetooth::DeviceCommand>,
    },
    /// The heart rate now (also said aloud), or the strap: `scan`, `use
    /// ADDRESS`, `forget`.
    Heart {
        #[command(subcommand)]
        command: Option<bluetooth::DeviceCommand>,
    },
    /// Rate the course session that ended last; it decides what comes
    /// next (a second rating replaces the first).
    Rate {
        /// How it went.
        #[arg(value_parser = ["too-hard", "right", "too-easy"])]
        rating: String,
    },
    /// Write the history for other tools: a FIT or TCX file per session,
    /// or one CSV file with a row per session.
    Export {
        /// The file format.
        #[arg(long, value_enum)]
        format: export::Format,
        /// This walker's sessions, not the active walker's.
        #[arg(long, value_name = "NAME")]
        walker: Option<String>,
        /// Only sessions started on or after this local date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<Date>,
        /// Only sessions started on or before this local date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        until: Option<Date>,
        /// The folder to write into (it must exist).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: std::path::PathBuf,
    },
    /// Write the physiotherapist's report of a period as a PDF: keeping
    /// to the course, minutes each way per week, speed, incline, heart
    /// rate, ratings and the plan's notes.
    Report {
        /// This walker's report, not the active walker's.
        #[arg(long, value_name = "NAME")]
        walker: Option<String>,
        /// From this local date (YYYY-MM-DD); from the first session
        /// when left out.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<Date>,
        /// To this local date (YYYY-MM-DD); to today when left out.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        until: Option<Date>,
        /// The PDF file to write, or a folder to write it into under its
        /// own name.
        #[arg(short = 'o', long = "output", value_name = "FILE.pdf")]
        output: std::path::PathBuf,
    },
}

/// Exit status when the daemon cannot be reached.
const EXIT_NOT_RUNNING: u8 = 3;

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    crate::process::exit_quietly_on_broken_pipe();
    let args: Args = match crate::process::parse(args) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let bus = match (&args.bus_address, args.system) {
        (Some(address), _) => Bus::Address(address.clone()),
        (None, true) => Bus::System,
        (None, false) => Bus::Session,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return failed(1, format!("cannot start: {e}")),
    };
    if let Command::Start { program } = &args.command
        && crate::program::catalog::looks_like_path(program)
    {
        return failed(1, started_by_name(program));
    }
    runtime.block_on(async {
        let connection = match bus.builder().build().await {
            Ok(connection) => connection,
            Err(e) => return not_reachable(&bus, e),
        };
        match execute(&connection, args.command).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => explain(&bus, e),
        }
    })
}

fn failed(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("treadcuectl: {message}");
    ExitCode::from(code)
}

/// Says plainly when the daemon is not there; otherwise the daemon's own
/// message.
fn explain(bus: &Bus, error: zbus::Error) -> ExitCode {
    let not_running = match &error {
        zbus::Error::MethodError(name, _, _) => {
            matches!(
                name.as_str(),
                "org.freedesktop.DBus.Error.ServiceUnknown"
                    | "org.freedesktop.DBus.Error.NameHasNoOwner"
            )
        }
        zbus::Error::FDO(e) => matches!(
            **e,
            zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_)
        ),
        _ => false,
    };
    if not_running {
        return failed(
            EXIT_NOT_RUNNING,
            format!(
                "treadcued is not running on {}. Start it with `treadcued` or `systemctl --user start treadcued`",
                bus.describe()
            ),
        );
    }
    match error {
        zbus::Error::MethodError(_, Some(message), _) => failed(1, message),
        zbus::Error::FDO(e) => failed(1, e),
        zbus::Error::Address(_) | zbus::Error::InputOutput(_) | zbus::Error::Handshake(_) => {
            failed(
                EXIT_NOT_RUNNING,
                format!("cannot reach {}: {error}", bus.describe()),
            )
        }
        other => failed(1, other),
    }
}

/// The bus itself cannot be reached: no daemon can be either.
fn not_reachable(bus: &Bus, error: zbus::Error) -> ExitCode {
    let hint = match bus {
        Bus::Session => "; for treadcued running as a system service, add --system",
        _ => "",
    };
    failed(
        EXIT_NOT_RUNNING,
        format!(
            "treadcued is not reachable: cannot connect to {} ({error}){hint}",
            bus.describe()
        ),
    )
}

async fn execute(connection: &zbus::Connection, command: Command) -> zbus::Result<()> {
    let connection = connection.clone();
    let proxy = TreadcueProxy::new(&connection).await?;
    match command {
        Command::List { all } => list(&proxy, all).await,
        Command::Start { program } => proxy.start(&program).await,
        Command::Pause => proxy.pause().await,
        Command::Resume => proxy.resume().await,
        Command::Toggle => match proxy.state().await?.as_str() {
            "paused" => proxy.resume().await,
            _ => proxy.pause().await,
        },
        Command::Stop => proxy.stop().await,
        Command::Next => proxy.next().await,
        Command::Previous => proxy.previous().await,
        Command::Status { json } => status(&connection, json).await,
        Command::Say { text } => proxy.say(&text.join(" ")).await,
        Command::Volume { level: None } => {
            println!("{:.2}", proxy.volume().await?);
            Ok(())
        }
        Command::Volume { level: Some(level) } => proxy.set_volume(level).await,
        Command::Watch => watch(&connection, &proxy).await,
        Command::Reload => {
            for warning in proxy.reload().await? {
                eprintln!("treadcuectl: {warning}");
            }
            Ok(())
        }
        Command::History {
            json, weeks: true, ..
        } => weeks(&proxy, json).await,
        Command::History {
            json,
            limit,
            since,
            walker,
            all,
            ..
        } => {
            let whose = if all {
                Whose::All
            } else {
                Whose::named(walker.as_deref())
            };
            let shown = history::Shown {
                json,
                limit,
                since,
                whose,
            };
            history(&proxy, shown).await
        }
        Command::Walker { command } => {
            let command = command.unwrap_or(walker::WalkerCommand::List);
            walker::walker(&proxy, command).await
        }
        Command::Course { command } => course::course(&connection, &proxy, command).await,
        Command::Today => course::today(&connection, &proxy).await,
        Command::Web { command } => {
            let command = command.unwrap_or(web::WebCommand::Address { no_qr: false });
            web::web(&connection, command).await
        }
        Command::Rate { rating } => proxy.rate(&rating).await,
        Command::Export {
            format,
            walker,
            since,
            until,
            output,
        } => {
            let wanted = export::Wanted {
                format,
                whose: Whose::named(walker.as_deref()),
                since,
                until,
                folder: &output,
            };
            export::export(&connection, &proxy, wanted).await
        }
        Command::Report {
            walker,
            since,
            until,
            output,
        } => {
            let walker = walker.unwrap_or_default();
            export::report(&connection, &walker, (since, until), &output).await
        }
        Command::Treadmill { command } => {
            bluetooth::device(&connection, "treadmill", command).await
        }
        Command::Heart { command } => bluetooth::device(&connection, "heart", command).await,
    }
}

/// A path where a program's name belongs: say where the file goes.
fn started_by_name(path: &str) -> String {
    let name = std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| "NAME".into(), |s| s.to_string_lossy().into_owned());
    format!(
        "programs are started by name, not by path: put {path} in ~/.config/treadcue/programs/ \
         (or /etc/treadcue/programs/ for every user), then run `treadcuectl start {name}`; \
         `treadcued check {path}` checks it first"
    )
}

async fn list(proxy: &TreadcueProxy<'_>, all: bool) -> zbus::Result<()> {
    for (id, name, description, seconds) in proxy.list_programs().await? {
        println!(
            "{id:<22} {:>8}  {name}",
            clock(Duration::from_secs_f64(seconds))
        );
        if !description.is_empty() {
            println!("{:<32}{description}", "");
        }
    }
    if all {
        for (id, error) in proxy.list_broken_programs().await? {
            let first_line = error.lines().next().unwrap_or_default();
            println!("{id:<22}   broken  {first_line}");
        }
    }
    Ok(())
}
