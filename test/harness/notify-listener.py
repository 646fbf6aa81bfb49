#!/usr/bin/env python3
"""A real sd_notify socket for tests: bind a unix datagram socket at argv[1] and
print every datagram received as one JSON line (with the time it arrived)."""
import json
import os
import socket
import sys
import time

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o777)
print(json.dumps({"listening": path}), flush=True)
while True:
    data = sock.recv(65536)
    print(json.dumps({"t": time.time(), "message": data.decode("utf-8", "replace")}), flush=True)
