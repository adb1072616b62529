# A notification socket for the specs, as a service manager keeps one: a unix datagram socket
# bound to argv[1] (a path, or "@name" for Linux's abstract namespace). It prints "BOUND" once
# bound, then one JSON line per datagram: {"t": CLOCK_MONOTONIC µs at receipt, "pid": the
# sender's pid (SCM_CREDENTIALS), "msg": the datagram}. It ends on SIGTERM or when stdin closes.
import json
import os
import select
import socket
import struct
import sys
import time

address = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind("\0" + address[1:] if address.startswith("@") else address)
print("BOUND", flush=True)
ucred = struct.calcsize("iII")
while True:
    ready, _, _ = select.select([sock, sys.stdin], [], [])
    if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
        break
    if sock not in ready:
        continue
    data, ancillary, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(ucred))
    now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    pid = None
    for level, kind, value in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", value[:ucred])[0]
    print(json.dumps({"t": now, "pid": pid, "msg": data.decode("utf-8", "replace")}), flush=True)
