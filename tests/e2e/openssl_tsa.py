#!/usr/bin/env python3
"""An RFC 3161 TSA for the tests: OpenSSL's own responder (`openssl ts -reply`) behind a tiny
HTTP wrapper, an implementation independent of webproof's. Usage:
    openssl_tsa.py DIR   (DIR holds tsa.cnf, tsa.pem, tsa.key; prints the URL, then serves)"""
import http.server
import os
import subprocess
import sys
import tempfile

DIR = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory() as t:
            q, r = os.path.join(t, "q.tsq"), os.path.join(t, "r.tsr")
            with open(q, "wb") as f:
                f.write(body)
            p = subprocess.run(["openssl", "ts", "-reply", "-config", "tsa.cnf",
                                "-queryfile", q, "-out", r], cwd=DIR, capture_output=True)
            if p.returncode != 0 or not os.path.exists(r):
                self.send_response(500)
                self.end_headers()
                return
            with open(r, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}/", flush=True)
server.serve_forever()
