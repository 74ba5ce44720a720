"""deploy/: what a bureau's IT runs. nginx's config is checked by nginx itself (`nginx -t`) and
then served for real in front of two stand-in backends that answer with their own name and the
headers they received: a browser's first response sets the route cookie, every later request
with it reaches the same backend (uploads and media must reach the process that holds the
Streamlit session), different browsers are spread over both, and /_stcore/stream is passed on as
a websocket upgrade. The systemd units are checked by `systemd-analyze verify`."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from onemap import settings

DEPLOY = settings.REPO_ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _backend(name: str) -> ThreadingHTTPServer:
    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = json.dumps({"backend": name, "upgrade": self.headers.get("Upgrade"),
                               "connection": self.headers.get("Connection"), "path": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _main_conf(tmp: Path, site: Path) -> Path:
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir(exist_ok=True)
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    include {site};
}}
""", encoding="utf-8")
    return conf


@pytest.fixture()
def nginx_or_skip():
    if not Path(NGINX).exists():
        pytest.skip("nginx not installed: apt-get install nginx-light")


def test_nginx_accepts_the_shipped_config(tmp_path, nginx_or_skip):
    conf = _main_conf(tmp_path, DEPLOY / "nginx" / "onemap.conf")
    r = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "test is successful" in r.stderr


def test_nginx_keeps_a_browser_on_one_process_and_upgrades_the_websocket(tmp_path, nginx_or_skip):
    backends = {"甲": _backend("甲"), "乙": _backend("乙")}
    port = _free_port()
    site = (DEPLOY / "nginx" / "onemap.conf").read_text(encoding="utf-8")
    assert site.count("server 127.0.0.1:85") == 3  # the three processes the README starts
    ports = iter(srv.server_address[1] for srv in backends.values())
    site = re.sub(r"server 127\.0\.0\.1:85\d\d .*;\n", lambda _m: "", site, count=1)  # two stand-ins, not three
    site = re.sub(r"server 127\.0\.0\.1:85\d\d", lambda _m: f"server 127.0.0.1:{next(ports)}", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    conf = _main_conf(tmp_path, tmp_path / "site.conf")
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.1)

        def get(path: str, cookie: str | None = None, headers: dict | None = None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            h = dict(headers or {})
            if cookie:
                h["Cookie"] = f"onemap_route={cookie}"
            c.request("GET", path, headers=h)
            r = c.getresponse()
            out = json.loads(r.read()), r.getheader("Set-Cookie") or ""
            c.close()
            return out

        seen: dict[str, str] = {}
        for _ in range(16):  # 16 browsers, each on its first visit
            body, set_cookie = get("/")
            cookie = re.match(r"onemap_route=([^;]+);", set_cookie).group(1)
            assert "HttpOnly" in set_cookie
            seen[cookie] = body["backend"]
        assert set(seen.values()) == {"甲", "乙"}  # spread over both processes
        for cookie, backend in seen.items():  # later requests, uploads and media stay with their process
            for path in ("/", "/_stcore/upload_file/x", "/media/y.png"):
                body, set_cookie = get(path, cookie)
                assert body["backend"] == backend, (cookie, path)
                assert f"onemap_route={cookie};" in set_cookie  # kept, not replaced
        body, _ = get("/_stcore/stream", next(iter(seen)),
                      {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert (body["upgrade"], body["connection"]) == ("websocket", "upgrade")
        body, _ = get("/", next(iter(seen)), {"Upgrade": "websocket", "Connection": "Upgrade"})
        assert body["upgrade"] is None  # only the stream is upgraded
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        for srv in backends.values():
            srv.shutdown()


def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze not installed")
    for f in (DEPLOY / "systemd").iterdir():
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(tmp_path / "onemap@.service", tmp_path / "onemap@8501.service")
    units = [str(tmp_path / n) for n in ("onemap@8501.service", "onemap-backup.service", "onemap-backup.timer",
                                         "onemap.target")]
    r = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    # the only complaint allowed: this machine has no /srv/onemap install
    problems = [ln for ln in (r.stdout + r.stderr).splitlines()
                if ln.strip() and "/srv/onemap/.venv/bin/streamlit is not executable" not in ln]
    assert problems == []
    unit = (DEPLOY / "systemd" / "onemap@.service").read_text(encoding="utf-8")
    assert "--server.port %i" in unit and "EnvironmentFile=/etc/onemap/onemap.env" in unit
    env = (DEPLOY / "onemap.env").read_text(encoding="utf-8")
    assert re.search(r"^ONEMAP_DATABASE_URL=postgresql\+psycopg://", env, re.M)
    assert re.search(r"^ONEMAP_DATA_DIR=/srv/onemap/data$", env, re.M)
