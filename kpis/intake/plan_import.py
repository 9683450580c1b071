"""Putting a plan in from its workbook: who may, the rules against the plans in force, the write, the approval.

A workbook is read whole (kpis.intake.plan_workbook), then checked against what is in force: a place
has at most one plan in force, so a second one must say which it replaces (Thay thế kế hoạch), and what
it names must be a plan of that place in force. An administrator or a province account puts a plan in
force at once; a commune account's own plan is proposed, and a province account or an administrator
approves (or rejects) it. Each step is one journaled transaction, audited, that keeps the workbook; the
rules run again inside it, so two imports at once cannot both put a plan in force for one place.
Rebuild replays each step (replay_event) through the same code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import duckdb

from kpis import store
from kpis.catalog.model import Catalog, Plan, default_catalog
from kpis.catalog.places import Places
from kpis.core.errors import KpisError
from kpis.core.i18n import Lang, t
from kpis.core.text import fold
from kpis.intake.plan_workbook import FIELDS, SHEET_PLAN, PlanProblem, ReadPlan, plan_problem, read_plan_workbook
from kpis.store import audit, plan_book
from kpis.store.journal import Event, PlanDecided, PlanPut
from kpis.store.plan_book import IN_FORCE, PROPOSED, REJECTED, SEED, Version

Power = Literal["put", "propose"]
PlanPower = Callable[[int, int | None], Power | None]  # (province code, commune code or None) -> what the writer may do
TRUSTED: PlanPower = lambda province_code, commune_code: "put"  # noqa: E731  # the command line run by the operator


class PlanRefused(KpisError):
    """A decision on a proposal was refused (not a proposal, not the account's, the rules no longer hold)."""


@dataclass(frozen=True)
class Checked:
    """A workbook read and checked: the plan, what it would replace, what the writer may do, and every problem."""

    plan: Plan | None
    problems: list[PlanProblem]
    replaces: Version | None = None
    power: Power | None = None
    sha256: str = ""
    read: ReadPlan | None = None  # the workbook as read: where its fields are, to place the rules' problems

    def located(self, problems: list[PlanProblem]) -> list[PlanProblem]:
        return self.read.located(problems) if self.read is not None else problems

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems and self.power is not None


@dataclass(frozen=True)
class PlanResult:
    status: Literal["in_force", "proposed", "refused"]
    checked: Checked
    version: int | None = None
    file_name: str = ""
    problems: list[PlanProblem] = field(default_factory=list)

    def messages(self, lang: Lang) -> list[str]:
        return [p.message(lang) for p in self.problems]

    def summary(self, lang: Lang) -> str:
        plan = self.checked.plan
        if self.status == "refused":
            return t("plan_refused", lang, file=self.file_name, count=len(self.problems))
        label = plan_label(plan, lang) if plan else self.file_name
        return t("plan_in_force" if self.status == "in_force" else "plan_proposed", lang, plan=label)


def plan_label(plan: Plan, lang: Lang) -> str:
    """'Kế hoạch 45/KH-UBND (Cao Bằng)', or the plan's title where it has no number."""
    place = f"{plan.commune}, {plan.province}" if plan.commune else plan.province
    if plan.number:
        return t("plan_label", lang, number=plan.number, place=place)
    return t("plan_label_unnumbered", lang, title=plan.title_vi if lang == "vi" else plan.title_en, place=place)


def _same_number(written: str, plan: Plan) -> bool:
    """Does «Thay thế kế hoạch» name this plan: its number (any case or spacing, "Kế hoạch số" or not) or its id?"""

    def bare(text: str) -> str:
        text = fold(text)
        for lead in ("ke hoach so ", "ke hoach ", "so "):
            text = text.removeprefix(lead)
        return text.replace(" ", "")

    return bare(written) in {bare(plan.number or ""), bare(plan.id)} - {""}


def rules(con: duckdb.DuckDBPyConnection, plan: Plan, seeds_give_way: bool = False) -> tuple[list[PlanProblem], Version | None]:
    """The plan against the plans in force: problems, and the version it replaces (None: a place's first plan).

    seeds_give_way is the replay's (rebuild): a rebuilt database meets the seeds the product ships now before
    the journal's plans, so a seed the journal's plan does not name may be one the original database met only
    after that plan was in force (a later release): it does not stop the plan, it gives way (_put_in_force),
    as it did there (kpis.store.plan_book.sync_seeds)."""
    sheet = SHEET_PLAN[0]
    held = plan_book.of_place(con, plan.province_code, plan.commune_code, IN_FORCE)
    if seeds_give_way:
        held = [v for v in held if v.origin != SEED or (plan.replaces and _same_number(plan.replaces, v.plan))]
    place = plan.commune or plan.province
    problems: list[PlanProblem] = []
    replaced: Version | None = None
    if any(plan_json_equal(v.plan, plan) for v in held):  # the plan in force again (its export, or the same file)
        return [plan_problem(sheet, None, None, "plan_unchanged", plan=plan_label(plan, "vi"))], None
    if plan.replaces:
        replaced = next((v for v in held if _same_number(plan.replaces, v.plan)), None)
        if replaced is None:
            known = "; ".join(plan_label(v.plan, "vi") for v in held) or t("plan_none_in_force", "vi")
            problems.append(
                plan_problem(
                    sheet, None, FIELDS["replaces"][0], "plan_replaces_unknown", number=plan.replaces, place=place, known=known
                )
            )
    elif held:
        problems.append(
            plan_problem(
                sheet, None, FIELDS["replaces"][0], "plan_second_in_force",
                place=place, held="; ".join(plan_label(v.plan, "vi") for v in held),
            )
        )  # fmt: skip
    elsewhere = con.execute(
        "SELECT 1 FROM plan_versions WHERE plan_id = ? AND (province_code <> ? OR commune_code IS DISTINCT FROM ?)",
        [plan.id, plan.province_code, plan.commune_code],
    ).fetchone()
    if elsewhere:
        problems.append(plan_problem(sheet, None, FIELDS["plan_id"][0], "plan_id_taken", plan_id=plan.id))
    codes = item_codes(plan)
    giving_way = _seeds_in_the_way(con, plan, replaced) if seeds_give_way else set()
    for other in plan_book.in_force(con).values():
        if other.id == plan.id or (replaced is not None and other.id == replaced.plan.id) or other.id in giving_way:
            continue
        for code in item_codes(other):
            if code in codes:
                problems.append(plan_problem(None, None, None, "plan_task_code_taken", task=code, plan=plan_label(other, "vi")))
    return problems, replaced


def _seeds_in_the_way(con: duckdb.DuckDBPyConnection, plan: Plan, replaced: Version | None) -> set[str]:
    """The ids of the seeds in force at the plan's place that it does not replace (see rules' seeds_give_way)."""
    held = plan_book.of_place(con, plan.province_code, plan.commune_code, IN_FORCE)
    return {v.plan.id for v in held if v.origin == SEED and (replaced is None or v.version != replaced.version)}


def item_codes(plan: Plan) -> set[str]:
    """The codes of a plan's tasks and milestones: progress is recorded by code, so two plans in force never share one."""
    return {task.code for task in plan.tasks} | {m.code for m in plan.milestones}


def plan_json_equal(a: Plan, b: Plan) -> bool:
    """The same plan, leaving out what a new version must differ in (the plan it replaces)."""
    return a.model_copy(update={"replaces": None}) == b.model_copy(update={"replaces": None})


def _free_id(con: duckdb.DuckDBPyConnection, plan: Plan, named: bool) -> Plan:
    """A derived id that another place's plan holds gets the place's code ('hoa-an-139-kh-ubnd-2026-2353')."""
    if named:
        return plan
    rows = con.execute("SELECT DISTINCT province_code, commune_code FROM plan_versions WHERE plan_id = ?", [plan.id]).fetchall()
    if any((p, c) != (plan.province_code, plan.commune_code) for p, c in rows):
        return plan.model_copy(update={"id": f"{plan.id}-{plan.commune_code or plan.province_code}"})
    return plan


def check_plan(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    power: PlanPower,
    catalog: Catalog | None = None,
    seeds_give_way: bool = False,
) -> Checked:
    """A workbook read and checked against the plans in force, writing nothing (the page's preview).

    seeds_give_way: a replay's (see rules)."""
    catalog = catalog or default_catalog()
    read = read_plan_workbook(data, catalog, Places(store.registry(con)))
    sha = hashlib.sha256(data).hexdigest()
    if read.plan is None or read.problems:
        return Checked(None, read.problems, sha256=sha)
    plan = _free_id(con, read.plan, named=read.named_id)
    may = power(plan.province_code, plan.commune_code)
    if may is None:
        place = plan.commune or plan.province
        return Checked(plan, [plan_problem(None, None, None, "plan_out_of_scope", place=place)], sha256=sha)
    problems, replaced = rules(con, plan, seeds_give_way)
    return Checked(plan, read.located(problems), replaced, may, sha, read)


def import_plan(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    put_by: str,
    power: PlanPower = TRUSTED,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    journal: bool = True,
    status: str | None = None,
) -> PlanResult:
    """Put a plan in force or propose it, whole, or refuse it with every problem named; audited, journaled, kept.

    status is the replay's (rebuild): the status the journal recorded, with journal=False.
    """
    at = at or dt.datetime.now()
    file_name = store.recorded_name(file_name)
    checked = check_plan(con, data, power, catalog, seeds_give_way=not journal)
    if not checked.ok or checked.plan is None:
        if journal:
            _audit_refused(con, put_by, file_name, checked.problems, checked.sha256, at)
        return PlanResult("refused", checked, file_name=file_name, problems=checked.problems)
    plan = checked.plan
    new_status = status or (IN_FORCE if checked.power == "put" else PROPOSED)
    sha, kept = store.keep_file(con, data, file_name)  # a replay finds it kept already
    event = PlanPut(sha256=sha, kept=kept.name, file_name=file_name, plan_id=plan.id, status=new_status, put_by=put_by, at=at)
    try:
        with store.journaled(con, event if journal else None):
            # again, under the lock: what is in force may have changed since
            problems, replaced = rules(con, plan, seeds_give_way=not journal)
            if problems:
                raise _Again(checked.located(problems))
            number = plan_book.add_version(con, plan, new_status, put_by, at, file_name=file_name, sha256=sha, kept=kept.name)
            if new_status == IN_FORCE:
                _put_in_force(con, number, plan, replaced, at)
            if journal:
                action = "plan_put" if new_status == IN_FORCE else "plan_proposed"
                detail: dict[str, object] = {"plan": plan_label(plan, "vi"), "version": number}
                if replaced is not None:
                    detail["replaced"] = plan_label(replaced.plan, "vi")
                audit.record(con, put_by, action, file_name, detail, file_sha256=sha, at=at)
            store.bump_data_version(con)
    except _Again as e:  # refused like any other workbook, and audited so
        if journal:
            _audit_refused(con, put_by, file_name, e.problems, sha, at)
        return PlanResult("refused", checked, file_name=file_name, problems=e.problems)
    return PlanResult("in_force" if new_status == IN_FORCE else "proposed", checked, number, file_name)


def _audit_refused(
    con: duckdb.DuckDBPyConnection, put_by: str, file_name: str, problems: list[PlanProblem], sha: str, at: dt.datetime
) -> None:
    refused = {"problems": [p.message("vi") for p in problems][:20]}
    with store.transaction(con):
        audit.record(con, put_by, "plan_refused", file_name, refused, file_sha256=sha, at=at)


class _Again(Exception):
    """The rules stopped holding between the check and the write (another import came first)."""

    def __init__(self, problems: list[PlanProblem]) -> None:
        super().__init__("the plans in force changed")
        self.problems = problems


def _put_in_force(con: duckdb.DuckDBPyConnection, number: int, plan: Plan, replaced: Version | None, at: dt.datetime) -> None:
    """The version in force, what it replaces replaced, and a seed still in force at its place set aside: the rules
    leave none but in a replay (rules' seeds_give_way), and a place never has two plans in force."""
    if replaced is not None:
        plan_book.mark_replaced(con, replaced.version, number, at)
    for v in plan_book.of_place(con, plan.province_code, plan.commune_code, IN_FORCE):
        if v.origin == SEED and v.version not in (number, replaced.version if replaced else None):
            plan_book.set_aside(con, v.version, at)
    plan_book.derive(con)


def proposals(con: duckdb.DuckDBPyConnection, power: PlanPower | None = None) -> list[Version]:
    """The plans waiting for approval; with power, only those this decider may approve or reject."""
    waiting = plan_book.versions(con, "status = ?", [PROPOSED])
    if power is None:
        return waiting
    return [v for v in waiting if power(v.plan.province_code, v.plan.commune_code) == "put"]


def decide(
    con: duckdb.DuckDBPyConnection,
    number: int,
    approved: bool,
    decided_by: str,
    power: PlanPower = TRUSTED,
    note: str | None = None,
    at: dt.datetime | None = None,
    journal: bool = True,
) -> Version:
    """Approve (put in force) or reject a proposed plan; PlanRefused if it is not a proposal, not the decider's, or
    (approving) the rules no longer hold. Returns the version as it now is."""
    at = at or dt.datetime.now()
    found = plan_book.version(con, number)
    if found is None or found.status != PROPOSED:
        raise PlanRefused("plan_not_proposed", version=number)
    if power(found.plan.province_code, found.plan.commune_code) != "put":
        raise PlanRefused("plan_decide_out_of_scope", place=found.plan.commune or found.plan.province)
    event = (
        PlanDecided(plan_id=found.plan.id, sha256=found.sha256 or "", approved=approved, decided_by=decided_by, at=at, note=note)
        if journal
        else None
    )
    with store.journaled(con, event):
        now = plan_book.version(con, number)  # again, under the lock: two people may decide the same proposal at once
        if now is None or now.status != PROPOSED:
            raise PlanRefused("plan_not_proposed", version=number)
        replaced = None
        if approved:
            problems, replaced = rules(con, found.plan, seeds_give_way=not journal)
            if problems:
                raise PlanRefused("plan_approval_refused", problems="; ".join(p.message("vi") for p in problems))
        plan_book.set_status(con, number, IN_FORCE if approved else REJECTED, decided_by, at, note)
        if approved:
            _put_in_force(con, number, found.plan, replaced, at)
        if journal:
            decision: dict[str, object] = {"plan": plan_label(found.plan, "vi"), "version": number}
            if note:
                decision["reason"] = note
            action = "plan_approved" if approved else "plan_rejected"
            audit.record(con, decided_by, action, found.file_name or "", decision, at=at)
        store.bump_data_version(con)
    decided = plan_book.version(con, number)
    assert decided is not None
    return decided


def replay_event(con: duckdb.DuckDBPyConnection, event: Event) -> bool:
    """Apply one plan line of the journal to a rebuilt database; False if it is not a plan line."""
    if isinstance(event, PlanPut):
        data = (store.uploads_dir(con) / event.kept).read_bytes()
        if hashlib.sha256(data).hexdigest() != event.sha256:
            raise KpisError("plan_replay_altered", file=event.file_name)
        result = import_plan(con, data, event.file_name, event.put_by, at=event.at, journal=False, status=event.status)
        if result.status == "refused":
            raise KpisError("plan_replay_refused", file=event.file_name, problems="; ".join(result.messages("en")))
        return True
    if isinstance(event, PlanDecided):
        rows = con.execute(
            "SELECT version FROM plan_versions WHERE plan_id = ? AND sha256 = ? AND status = ? ORDER BY version DESC",
            [event.plan_id, event.sha256, PROPOSED],
        ).fetchall()
        if not rows:
            raise KpisError("plan_replay_refused", file=event.plan_id, problems="no such proposal")
        decide(con, int(rows[0][0]), event.approved, event.decided_by, note=event.note, at=event.at, journal=False)
        return True
    return False


LIST_COLUMNS = ("number", "issued", "level", "place_code", "place", "targets", "replaces", "in_force")


def plan_listing(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Every plan version as `python -m kpis plan list` prints it (LIST_COLUMNS), oldest first.

    replaces is the number (or id, for a plan without one) of the version it replaced, or what its workbook named.
    """
    held = plan_book.versions(con)
    replaced_by = {v.replaced_by: v for v in held if v.replaced_by is not None}
    rows: list[dict[str, object]] = []
    for v in held:
        plan = v.plan
        before = replaced_by.get(v.version)
        replaces = (before.plan.number or before.plan.id) if before else plan.replaces
        rows.append(
            {
                "number": plan.number,
                "issued": plan.date.isoformat() if plan.date else None,
                "level": plan.level,
                "place_code": _place_code(plan),
                "place": plan.commune or plan.province,
                "targets": len(plan.targets),
                "replaces": replaces,
                "in_force": v.status == IN_FORCE,
            }
        )
    return rows


def find_version(con: duckdb.DuckDBPyConnection, number: str, place_code: int | None = None) -> Version:
    """The version a person names by its plan's number (or id): the one in force, else the latest; PlanRefused
    when no plan has it, or when plans of several places do and place_code (a province or commune code) does not say which."""
    found = [v for v in plan_book.versions(con) if _same_number(number, v.plan)]
    if place_code is not None:
        found = [v for v in found if _place_code(v.plan) == place_code]
    if not found:
        raise PlanRefused("plan_not_found", number=number)
    places = {(v.plan.province_code, v.plan.commune_code) for v in found}
    if len(places) > 1:
        names = "; ".join(sorted({f"{v.plan.commune or v.plan.province} ({_place_code(v.plan)})" for v in found}))
        raise PlanRefused("plan_number_ambiguous", number=number, places=names)
    live = [v for v in found if v.status == IN_FORCE]
    return (live or found)[-1]


def _place_code(plan: Plan) -> int:
    """The code of the plan's place: its commune's, or its province's for a province plan."""
    return plan.commune_code if plan.commune_code is not None else plan.province_code
