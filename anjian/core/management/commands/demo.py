"""``anjian demo``: migrate, load the demo zone once, print the logins and start the web UI."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from anjian.core.jobs import run_worker
from anjian.demo.context import DemoContext
from anjian.demo.generate import generate
from anjian.orgs.models import User


class Command(BaseCommand):
    help = "Create (once) and serve the demo zone: 迁移数据库、生成演示数据、启动网页。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete the demo data and build it again")
        parser.add_argument("--no-serve", action="store_true", help="build the data, do not start the web UI")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)"
        )
        parser.add_argument("--seed", type=int, default=20211, help="random seed of the demo zone")
        parser.add_argument("--no-input", action="store_true", help="do not ask before --reset")
        parser.add_argument(
            "--enterprises",
            type=int,
            default=None,
            metavar="N",
            help="grow the zone to N enterprises (about 30 people and 50 certificates each) for scale tests",
        )
        parser.add_argument(
            "--no-side",
            action="store_true",
            help="do not start the side processes (e.g. the telemetry simulator)",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run the scheduled jobs beside the web UI"
        )
        parser.add_argument(
            "--debug-pages",
            action="store_true",
            help="show Django's technical error pages (default: the product's own Chinese 404/403/500 pages)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        db = settings.DATABASES["default"]
        if opts["reset"]:
            if not opts["no_input"] and input("删除演示数据库并重新生成？[y/N] ").strip().lower() != "y":
                self.stdout.write("已取消。")
                return
            if db["ENGINE"].endswith("sqlite3") and str(db["NAME"]) != ":memory:":
                from pathlib import Path

                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
            else:
                call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        ctx = DemoContext(seed=opts["seed"])
        if User.objects.filter(username="admin").exists():
            self.stdout.write("演示数据已存在（使用 --reset 重新生成）。")
            from anjian.demo.users import DEMO_PASSWORD, USERS

            ctx.logins = [(u[0], DEMO_PASSWORD, u[4]) for u in USERS]
            ctx.logins += [
                (u.username, DEMO_PASSWORD, f"企业用户：{u.org}")
                for u in User.objects.filter(role="enterprise").select_related("org")[:3]
            ]
        else:
            self.stdout.write("正在生成演示数据 …")
            generate(ctx, log=self.stdout.write)
        if opts["enterprises"]:
            self._scale(ctx, opts["enterprises"])
        self.stdout.write(self.style.SUCCESS("\n演示账号（密码均为下列所示）："))
        for username, password, description in ctx.logins:
            self.stdout.write(f"  {username:<14} {password:<18} {description}")
        if opts["no_serve"]:
            return
        stop = threading.Event()
        worker: threading.Thread | None = None
        if not opts["no_worker"]:
            # The scheduled jobs run in this process beside the web server: one command, one Ctrl+C.
            # Production runs ``anjian worker`` as its own process instead.
            worker = threading.Thread(
                target=run_worker,
                kwargs={"stop": stop, "log_line": self.stdout.write},
                name="anjian-worker",
                daemon=True,
            )
            worker.start()
            self.stdout.write("定时任务已在后台运行（逾期报告、证书和许可证到期提醒）。")
        self.stdout.write(self.style.SUCCESS(f"\n打开 http://{opts['addr']}/ 登录。按 Ctrl+C 停止。\n"))
        side = [] if opts["no_side"] else start_side_processes(opts["addr"], self.stdout.write)
        # A user opening another enterprise sees the product's Chinese 404, not Django's English debug page that
        # lists every URL pattern: the demo serves with DEBUG off (static files come from WhiteNoise).
        settings.DEBUG = bool(opts["debug_pages"])
        if side:
            # the simulators post several times a second: their answered requests would push the logins above
            # out of the terminal; refused ones (4xx/5xx) still show
            logging.getLogger("django.server").addFilter(QuietSimulators())
            self.stdout.write("（模拟器的正常上报请求不在下方日志中显示。）")
        try:
            call_command("runserver", opts["addr"], use_reloader=False, insecure_serving=True)
        finally:
            stop.set()
            for proc in side:
                proc.terminate()
            if worker is not None:
                # Let the worker close its database connection before the command returns (it would otherwise do
                # so later, from a thread nobody waits for).
                worker.join(timeout=10)

    def _scale(self, ctx: DemoContext, total: int) -> None:
        """Add generated enterprises until the zone has ``total`` (``anjian.demo.scale``)."""
        import time

        from django.db import transaction

        from anjian.demo.scale import build_scale

        started = time.perf_counter()
        self.stdout.write(f"正在扩展到 {total} 家企业 …")
        with transaction.atomic():
            counts = build_scale(ctx, total, log=self.stdout.write)
        for label, n in counts.items():
            self.stdout.write(f"  {label:<32} +{n}")
        self.stdout.write(f"  用时 {time.perf_counter() - started:.1f}s")


class QuietSimulators(logging.Filter):
    """Drop the development server's log lines of answered telemetry and gate-controller posts."""

    PATHS = re.compile(r'"POST /api/v1/(telemetry/[^ /]+|gates/[^ /]+/events)/? HTTP')

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", 500)
        return not (isinstance(status, int) and status < 400 and self.PATHS.search(record.getMessage()))


#: Side processes the demo starts beside the web server: (module that must exist, arguments of ``anjian``).
#: ``{url}`` is the served address. The telemetry simulator (issue 12) and the gate simulator (issue 13).
SIDE_PROCESSES: list[tuple[str, list[str]]] = [
    ("anjian.monitoring.management.commands.simulate", ["simulate", "--url", "{url}"]),
    # the second gate's shift simulator walks the demo plants' people in and out (issue 13)
    ("anjian.gates.management.commands.gates", ["gates", "simulate"]),
]


def start_side_processes(addr: str, log: Any) -> list[Any]:
    """Start each side process whose module is installed; they feed the demo through its public interfaces."""
    import subprocess
    import sys
    from importlib.util import find_spec
    from pathlib import Path

    exe = Path(sys.executable).with_name("anjian")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "anjian.cli"]
    started = []
    for module, args in SIDE_PROCESSES:
        if find_spec(module) is None:
            continue
        argv = [a.replace("{url}", f"http://{addr}") for a in args]
        started.append(subprocess.Popen([*base, *argv]))
        log(f"已启动：anjian {' '.join(argv)}")
    return started
