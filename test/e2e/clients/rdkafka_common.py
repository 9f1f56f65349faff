"""Shared helpers for the librdkafka (python3-confluent-kafka) e2e drivers.

Each driver is a script run by a vitest test: it prints exactly one JSON summary line on stdout
(the last line) and exits non-zero when what it checked did not hold. Client settings keep every
timeout short so that a broker that does not answer fails the test quickly instead of hanging.
"""
import ctypes
import hashlib
import json
import sys
import time

# Short timeouts everywhere: local broker, so anything slow is a failure worth seeing.
FAST = {
    'socket.timeout.ms': 10000,
    'socket.connection.setup.timeout.ms': 5000,
    'metadata.max.age.ms': 30000,
    'topic.metadata.refresh.interval.ms': 10000,
    'reconnect.backoff.ms': 50,
    'reconnect.backoff.max.ms': 500,
    'api.version.request.timeout.ms': 5000,
}


def client_config(bootstrap, **extra):
    conf = {'bootstrap.servers': bootstrap, 'broker.address.family': 'v4', **FAST}
    conf.update(extra)
    return conf


def consumer_config(bootstrap, **extra):
    # group.id is required by the client; offsets are never committed (no group protocol used).
    return client_config(
        bootstrap,
        **{
            'group.id': 'oxbow-e2e-assign-only',
            'enable.auto.commit': False,
            'enable.auto.offset.store': False,
            'auto.offset.reset': 'error',
            'enable.partition.eof': False,
            'check.crcs': True,
            'fetch.wait.max.ms': 100,
            'session.timeout.ms': 6000,
            **extra,
        },
    )


def digest(data):
    """Length and sha256 of bytes, or None for a null key/value."""
    if data is None:
        return None
    return {'len': len(data), 'sha256': hashlib.sha256(data).hexdigest()}


def message_headers(msg):
    """msg.headers(), compensating confluent-kafka-python 1.7's missing Py_INCREF on None header values
    (confluentinc/confluent-kafka-python#1191, fixed in 1.8.2): without it, reading enough null header
    values drives None's refcount to zero and aborts the interpreter ("deallocating None")."""
    headers = msg.headers()
    for _, v in headers or []:
        if v is None:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return headers


def headers_repr(headers):
    """Headers as [[key, hex value or None], ...] in wire order; [] when there are none."""
    if not headers:
        return []
    out = []
    for k, v in headers:
        if isinstance(v, str):
            v = v.encode('utf-8')
        out.append([k, None if v is None else v.hex()])
    return out


def emit(summary, ok):
    """Prints the JSON summary as the last stdout line and exits 0 when ok, 1 otherwise."""
    summary['ok'] = bool(ok)
    sys.stdout.write(json.dumps(summary, sort_keys=True) + '\n')
    sys.stdout.flush()
    sys.exit(0 if ok else 1)


class Deadline:
    """A wall-clock budget for one bounded loop."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return max(0.0, self.end - time.monotonic())

    def expired(self):
        return time.monotonic() >= self.end


def err_repr(err):
    """A KafkaError as {code, name, str} (None stays None)."""
    if err is None:
        return None
    return {'code': err.code(), 'name': err.name(), 'str': err.str()}
