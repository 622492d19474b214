"""The todo app: an HTTP API over PostgreSQL (the todos) and Redis (a hit counter).

GET  /            the list as text (one line per todo)
GET  /api/todos   the list as JSON, with the hit count and the replica and version that answered
POST /api/todos   add one: a JSON body {"title": "..."} or a form field title=...
GET  /healthz     200 when PostgreSQL answers a query and Redis answers PING, else 503

Configuration comes from the environment: DATABASE_URL, REDIS_URL, APP_VERSION, PORT.
On SIGTERM it stops accepting connections and finishes the requests under way before it exits.
"""

import json
import os
import signal
import socket
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import psycopg2
import redis

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://todo:todo@db:5432/todo")
REDIS_URL = os.environ.get("REDIS_URL", "redis://redis:6379/0")
VERSION = os.environ.get("APP_VERSION", "1")
PORT = int(os.environ.get("PORT", "8000"))
REPLICA = socket.gethostname()


class Pool:
    """At most `size` PostgreSQL connections, kept open between requests; a request waits for a free one.

    (psycopg2's own pools close every returned connection above `minconn`, and open `minconn` of them
    at start, when the database may not answer yet.)
    """

    def __init__(self, dsn, size):
        self.dsn = dsn
        self.idle = []
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(size)

    @contextmanager
    def connection(self):
        with self.slots:
            with self.lock:
                conn = self.idle.pop() if self.idle else None
            if conn is None or conn.closed:
                conn = psycopg2.connect(self.dsn, connect_timeout=3)
            ok = False
            try:
                yield conn
                ok = True
            finally:
                # A connection that saw an error is not trusted again.
                if ok and not conn.closed:
                    with self.lock:
                        self.idle.append(conn)
                else:
                    conn.close()


db = Pool(DATABASE_URL, 8)
cache = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def query(sql, args=(), write=False):
    """Runs one statement in its own transaction; returns its rows (None for statements without rows).

    A kept connection may be dead after PostgreSQL restarted. A read is retried once on a new
    connection; a write first checks its connection with a ping and is retried only when the ping
    failed, so it is never sent twice.
    """
    for attempt in (1, 2):
        sent = False
        try:
            with db.connection() as conn:
                if write:
                    with conn.cursor() as cur:
                        cur.execute("SELECT 1")
                    conn.rollback()
                sent = True
                with conn:
                    with conn.cursor() as cur:
                        cur.execute(sql, args)
                        return cur.fetchall() if cur.description else None
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            if attempt == 2 or (write and sent):
                raise


def count_hit():
    """The hit counter is best effort: without Redis the page is still served (the health check reports it)."""
    try:
        return cache.incr("hits")
    except redis.RedisError:
        return None


def list_todos():
    rows = query("SELECT id, title, done FROM todos ORDER BY id")
    return [{"id": r[0], "title": r[1], "done": r[2]} for r in rows]


class Handler(BaseHTTPRequestHandler):
    server_version = "todo/" + VERSION
    # nginx logs every request; the app logs only writes and failures.
    def log_request(self, code="-", size="-"):
        if self.command != "GET" or not str(code).startswith("2"):
            super().log_request(code, size)

    def reply(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            if self.path == "/healthz":
                return self.health()
            if self.path == "/api/todos":
                todos = list_todos()
                return self.reply(200, {"todos": todos, "hits": count_hit(), "replica": REPLICA, "version": VERSION})
            if self.path == "/":
                todos = list_todos()
                lines = [f"todo list: {len(todos)} items (replica {REPLICA}, version {VERSION}, hits {count_hit()})"]
                lines += [f"[{'x' if t['done'] else ' '}] {t['id']} {t['title']}" for t in todos]
                return self.reply(200, "\n".join(lines) + "\n", "text/plain")
            self.reply(404, {"error": "not found"})
        except psycopg2.Error as e:
            self.log_error("database: %s", str(e).strip())
            self.reply(503, {"error": "database unavailable"})

    def do_POST(self):
        if self.path != "/api/todos":
            return self.reply(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                title = json.loads(raw).get("title")
            else:
                title = (parse_qs(raw).get("title") or [None])[0]
        except (ValueError, AttributeError):
            title = None
        if not isinstance(title, str) or not 1 <= len(title.strip()) <= 500:
            return self.reply(400, {"error": "title must be 1 to 500 characters"})
        try:
            rows = query("INSERT INTO todos (title) VALUES (%s) RETURNING id", (title.strip(),), write=True)
        except psycopg2.Error as e:
            self.log_error("database: %s", str(e).strip())
            return self.reply(503, {"error": "database unavailable"})
        self.reply(201, {"id": rows[0][0], "title": title.strip(), "done": False})

    def health(self):
        problems = []
        try:
            query("SELECT 1")
        except psycopg2.Error as e:
            problems.append("postgres: " + (str(e).strip().splitlines() or ["error"])[0])
        try:
            cache.ping()
        except redis.RedisError as e:
            problems.append(f"redis: {e}")
        if problems:
            self.reply(503, {"status": "unhealthy", "problems": problems})
        else:
            self.reply(200, {"status": "ok"})


class Server(ThreadingHTTPServer):
    # server_close() then waits for the requests under way instead of cutting them off.
    daemon_threads = False
    request_queue_size = 128

    def drain(self):
        """Serves the connections the kernel has already accepted for us, then closes the socket.

        Closing a listening socket resets the connections still queued on it, and nginx does not resend a
        POST it has already sent; so they are taken first. A connection attempted after the close is
        refused, which nginx does retry on another replica.
        """
        self.socket.setblocking(False)
        while True:
            try:
                request, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                break
            request.setblocking(True)
            self.process_request(request, address)
        self.server_close()


def main():
    server = Server(("0.0.0.0", PORT), Handler)
    # shutdown() must run on another thread than serve_forever().
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"todo app {VERSION} listening on :{PORT} as {REPLICA}", flush=True)
    server.serve_forever()
    server.drain()
    print("todo app stopped: requests under way were finished", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
