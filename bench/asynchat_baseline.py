"""The asynchat side of `npm run bench`: CPython's async_chat on the same bytes as ours.

Usage: python3 -W ignore asynchat_baseline.py, then one JSON request per line on stdin:
  {"cmd": "load", "slot": name, "file": path, "chunk": bytes per read, "parser": "lines" | "resp"}
      -> {"inputBytes": n}
  {"cmd": "run", "slot": name, "clock": "cpu" | "wall"}
      -> {"messages": n, "payloadBytes": n, "seconds": t}  (one run, timed on that clock)
Exits with status 3 and a message on stderr when asynchat cannot be imported.
Exit status 3 with a message on stderr when asynchat cannot be imported.
"""

import json
import sys
import time

try:
    import asynchat
except ImportError as err:  # removed from the standard library in 3.12
    sys.stderr.write(f"asynchat unavailable: {err}\n")
    sys.exit(3)


class ReplayChat(asynchat.async_chat):
    """An async_chat whose recv() hands out pre-split chunks instead of reading a socket."""

    def __init__(self, chunks):
        # A private map keeps the channel out of asyncore's global socket map.
        asynchat.async_chat.__init__(self, sock=None, map={})
        self._chunks = chunks
        self._next = 0
        self.messages = 0
        self.payload_bytes = 0

    def recv(self, buffer_size):
        chunk = self._chunks[self._next]
        self._next += 1
        return chunk

    def run(self):
        handle_read = self.handle_read
        for _ in range(len(self._chunks)):
            handle_read()


class LineChat(ReplayChat):
    """CRLF lines, consumed the idiomatic way: list append, join at the terminator."""

    def __init__(self, chunks):
        ReplayChat.__init__(self, chunks)
        self.set_terminator(b"\r\n")

    collect_incoming_data = asynchat.async_chat._collect_incoming_data

    def found_terminator(self):
        line = self._get_data()
        self.messages += 1
        self.payload_bytes += len(line)


class RespChat(ReplayChat):
    """A RESP reply parser the asynchat way: CRLF header lines, then a count for bulk bodies."""

    def __init__(self, chunks):
        ReplayChat.__init__(self, chunks)
        self.set_terminator(b"\r\n")
        self._in_bulk = False
        self._pending = []  # elements still expected by each open array, innermost last

    collect_incoming_data = asynchat.async_chat._collect_incoming_data

    def found_terminator(self):
        data = self._get_data()
        if self._in_bulk:
            self._in_bulk = False
            self.payload_bytes += len(data) - 2
            self.set_terminator(b"\r\n")
            self._element_done()
            return
        kind = data[:1]
        if kind == b"$":
            n = int(data[1:])
            if n < 0:
                self._element_done()
            else:
                self._in_bulk = True
                self.set_terminator(n + 2)
        elif kind == b"*":
            n = int(data[1:])
            if n <= 0:
                self._element_done()
            else:
                self._pending.append(n)
        else:
            self.payload_bytes += len(data) - 1
            self._element_done()

    def _element_done(self):
        pending = self._pending
        while pending:
            pending[-1] -= 1
            if pending[-1] > 0:
                return
            pending.pop()
        self.messages += 1


def serve(stdin, stdout):
    """Answers one JSON request per line, so the runs can alternate with ours in time."""
    slots = {}  # name -> (chunks, chat class)
    for request in stdin:
        req = json.loads(request)
        if req["cmd"] == "load":
            with open(req["file"], "rb") as f:
                data = f.read()
            size = req["chunk"]
            # Split before timing, as our side does: only dispatch and the consumer are timed.
            chunks = [data[i : i + size] for i in range(0, len(data), size)]
            slots[req["slot"]] = (chunks, {"lines": LineChat, "resp": RespChat}[req["parser"]])
            reply = {"inputBytes": len(data)}
        elif req["cmd"] == "run":
            chunks, chat_class = slots[req["slot"]]
            chat = chat_class(chunks)
            clock = time.process_time if req.get("clock") == "cpu" else time.perf_counter
            start = clock()
            chat.run()
            elapsed = clock() - start
            reply = {
                "messages": chat.messages,
                "payloadBytes": chat.payload_bytes,
                "seconds": elapsed,
            }
        else:
            reply = {"error": f"unknown command {req['cmd']!r}"}
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
