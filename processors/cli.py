"""The command line: thin click commands over the processors' Python API.

Domain errors become one plain line here, and only here.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from processors.errors import QAError

if TYPE_CHECKING:  # loaded by the commands that run, not by --help (issue 16: --help <= 100 ms)
    from datetime import date

    from processors.config.settings import Settings


A_PATH = click.Path(path_type=Path)  # one instance for every path option: each costs a gettext look-up


def _setup_logging(settings: Settings) -> Path:
    import logging

    from processors.logsafe import OneLineFormatter

    logs = settings.path("generated") / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    logfile = logs / "qa.log"
    root = logging.getLogger("qa")
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == logfile for h in root.handlers):
        handler = logging.FileHandler(logfile, encoding="utf-8")
        handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logfile


def command(group: click.Group, name: str, example: str) -> Callable:
    """Register a command that takes --config, gets Settings, and turns errors into one line."""

    def decorate(func: Callable[..., Any]) -> click.Command:
        @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                      help="Path to config.yaml (default: the project's embedded defaults).")
        @functools.wraps(func)
        def wrapper(config_path: Path | None, **kwargs: Any) -> None:
            logfile: Path | None = None
            try:
                from processors.config.settings import load_settings

                settings = load_settings(config_path)
                logfile = _setup_logging(settings)
                func(settings, **kwargs)
            except QAError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(exc.exit_code)
            except KeyboardInterrupt:
                click.echo("Stopped.", err=True)
                sys.exit(130)
            except Exception as exc:  # the edge: anything unexpected is one line, with details in the log
                import logging

                logging.getLogger("qa").error("unexpected error in %s", name, exc_info=True)
                where = f"Details are in {logfile}; please report it with that file." if logfile else \
                    "Please report it with the command you ran."
                click.echo(f"Error: unexpected {type(exc).__name__}: {exc}. {where}", err=True)
                sys.exit(1)

        doc = (func.__doc__ or "").strip()
        wrapper.__doc__ = f"{doc}\n\n\b\nExample:\n  {example}"
        return group.command(name)(wrapper)

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def cli() -> None:
    """QA forms automation for a children's services trust's Quality Assurance Framework."""


@cli.group()
def templates() -> None:
    """Check or rebuild the Word templates."""


@command(templates, "check", "python run.py templates check")
def templates_check(settings: Settings) -> None:
    """Say precisely what a reworded template lost; exit non-zero if anything did."""
    from processors.errors import TemplateProblem
    from processors.templates.check import check_all

    reports = check_all(settings.path("templates"))
    for report in reports:
        status = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        click.echo(f"{report.path.name}: {status} ({report.fields_found} fields found)")
        for problem in report.problems:
            click.echo(f"  - {problem}")
    bad = [r for r in reports if not r.ok]
    if bad:
        raise TemplateProblem(f"{len(bad)} template(s) need fixing: "
                              f"{', '.join(r.path.name for r in bad)} (see the list above)")


@command(templates, "build", "python run.py templates build --force")
@click.option("--force", is_flag=True, help="Overwrite templates that already exist.")
def templates_build(settings: Settings, force: bool) -> None:
    """Write the default Word templates from the form definitions."""
    from processors.templates.build import build_all
    from processors.templates.reports import build_templates

    written = build_all(settings.path("templates"), force=force)
    written += build_templates(settings.path("templates"), force=force)
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo("All templates exist already; use --force to overwrite them.")


@command(cli, "allocate", "python run.py allocate --cases cases.xlsx --pool auditor_pool.xlsx --cycle 2026-C09 "
                         "--theme Neglect")
@click.option("--cases", "cases_file", required=True, type=A_PATH,
              help="The case list selected by the Business Intelligence team (CSV or XLSX).")
@click.option("--pool", "pool_file", required=True, type=A_PATH,
              help="The auditor pool (CSV or XLSX: Auditor ID, Name, Role, Service, Team, Email, Line manager ID).")
@click.option("--cycle", "cycle_id", default=None, help="Cycle ID, e.g. 2026-C09 (default: today's cycle).")
@click.option("--theme", default="", help="The thematic peer audit theme agreed by SLT.")
@click.option("--practice-week-team", "practice_week", type=A_PATH, default=None,
              help="Members of this cycle's practice-week team (CSV/XLSX with Name or Auditor ID, or one per line).")
@click.option("--no-email", is_flag=True, help="Allocate and generate, but do not email the auditors.")
def allocate_cmd(settings: Settings, cases_file: Path, pool_file: Path, cycle_id: str | None, theme: str,
                 practice_week: Path | None, no_email: bool) -> None:
    """Allocate the six-weekly cycle fairly, generate the forms and email each auditor theirs."""
    from processors.allocation.cycle import allocate_cycle

    summary = allocate_cycle(settings, cases_file, pool_file, cycle_id, theme, practice_week, send=not no_email,
                             progress=True)
    for line in summary.summary_lines():
        click.echo(line)


@command(cli, "generate", "python run.py generate --cases cases.xlsx --cycle 2026-C09 --type thematic_audit\n"
                         "  python run.py generate --blank good_practice --count 20\n"
                         "  python run.py generate --blank management_audit --count 4 --for \"Sarah Taylor\"")
@click.option("--cases", "cases_file", default=None, type=A_PATH,
              help="Case list or allocation list (CSV or XLSX).")
@click.option("--cycle", "cycle_id", default=None, help="Cycle ID, e.g. 2026-C09 (default: today's cycle).")
@click.option("--type", "form_type", default=None,
              help="Form type for a plain case list without a 'Form type' column.")
@click.option("--blank", "blank_type", default=None,
              help="Instead of a case list: forms of this type with no case filled in (e.g. good_practice).")
@click.option("--count", default=1, show_default=True, help="How many blank forms.")
@click.option("--for", "person", default=None,
              help="Blank forms for this pool member (name or Auditor ID): their name and own service filled in.")
@click.option("--pool", "pool_file", default=None, type=A_PATH,
              help="With --for: the auditor pool (default: the pool the last allocation used).")
def generate_cmd(settings: Settings, cases_file: Path | None, cycle_id: str | None, form_type: str | None,
                 blank_type: str | None, count: int, person: str | None, pool_file: Path | None) -> None:
    """Render one pre-filled Word form per row of a case or allocation list, or blank forms to hand out."""
    from processors.errors import InputFileError
    from processors.generate.run import generate_blank, generate_from_file

    if (cases_file is None) == (blank_type is None):
        raise InputFileError("generate", "give either --cases FILE or --blank TYPE (see --help)")
    if blank_type:
        who = None
        if person:
            from processors.planning.people import find_person, load_pool

            who = find_person(load_pool(settings, pool_file), person, "--for")
        result = generate_blank(settings, blank_type, count, cycle_id, progress=True, person=who)
    else:
        result = generate_from_file(settings, cases_file, cycle_id, form_type, progress=True)
    for line in result.summary_lines():
        click.echo(line)


@command(cli, "ingest", "python run.py ingest generated/inbox 'C:/Users/qa/Downloads/returned form.docx'")
@click.argument("paths", nargs=-1, type=A_PATH)
def ingest_cmd(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Record returned forms (files or folders; default: the inbox), reject bad ones with reasons."""
    from processors.intake.run import ingest_paths

    report = ingest_paths(settings, list(paths) or [settings.path("inbox")], progress=True)
    for line in report.summary_lines():
        click.echo(line)


@command(cli, "rebuild", "python run.py rebuild            (after the store was lost: no email, no file moved)")
@click.option("--from", "source", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder of recorded forms (default: paths.processed).")
def rebuild_cmd(settings: Settings, source: Path | None) -> None:
    """Re-create a lost store from processed/, the allocation files and the register's edited columns."""
    from processors.intake.rebuild import rebuild_store

    for line in rebuild_store(settings, source).summary_lines():
        click.echo(line)


@command(cli, "watch", "python run.py watch            (or: python run.py watch --once, from a scheduled task)")
@click.option("--once", is_flag=True, help="Process what is in the inbox now, then exit.")
def watch_cmd(settings: Settings, once: bool) -> None:
    """Watch the inbox and record returned forms as they land (Ctrl+C to stop)."""
    from watchers.run import watch

    stats = watch(settings, once=once, say=click.echo)
    click.echo(f"Stopped: {stats.processed} file(s) processed, register written {stats.register_writes} time(s).")


@command(cli, "report", "python run.py report --quarter 2026-Q3 --send")
@click.option("--quarter", required=True, help="The quarter, e.g. 2026-Q3.")
@click.option("--theme", default=None, help="Only this audit theme's report.")
@click.option("--service", default=None, help="Only this service's report.")
@click.option("--send", is_flag=True, help="Email the reports to the recipients in config.yaml (reports.recipients).")
@click.option("--draft", is_flag=True, help="Draft reports for the QA Manager, with the commentary form to fill in "
                                             "Word and return through the inbox.")
@click.option("--clinic", default=None, help="Instead: this service's performance-clinic pack of the quarter's "
                                             "management audits (QAF 5.5.3).")
def report_cmd(settings: Settings, quarter: str, theme: str | None, service: str | None, send: bool,
               draft: bool, clinic: str | None) -> None:
    """Write the quarterly report, themed and per-service reports and the briefing note (Word and PDF)."""
    from processors.reports.runner import run_reports

    if clinic is not None:
        _clinic_pack(settings, quarter, clinic, theme or service or send or draft)
        return
    run = run_reports(settings, quarter, theme, service, send, draft=draft)
    for line in run.summary_lines():
        click.echo(line)


def _clinic_pack(settings: Settings, quarter: str, service: str, other_options: object) -> None:
    from processors.errors import InputFileError
    from processors.reports.clinic import run_clinic_pack

    if other_options:
        raise InputFileError("--clinic", "the clinic pack is written on its own: leave out --theme, --service, "
                                         "--send and --draft")
    path, pack = run_clinic_pack(settings, quarter, service)
    click.echo(f"Performance clinic pack for {pack.service}, {pack.quarter.label}: {len(pack.audits)} management "
               f"audit(s), {len(pack.actions)} action(s) -> {path}")


@command(cli, "import", "python run.py import indicators performance.xlsx   (kinds: sqas, nscp, survey, feedback, "
                       "indicators; columns in docs/imports.md)")
@click.argument("kind")
@click.argument("file", type=A_PATH)
def import_cmd(settings: Settings, kind: str, file: Path) -> None:
    """Import an export of another source of assurance (SQAS escalations, NSCP audits, staff survey, feedback,
    performance indicators) into the store and the register."""
    from processors.assurance.importer import import_export

    for line in import_export(settings, kind, file).summary_lines():
        click.echo(line)


@command(cli, "chase", "python run.py chase            (daily, e.g. from a scheduled task; `watch` does it itself)")
def chase_cmd(settings: Settings) -> None:
    """Remind auditors of forms not returned and owners of overdue actions; weekly digest; re-audit offers."""
    from processors.chase.run import run_chase
    from processors.errors import DeliveryError

    run = run_chase(settings)
    for line in run.summary_lines():
        click.echo(line)
    if run.problems:
        raise DeliveryError(f"{len(run.problems)} problem(s), listed above: fix them and run again; "
                            "what was sent is not sent twice")


@command(cli, "commission", "python run.py commission --case CF1234567 --by \"Head of Service\" --reason \"Repeat "
                           "referrals; NSCP concern\" --cases cases.xlsx --pool auditor_pool.xlsx")
@click.option("--case", "case_id", required=True, help="The case causing concern (its case ID).")
@click.option("--by", "by", required=True, help="Who commissioned the audit (SLT, a manager, the NSCP).")
@click.option("--reason", required=True, help="Why the audit was commissioned.")
@click.option("--auditor", default=None, help="The auditor (name or Auditor ID); default: chosen with no conflict.")
@click.option("--cases", "cases_file", default=None, type=A_PATH,
              help="The case list (default: the case as allocated before).")
@click.option("--pool", "pool_file", default=None, type=A_PATH,
              help="The auditor pool (default: the pool the last allocation used).")
@click.option("--no-email", is_flag=True, help="Generate the form, but do not email the auditor.")
def commission_cmd(settings: Settings, case_id: str, by: str, reason: str, auditor: str | None,
                   cases_file: Path | None, pool_file: Path | None, no_email: bool) -> None:
    """Commission a case audit for a case causing concern (QAF 5.8.1) and send it to an auditor with no conflict."""
    from processors.planning.commission import commission_audit

    summary = commission_audit(settings, case_id, by, reason, auditor, cases_file=cases_file, pool_file=pool_file,
                               send=not no_email)
    for line in summary.summary_lines():
        click.echo(line)


@cli.group("practice-week")
def practice_week() -> None:
    """Plan a practice week (QAF 7.3-7.5)."""


def _week_day(week: str) -> date:
    from processors.dates import uk_date
    from processors.errors import InputFileError

    day = uk_date(week)
    if day is None:
        raise InputFileError("--week", f"'{week}' is not a date: give it as dd/mm/yyyy")
    return day


@command(practice_week, "plan", "python run.py practice-week plan --service \"Children in Care\" --week 2027-03-08 "
                                "--team team.xlsx --cases cases.xlsx --pool auditor_pool.xlsx")
@click.option("--service", required=True, help="The service the practice week visits.")
@click.option("--week", required=True, help="A day of the week (dd/mm/yyyy or YYYY-MM-DD).")
@click.option("--team", "team_file", required=True, type=A_PATH,
              help="The team: Name, Role ('Young Inspector' for young people), Email (CSV or XLSX).")
@click.option("--cases", "cases_file", default=None, type=A_PATH,
              help="The case list (default: the cases allocated before).")
@click.option("--pool", "pool_file", default=None, type=A_PATH,
              help="The auditor pool (default: the pool the last allocation used).")
@click.option("--visits-each", default=2, show_default=True, help="Visits for each reviewer.")
@click.option("--no-email", is_flag=True, help="Plan and generate, but do not email the team.")
def practice_week_plan(settings: Settings, service: str, week: str, team_file: Path, cases_file: Path | None,
                       pool_file: Path | None, visits_each: int, no_email: bool) -> None:
    """Allocate the practice-week team's visits, keep them off the cycle's thematic audits, send their forms."""
    from processors.planning.practice_week import plan_practice_week

    plan = plan_practice_week(settings, service, _week_day(week), team_file, cases_file, pool_file,
                              visits_each=visits_each, send=not no_email)
    for line in plan.summary_lines():
        click.echo(line)


@command(practice_week, "report", "python run.py practice-week report --service \"Children in Care\" --week 2027-03-08")
@click.option("--service", required=True, help="The service the practice week visited.")
@click.option("--week", required=True, help="A day of the week (dd/mm/yyyy or YYYY-MM-DD).")
@click.option("--out", "out", default=None, type=A_PATH, help="Where to write the report (.docx).")
def practice_week_report(settings: Settings, service: str, week: str, out: Path | None) -> None:
    """Write the week's report: reviews, the Young Inspectors' feedback, findings and recommendations."""
    from processors.reports.practice_week import run_week_report

    path, report = run_week_report(settings, service, _week_day(week), out)
    click.echo(f"Practice week in {report.service}, week beginning {report.monday:%d/%m/%Y}: "
               f"{len(report.reviews)} visit(s) reviewed, {len(report.feedback)} Young Inspectors' feedback -> {path}")


@cli.group("observations")
def observations() -> None:
    """Plan the leaders' annual practice observations (QAF 3.3)."""


@command(observations, "plan", "python run.py observations plan --year 2027 --pool auditor_pool.xlsx")
@click.option("--year", required=True, type=int, help="The year to plan, e.g. 2027.")
@click.option("--pool", "pool_file", default=None, type=A_PATH,
              help="The auditor pool (default: the pool the last allocation used).")
@click.option("--out", "out", default=None, type=A_PATH, help="Where to write the plan (.xlsx).")
@click.option("--no-email", is_flag=True, help="Plan and generate the forms, but do not email the leaders.")
def observations_plan(settings: Settings, year: int, pool_file: Path | None, out: Path | None,
                      no_email: bool) -> None:
    """Spread the leaders' observations over the year (one each, never of their own line); send their forms."""
    from processors.planning.observations import write_observation_plan

    for line in write_observation_plan(settings, year, pool_file, out, send=not no_email).summary_lines():
        click.echo(line)


@command(cli, "demo", "python run.py demo")
def demo_cmd(settings: Settings) -> None:
    """Run a whole cycle on synthetic data in generated/demo: allocate, generate, return, ingest."""
    from processors.demo.run import run_demo

    run_demo(settings, say=click.echo)


def main() -> None:
    """Entry point of `python run.py` and of the installed `qaforms` command."""
    cli(prog_name="python run.py" if Path(sys.argv[0]).name == "run.py" else "qaforms")


__all__ = ["cli", "main"]
