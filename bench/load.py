"""Bounded load test on loopback: N concurrent sessions against real app processes for a fixed
time, on SQLite and on PostgreSQL/PostGIS. Prints figures, asserts nothing.

  python bench/load.py [--scale province|demo] [--engines sqlite,postgres] [--sessions 10]
                       [--seconds 60] [--processes 2] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

What runs: a synthetic province store (bench/synthetic.py: 2,000 sites, 20,000 tasks, ~100
counties) is built, `--processes` `streamlit run app.py` processes serve it (as deploy/ runs them,
one database), and `--sessions` sessions connect to them round-robin. Each session is a real
Streamlit session: a websocket to /_stcore/stream speaking Streamlit's own protocol (BackMsg /
ForwardMsg protobufs, as the browser's frontend does), signed in by the session cookie. A
session loops until the time is up: it changes a sidebar filter (status, 逾期/临期, kind,
county — sent as widget states, as a click would) and waits for the run to finish; every fourth
step it first records a status change of a random task through the service layer (the call the
status form makes, as a 填报 account of the task's county: 开始整改 / 申请销号 / 重新整改, with the
version it read — a change made meanwhile is refused as a conflict, which is counted, not an
error) and times the next run, which must reload the events. The writes run in this driver
process, one at a time (a thread beside the sessions' event loop).

Why not headless browsers: ten Chromium instances do not fit two cores beside the server, and
what they add (layout, Leaflet painting) is the browser's time, measured by bench/compare_naive.py.
Why not AppTest sessions in threads: they would share one process and skip the websocket and
the serialisation the server really does. What this does not measure: the browser's own work
after the last message (painting), and the nginx hop.

Rerun time = from sending the rerun request to the `script_finished` message (a run that calls
st.rerun() continues until the final run ends). Errors = an exception element in the page, a
run that did not finish in 120 s, a dropped websocket, or an unexpected exception from the
service (not its refusals)."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {"demo": None, "province": (2_000, 20_000)}
PASSWORD = "Load@2026pass"
FILTERS = [("f_status", ["进行中"]), ("f_status", []), ("f_flag", ["逾期"]), ("f_flag", []),
           ("f_kind", ["工业园区"]), ("f_kind", []), ("f_place", None), ("f_place", [])]  # None: a county


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(scale: str, engine: str, tmp: Path, pg_url: str | None) -> dict[str, str]:
    """A fresh store for this engine; returns the environment that points at it."""
    env = {"ONEMAP_DATA_DIR": str(tmp / engine), "TZ": "Asia/Shanghai"}
    (tmp / engine).mkdir(parents=True, exist_ok=True)
    if engine == "postgres":
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"onemap_load_{uuid.uuid4().hex[:8]}"
        with create_engine(pg_url, isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        env["ONEMAP_DATABASE_URL"] = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    os.environ.update(env)
    if engine != "postgres":
        os.environ.pop("ONEMAP_DATABASE_URL", None)
    time.tzset()
    from store.db import get_engine

    get_engine.cache_clear()
    if SCALES[scale] is None:
        from onemap.demo import build_demo

        build_demo()
    else:
        from bench.synthetic import build

        build(*SCALES[scale])
    return env


def accounts_for_load() -> tuple[str, dict]:
    """The viewer account the sessions sign in as, and what StatusWriter needs to make the 填报
    accounts allowed to move a task on."""
    from domain.actors import FILLER, MANAGER, SYSADMIN, Actor
    from onemap import accounts

    admin = Actor("load", "负载测试", SYSADMIN)
    accounts.add_user(admin, "load-viewer", "负载测试员", MANAGER, PASSWORD, unit="省生态环境厅", must_change=False)
    return "load-viewer", {"admin": admin, "FILLER": FILLER}


class StatusWriter:
    """Status changes through the service, as the account allowed to make them."""

    def __init__(self, roles: dict, seed: int):
        from sqlalchemy import select

        from store import models as m
        from store.db import reader

        self.rng = random.Random(seed)
        self.roles = roles
        self.fillers: dict[str, object] = {}
        with reader() as s:
            rows = s.execute(select(m.TaskUnit.task_id, m.Unit.name, m.Unit.place_code)
                             .join(m.Unit, m.Unit.id == m.TaskUnit.unit_id)
                             .where(m.TaskUnit.role == "responsible")).all()
        self.tasks = [(t, unit, place) for t, unit, place in rows]

    def _filler(self, unit: str, place: str):
        from domain.actors import Actor
        from onemap import accounts

        if place not in self.fillers:
            username = f"load-f-{place}"
            accounts.add_user(self.roles["admin"], username, f"填报{place}", self.roles["FILLER"], PASSWORD,
                              unit=unit, county_code=place, must_change=False)
            self.fillers[place] = Actor(username, f"填报{place}", self.roles["FILLER"], unit, place)
        return self.fillers[place]

    def change(self) -> str:
        """One change: 'ok', 'conflict' (someone changed it meanwhile) or 'refused' (not allowed)."""
        from domain import permissions as perm
        from domain import status as st
        from onemap import services
        from store import repo
        from store.db import reader

        for _ in range(20):  # a task a 填报 may move on (申请销号 waits for its 验收单位's 审核)
            task_id, unit, place = self.rng.choice(self.tasks)
            with reader() as s:
                cur = repo.current_status(s, task_id)
                version = repo.task_version(s, task_id)
            options = [t for t in st.allowed_next(cur, ongoing=False)
                       if perm.status_action(cur, t) in (perm.PROGRESS, perm.APPLY, perm.REOPEN)]
            if options:
                break
        else:
            return "refused"
        to = self.rng.choice(options)
        actor = self._filler(unit, place)
        try:
            services.change_status(actor, task_id, to, note="负载测试", expected_version=version)
        except services.ServiceError as exc:
            return "conflict" if isinstance(exc.__cause__, repo.ConflictError) else "refused"
        return "ok"


def serve(env: dict, n: int) -> tuple[list[subprocess.Popen], list[int]]:
    procs, ports = [], []
    for _ in range(n):
        port = _free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                                       "--server.port", str(port), "--server.address", "127.0.0.1",
                                       "--server.headless", "true"], cwd=ROOT, env={**os.environ, **env},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ports.append(port)
    for port in ports:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
    return procs, ports


class Session:
    """One Streamlit session over its websocket, as the browser's frontend speaks it."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.widgets: dict[str, tuple[str, list[str]]] = {}  # key → (widget id, options)
        self.values: dict[str, list[str]] = {}

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", max_size=None,
                                additional_headers={"Cookie": f"onemap_session={self.token}"},
                                subprotocols=["streamlit"])

    async def run(self) -> tuple[float, bool]:
        """One rerun with the current widget values: (seconds, ok)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        for key, value in self.values.items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.widgets[key][0]
            w.string_array_value.data.extend(value)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        ok = True
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=120)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                et = el.WhichOneof("type")
                if et == "exception":
                    ok = False
                elif et == "multiselect" and el.multiselect.id.endswith(tuple(k for k, _ in FILTERS)):
                    key = el.multiselect.id.rsplit("-", 1)[-1]
                    self.widgets[key] = (el.multiselect.id, list(el.multiselect.options))
            elif kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - t0, ok and fm.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY


async def drive(port: int, token: str, until: float, writer: StatusWriter, lock: asyncio.Lock, rng: random.Random,
                out: dict) -> None:
    s = Session(port, token)
    try:
        await s.open()
        await s.run()  # the first run of the page (not counted: the cold start)
        step = 0
        while time.time() < until:
            step += 1
            after_write = step % 4 == 0
            if after_write:
                async with lock:  # one writer thread at a time (the driver's own process)
                    result = await asyncio.to_thread(_safe_change, writer)
                out[result] = out.get(result, 0) + 1
            key, value = FILTERS[(step + rng.randrange(len(FILTERS))) % len(FILTERS)]
            if key not in s.widgets:  # the page did not draw the filter: the run cannot be driven
                out["errors"] += 1
            else:
                if value is None:
                    value = [rng.choice(s.widgets[key][1])]
                s.values[key] = value
            try:
                took, ok = await s.run()
            except (TimeoutError, OSError, Exception):  # noqa: BLE001 - a dropped socket or a hung run: counted
                out["errors"] += 1
                await s.open()
                continue
            out["after_write" if after_write else "filter"].append(took)
            if not ok:
                out["errors"] += 1
    finally:
        ws = getattr(s, "ws", None)
        if ws is not None:
            await ws.close()


def _safe_change(writer: StatusWriter) -> str:
    try:
        return writer.change()
    except Exception:  # noqa: BLE001 - counted as an error
        return "write_errors"


async def load(ports: list[int], tokens: list[str], seconds: float, writer: StatusWriter) -> dict:
    out = {"filter": [], "after_write": [], "errors": 0, "ok": 0, "conflict": 0, "refused": 0, "write_errors": 0}
    until = time.time() + seconds
    lock = asyncio.Lock()
    await asyncio.gather(*(drive(ports[i % len(ports)], tokens[i], until, writer, lock, random.Random(i), out)
                           for i in range(len(tokens))))
    return out


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run_engine(engine: str, args, tmp: Path) -> dict:
    env = build_store(args.scale, engine, tmp, args.pg_url)
    from onemap import accounts

    viewer, roles = accounts_for_load()
    tokens = [accounts.sign_in(viewer, PASSWORD).token for _ in range(args.sessions)]
    writer = StatusWriter(roles, seed=1)
    procs, ports = serve(env, args.processes)
    try:
        t0 = time.perf_counter()
        out = asyncio.run(load(ports, tokens, args.seconds, writer))
        wall = time.perf_counter() - t0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    runs = len(out["filter"]) + len(out["after_write"])
    return {"engine": engine, "runs": runs, "wall_s": wall, "filter_p50": statistics.median(out["filter"] or [float("nan")]),
            "filter_p95": pct(out["filter"], 95), "write_p50": statistics.median(out["after_write"] or [float("nan")]),
            "write_p95": pct(out["after_write"], 95), "errors": out["errors"] + out["write_errors"],
            "changes": out["ok"], "conflicts": out["conflict"], "refused": out["refused"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="province", choices=list(SCALES))
    ap.add_argument("--engines", default="sqlite,postgres")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--pg-url", default=os.environ.get("ONEMAP_BENCH_PG_URL"),
                    help="a PostgreSQL server (with PostGIS installed) where a fresh database may be created")
    args = ap.parse_args()
    engines = args.engines.split(",")
    if "postgres" in engines and not args.pg_url:
        ap.error("--pg-url (or ONEMAP_BENCH_PG_URL) is needed for the postgres engine")
    tmp = Path(tempfile.mkdtemp(prefix="onemap-load-"))
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; scale {args.scale}; "
          f"{args.sessions} sessions on {args.processes} app processes for {args.seconds:.0f} s each")
    print("| engine | runs | rerun after filter change p50 / p95 | rerun after a status change p50 / p95 "
          "| status changes ok / conflict / refused | errors |")
    print("|---|---|---|---|---|---|")
    for engine in engines:
        r = run_engine(engine, args, tmp)
        print(f"| {r['engine']} | {r['runs']} | {r['filter_p50']:.2f} s / {r['filter_p95']:.2f} s "
              f"| {r['write_p50']:.2f} s / {r['write_p95']:.2f} s | {r['changes']} / {r['conflicts']} / {r['refused']} "
              f"| {r['errors']} |", flush=True)


if __name__ == "__main__":
    main()
