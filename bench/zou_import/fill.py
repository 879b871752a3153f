"""Starts Zou 1.0.97 (tests/gazu/zou_reference) on a fresh database named by
argv[1] and fills it with the production of tests/gazu/test_import_zou.py;
then bench/zou_import/scale.sql grows it to 20 000 tasks.

  ZOU_VENV=/tmp/zou-venv ZOU_REDIS_PORT=6397 python bench/zou_import/fill.py zou_impbench
"""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "gazu"))
import test_import_zou as t  # noqa: E402
from conftest import _free_port  # noqa: E402

pg = os.environ.get("ZOU_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
port = _free_port()
env = dict(os.environ, ZOU_PG_URL=pg, FENNEC_BIND=f"127.0.0.1:{port}",
           DATABASE_URL=t._with_db(pg, sys.argv[1]),
           FENNEC_ADMIN_EMAIL=t.ADMIN[0], FENNEC_ADMIN_PASSWORD=t.ADMIN[1])
log = Path("zou-fill.log")
p = subprocess.Popen([str(REPO / "tests/gazu/zou_reference/fennec"), "serve"], env=env,
                     stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
try:
    t._wait_up(f"http://127.0.0.1:{port}", p, log, 180)
    t._fill(f"http://127.0.0.1:{port}/api", "bench")
finally:
    os.killpg(p.pid, 15)
