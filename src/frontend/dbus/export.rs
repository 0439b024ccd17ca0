//! `io.github.treadcue.Treadcue1.Export`: a session of the history as a
//! file other tools take (FIT, TCX), made by the daemon from its own
//! record, so `treadcuectl export` and the web remote give the same file;
//! and the physiotherapist's report of a period, as a PDF.

use zbus::interface;

use super::Error;
use crate::controller::ExportFormat as Format;
use crate::controller::{Handle, ReportFormat};

pub struct Export {
    pub controller: Handle,
}

#[interface(name = "io.github.treadcue.Treadcue1.Export")]
impl Export {
    /// The session that started at `session` (the history's `session`
    /// field, microseconds since 1970) as a file in `format`, "fit" or
    /// "tcx": its file name and its contents.
    #[zbus(out_args("name", "contents"))]
    async fn session_file(&self, session: i64, format: String) -> Result<(String, Vec<u8>), Error> {
        let format: Format = format.parse().map_err(Error::InvalidArgument)?;
        self.controller
            .ask(move |c| c.session_file(session, format))
            .await
            .map_err(Error::from)
    }

    /// The physiotherapist's report of the active walker as a PDF, from `since` to `until`
    /// (local dates like "2026-11-21", both included; an empty one is
    /// left open: from the first session, to today): its file name and
    /// its contents.
    #[zbus(out_args("name", "contents"))]
    async fn report(&self, since: String, until: String) -> Result<(String, Vec<u8>), Error> {
        self.controller
            .ask(move |c| c.report_file("", &since, &until, ReportFormat::Pdf))
            .await
            .map_err(Error::from)
    }

    /// As `Report`, of the walker named `walker` (the active walker when
    /// it is empty).
    #[zbus(out_args("name", "contents"))]
    async fn walker_report(
        &self,
        walker: String,
        since: String,
        until: String,
    ) -> Result<(String, Vec<u8>), Error> {
        self.controller
            .ask(move |c| c.report_file(&walker, &since, &until, ReportFormat::Pdf))
            .await
            .map_err(Error::from)
    }
}
