//! `treadcuectl walker`: who walks. Each walker has their own course,
//! history, ratings, heart-rate limit and units; the active one's are
//! used and shown.

use std::io::{BufRead, IsTerminal, Write};

use clap::Subcommand;

use super::TreadcueProxy;

#[derive(Debug, Subcommand)]
pub enum WalkerCommand {
    /// List the walkers; the active one is marked.
    List,
    /// Add a walker.
    Add {
        name: String,
        /// Their own heart-rate limit, in beats a minute.
        #[arg(long = "heart-max", value_name = "BPM")]
        heart_max: Option<u32>,
        /// Their own units, km/h or mph.
        #[arg(long, value_name = "UNITS")]
        units: Option<String>,
    },
    /// Make a walker the active one: their session of the day, course and
    /// history from now on.
    Use { name: String },
    /// Remove a walker. Their history goes to the state folder's archive,
    /// unless --delete.
    Remove {
        name: String,
        /// Delete their history, course and records for good.
        #[arg(long)]
        delete: bool,
        /// Do not ask first.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Give a walker another name.
    Rename { name: String, new_name: String },
    /// Set a walker's own heart-rate limit or units; `machine` goes back
    /// to the machine's.
    Set {
        name: String,
        /// Beats a minute, or `machine`.
        #[arg(long = "heart-max", value_name = "BPM")]
        heart_max: Option<String>,
        /// km/h, mph, or `machine`.
        #[arg(long, value_name = "UNITS")]
        units: Option<String>,
    },
}

pub(super) async fn walker(proxy: &TreadcueProxy<'_>, command: WalkerCommand) -> zbus::Result<()> {
    match command {
        WalkerCommand::List => list(proxy).await,
        WalkerCommand::Add {
            name,
            heart_max,
            units,
        } => {
            proxy.add_walker(&name).await?;
            if heart_max.is_some() || units.is_some() {
                let heart_max = heart_max.map(|b| b.to_string());
                set(proxy, &name, heart_max, units).await?;
            }
            println!(
                "{} added; `treadcuectl walker use {}` makes them the walker",
                name.trim(),
                shell_word(&name)
            );
            Ok(())
        }
        WalkerCommand::Use { name } => {
            proxy.use_walker(&name).await?;
            let walkers = proxy.list_walkers().await?;
            let now = walkers
                .into_iter()
                .find_map(|(walker, active, _, _)| active.then_some(walker))
                .unwrap_or(name);
            println!("{now} is the walker now: their course, history and session of the day");
            Ok(())
        }
        WalkerCommand::Remove { name, delete, yes } => remove(proxy, &name, delete, yes).await,
        WalkerCommand::Rename { name, new_name } => proxy.rename_walker(&name, &new_name).await,
        WalkerCommand::Set {
            name,
            heart_max,
            units,
        } => set(proxy, &name, heart_max, units).await,
    }
}

async fn list(proxy: &TreadcueProxy<'_>) -> zbus::Result<()> {
    for (name, active, heart_max, units) in proxy.list_walkers().await? {
        let mut own = Vec::new();
        if heart_max > 0 {
            own.push(format!("heart-rate limit {heart_max}"));
        }
        if !units.is_empty() {
            own.push(units);
        }
        let mark = if active { "*" } else { " " };
        let own = if own.is_empty() {
            String::new()
        } else {
            format!("  ({})", own.join(", "))
        };
        println!("{mark} {name}{own}");
    }
    Ok(())
}

/// Sets what is given and keeps the rest as it is.
async fn set(
    proxy: &TreadcueProxy<'_>,
    name: &str,
    heart_max: Option<String>,
    units: Option<String>,
) -> zbus::Result<()> {
    let walkers = proxy.list_walkers().await?;
    let wanted = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let Some((_, _, now_max, now_units)) =
        walkers.into_iter().find(|w| w.0.to_lowercase() == wanted)
    else {
        return Err(zbus::Error::Failure(format!(
            "there is no walker called {name:?}"
        )));
    };
    let heart_max = match heart_max.as_deref().map(str::trim) {
        None => now_max,
        Some("machine") => 0,
        Some(bpm) => bpm.parse().map_err(|_| {
            zbus::Error::Failure(format!(
                "--heart-max takes beats a minute or `machine`, not {bpm:?}"
            ))
        })?,
    };
    let units = match units.as_deref().map(str::trim) {
        None => now_units,
        Some("machine") => String::new(),
        Some(units) => units.to_string(),
    };
    proxy.set_walker(name, heart_max, &units).await
}

async fn remove(
    proxy: &TreadcueProxy<'_>,
    name: &str,
    delete: bool,
    yes: bool,
) -> zbus::Result<()> {
    if !yes {
        let what = if delete {
            format!("Remove {name} and delete their history, course and records for good?")
        } else {
            format!("Remove {name}? Their history, course and records go to the archive.")
        };
        if !confirmed(&what)? {
            println!("Nothing removed.");
            return Ok(());
        }
    }
    let archive = proxy.remove_walker(name, delete).await?;
    if archive.is_empty() {
        println!("{name} is removed, and their record deleted.");
    } else {
        println!("{name} is removed; their record is in {archive}");
    }
    Ok(())
}

/// Asks on the terminal; with no terminal to ask on, says how not to.
fn confirmed(question: &str) -> zbus::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(zbus::Error::Failure(format!(
            "{question} Nothing removed: there is no terminal to ask on; add --yes to remove without asking"
        )));
    }
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| zbus::Error::Failure(e.to_string()))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// A name as it is typed in a shell.
fn shell_word(name: &str) -> String {
    let name = name.trim();
    if name
        .chars()
        .all(|c| c.is_alphanumeric() || "-_.".contains(c))
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}
