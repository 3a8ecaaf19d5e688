"""Runs CPython's own asynchat on scripted cases and prints what it did, as JSON.

Reads one job on stdin, {"cases": [...]}, and writes {"results": [...]} in the same order, so a
whole test file costs one Python start. The TypeScript side (test/unit/helpers/pythonAsynchat.ts)
replays the same cases through our AsyncChat and compares the logs.

Case kinds:
  input   chunks fed one read event each (recv() returns at most ac_in_buffer_size of what is
          left, as a socket would), optional EOF the way asyncore signals it (handle_close, then
          an empty read), scripted actions inside found_terminator / collect_incoming_data.
  output  push / producers / close_when_done on a fake socket that records every send().
  simpleProducer, prefix
          the two public helpers, simple_producer and find_prefix_at_end.

Terminator specs: absent = never set, null = None, {"b": hex}, {"n": int}, {"s": text},
{"f": float or "nan"}.
"""

import asynchat
import json
import sys


def term_from(spec):
    if spec is None:
        return None
    if "b" in spec:
        return bytes.fromhex(spec["b"])
    if "n" in spec:
        return spec["n"]
    if "s" in spec:
        return spec["s"]
    return float(spec["f"])


def term_repr(t):
    if t is None:
        return "none"
    if isinstance(t, (bytes, bytearray)):
        return "b:" + bytes(t).hex()
    if isinstance(t, bool):
        return "bool:" + str(t)
    if isinstance(t, int):
        return "n:%d" % t
    if isinstance(t, str):
        return "s:" + t
    return "%s:%r" % (type(t).__name__, t)


def error_entry(e):
    # push()'s TypeError keeps its unformatted args tuple (pitfall 8); str() shows it as is.
    return "error:%s:%s" % (type(e).__name__, e)


class InputChat(asynchat.async_chat):
    def __init__(self, case, log):
        super().__init__(map={})
        self.connected = True
        self.log = log
        self.on_found = case.get("onFound", [])
        self.on_collect = case.get("onCollect", [])
        self.n_found = 0
        self.n_collect = 0
        self.kernel = b""
        self.eof = False

    def recv(self, size):
        # asyncore's dispatcher.recv: at EOF, handle_close() first, then empty bytes.
        if not self.kernel:
            if self.eof:
                self.handle_close()
            return b""
        data, self.kernel = self.kernel[:size], self.kernel[size:]
        return data

    def run(self, actions, index):
        for act in actions[index] if index < len(actions) else []:
            if "set" in act:
                self.set_terminator(term_from(act["set"]))
            elif "raise" in act:
                raise RuntimeError(act["raise"])
            elif act.get("do") == "discard":
                self.discard_buffers()
            elif act.get("do") == "close":
                self.close()

    def collect_incoming_data(self, data):
        self.log.append("collect:" + data.hex())
        self.n_collect += 1
        self.run(self.on_collect, self.n_collect - 1)

    def found_terminator(self):
        self.log.append("found:" + term_repr(self.get_terminator()))
        self.n_found += 1
        self.run(self.on_found, self.n_found - 1)

    def handle_close(self):
        self.log.append("handle_close")
        self.close()

    def close(self):
        self.log.append("close")
        super().close()


def run_input(case):
    log = []
    ch = InputChat(case, log)
    if "inSize" in case:
        ch.ac_in_buffer_size = case["inSize"]
    if case.get("useEncoding"):
        ch.use_encoding = 1
    if "terminator" in case:
        try:
            ch.set_terminator(term_from(case["terminator"]))
        except Exception as e:
            log.append(error_entry(e))
    for chunk in case["chunks"]:
        if not ch.connected:
            break
        ch.kernel = bytes.fromhex(chunk)
        # One read event per recv(); handle_error is taken to log and carry on, so the next
        # read event (the rest of the chunk) still comes.
        while ch.kernel and ch.connected:
            try:
                ch.handle_read()
            except Exception as e:
                log.append(error_entry(e))
        log.append("term:" + (term_repr(ch.terminator) if hasattr(ch, "terminator") else "unset"))
    if case.get("eof") and ch.connected:
        ch.eof = True
        try:
            ch.handle_read()
        except Exception as e:
            log.append(error_entry(e))
    return {"log": log, "left": ch.ac_in_buffer.hex()}


class FakeSocket:
    def __init__(self, log, limit):
        self.log = log
        self.limit = limit
        self.reenter = None
        self.chat = None

    def send(self, data):
        if self.reenter is not None:
            inner, self.reenter = self.reenter, None
            self.chat.push(inner)
        n = len(data) if self.limit is None else min(self.limit, len(data))
        self.log.append("send:" + bytes(data[:n]).hex())
        return n

    def close(self):
        pass

    def fileno(self):
        return -1


class OutputChat(asynchat.async_chat):
    def __init__(self, log):
        super().__init__(map={})
        self.log = log

    def handle_close(self):
        self.log.append("handle_close")
        self.close()

    def close(self):
        self.log.append("close")
        super().close()


def run_output(case):
    log = []
    ch = OutputChat(log)
    sock = FakeSocket(log, case.get("sendLimit"))
    sock.chat = ch
    ch.socket = sock
    ch.connected = case.get("connected", True)
    if "outSize" in case:
        ch.ac_out_buffer_size = case["outSize"]
    last = None
    for op in case["ops"] + [{"op": "pump"}]:
        kind = op["op"]
        try:
            if kind == "push":
                ch.push(bytes.fromhex(op["hex"]))
            elif kind == "pushBytearray":
                last = bytearray.fromhex(op["hex"])
                ch.push(last)
            elif kind == "mutate":
                last[op["index"]] = op["byte"]
            elif kind == "pushStr":
                ch.push(op["text"])
            elif kind == "pushProducer":
                ch.push_with_producer(asynchat.simple_producer(bytes.fromhex(op["hex"]), op["size"]))
            elif kind == "pushBytesProducer":
                ch.push_with_producer(bytes.fromhex(op["hex"]))
            elif kind == "pushReentrant":
                sock.reenter = bytes.fromhex(op["inner"])
                ch.push(bytes.fromhex(op["hex"]))
            elif kind == "closeWhenDone":
                ch.close_when_done()
            elif kind == "connect":
                ch.connected = True
                ch.handle_write()
            elif kind == "pump":
                events = 0
                while ch.connected and ch.producer_fifo and events < 100000:
                    ch.handle_write()
                    events += 1
        except Exception as e:
            log.append(error_entry(e))
    left = []
    for entry in ch.producer_fifo:
        left.append("close" if entry is None else bytes(entry).hex())
    return {"log": log, "fifo": left}


def run_simple_producer(case):
    p = asynchat.simple_producer(bytes.fromhex(case["hex"]), case["size"])
    return {"slices": [p.more().hex() for _ in range(case["calls"])]}


def run_prefix(case):
    if case.get("text"):
        return {"value": asynchat.find_prefix_at_end(case["haystack"], case["needle"])}
    haystack = bytes.fromhex(case["haystack"])
    return {"value": asynchat.find_prefix_at_end(haystack, bytes.fromhex(case["needle"]))}


RUNNERS = {
    "input": run_input,
    "output": run_output,
    "simpleProducer": run_simple_producer,
    "prefix": run_prefix,
}


def main():
    job = json.load(sys.stdin)
    results = [RUNNERS[case["kind"]](case) for case in job["cases"]]
    json.dump({"python": sys.version.split()[0], "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
