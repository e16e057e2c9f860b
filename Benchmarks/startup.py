#!/usr/bin/env python3
"""Start to ready of the gateway: from the moment the process is started until /readyz
answers 200, several times, each on a port of its own (PORT+1, PORT+2, ...).

    startup.py GATEWAY-BINARY PORT TRIES      (the environment is the gateway's)

Prints key=value lines for report.py: the median and every try, in milliseconds.
Polls every millisecond over a raw socket (a curl per poll would cost more than what it
measures); each try is bounded by 10 s, and the gateway is stopped after every try.
"""
import os
import socket
import statistics
import subprocess
import sys
import time


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def one_start(binary, port):
    env = dict(os.environ, OTA_HTTP_PORT=str(port))
    started = time.monotonic()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < 10:
            if ready(port):
                return (time.monotonic() - started) * 1000
            if process.poll() is not None:
                sys.exit(f"startup: the gateway exited with {process.returncode} before it was ready")
            time.sleep(0.001)
        sys.exit("startup: the gateway was not ready within 10 s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: startup.py GATEWAY-BINARY PORT TRIES")
    binary, port, tries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    times = [one_start(binary, port + 1 + i) for i in range(tries)]
    print(f"start_to_ready_ms={statistics.median(times):.1f}")
    print("start_to_ready_tries_ms=" + " ".join(f"{t:.1f}" for t in times))


if __name__ == "__main__":
    main()
