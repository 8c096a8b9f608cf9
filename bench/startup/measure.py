#!/usr/bin/env python3
"""One measured start of a command, for bench/startup/run.mjs.

usage: measure.py exit|handshake CMD [ARG...]   (cwd and environment are inherited)
Prints one JSON line: {"wall_ms", "cpu_ms", "maxrss_kb"}: wall time from fork to exit (or, with
`handshake`, to the first line on stdout, then SIGKILL: plugins ignore SIGTERM) and the CPU
time (user + system) of the child from wait4's rusage, in microseconds' resolution. CPU time
is much less hurt than wall time by other work on a loaded machine. maxrss_kb: the largest
resident set of the child (or of the largest child it waited for), from the same rusage.
"""
import json, os, signal, sys, time

mode, cmd = sys.argv[1], sys.argv[2:]
r, w = os.pipe()
devnull = os.open(os.devnull, os.O_RDWR)
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(devnull, 0)
    os.dup2(w if mode == 'handshake' else devnull, 1)
    os.dup2(devnull, 2)
    os.close(r)
    os.close(w)
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
os.close(w)
wall = None
if mode == 'handshake':
    buf = b''
    while b'\n' not in buf:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        buf += chunk
    wall = time.perf_counter() - t0
    if b'\n' not in buf or b'|' not in buf:
        os.kill(pid, signal.SIGKILL)
        os.wait4(pid, 0)
        sys.exit(f'no handshake line from {cmd}: {buf!r}')
    os.kill(pid, signal.SIGKILL)
_, status, ru = os.wait4(pid, 0)
if wall is None:
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f'{cmd} exited {os.waitstatus_to_exitcode(status)}')
print(json.dumps({'wall_ms': wall * 1000, 'cpu_ms': (ru.ru_utime + ru.ru_stime) * 1000, 'maxrss_kb': ru.ru_maxrss}))
