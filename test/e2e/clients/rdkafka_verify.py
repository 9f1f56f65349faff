"""Reads a topic back with librdkafka and checks it against the producer's manifest.

usage: rdkafka_verify.py BOOTSTRAP TOPIC PARTITIONS MANIFEST_PATH [SEED]

1. consume: assign() every partition from OFFSET_BEGINNING (no group protocol, no commits) until
   each reaches its high watermark; compare every record with the manifest (matched by its unique
   timestamp): partition, key, value, headers (order, empty and null values), timestamp and its
   type, offsets 0..HW-1 without gaps, each producer's records in send order, the offsets the
   delivery reports gave.
2. offsetsForTimes: sampled timestamps (exact, ±1, below the first, above the last) must give the
   earliest offset whose timestamp is >= t (or -1 past the end), computed from the consumed data.
3. seek: after reading from the start, seek to a middle offset (and back to an earlier one): the
   next record is exactly that offset with the same content.
"""
import json
import random
import sys
import time
from collections import defaultdict

from confluent_kafka import TIMESTAMP_CREATE_TIME, Consumer, TopicPartition, OFFSET_BEGINNING

from rdkafka_common import Deadline, consumer_config, digest, emit, err_repr, headers_repr, message_headers

LIMIT = 50  # mismatches reported in full


def load_manifest(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def record_of(msg):
    ts_type, ts = msg.timestamp()
    return {
        'partition': msg.partition(),
        'offset': msg.offset(),
        'key': digest(msg.key()),
        'value': digest(msg.value()),
        'headers': headers_repr(message_headers(msg)),
        'timestampType': ts_type,
        'timestamp': ts,
    }


def consume_all(bootstrap, topic, partitions):
    c = Consumer(consumer_config(bootstrap))
    highs = {}
    for p in range(partitions):
        _, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        highs[p] = high
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    got = defaultdict(list)
    client_errors = []
    deadline = Deadline(60)
    started = time.monotonic()
    polls = 0
    while not deadline.expired() and polls < 100000:
        if all((got[p][-1]['offset'] + 1 if got[p] else 0) >= highs[p] for p in range(partitions)):
            break
        polls += 1
        for msg in c.consume(num_messages=1000, timeout=0.5):
            if msg.error() is not None:
                client_errors.append(err_repr(msg.error()))
                continue
            got[msg.partition()].append(record_of(msg))
    elapsed = time.monotonic() - started
    c.close()
    return highs, got, client_errors, elapsed


def compare(manifest, highs, got, partitions):
    mismatches = []
    by_ts = {m['timestamp']: m for m in manifest}
    seen = set()
    for p in range(partitions):
        recs = got[p]
        expected_count = sum(1 for m in manifest if m['partition'] == p)
        if highs[p] != expected_count:
            mismatches.append({'what': 'high watermark', 'partition': p, 'expected': expected_count, 'got': highs[p]})
        offsets = [r['offset'] for r in recs]
        if offsets != list(range(len(recs))):
            mismatches.append({'what': 'offsets not 0..n-1 in order', 'partition': p, 'first': offsets[:10]})
        last_seq = {}
        for r in recs:
            m = by_ts.get(r['timestamp'])
            if m is None:
                mismatches.append({'what': 'record not in manifest', 'got': r})
                continue
            if m['i'] in seen:
                mismatches.append({'what': 'duplicate record', 'i': m['i'], 'got': r})
            seen.add(m['i'])
            for field in ('partition', 'key', 'value', 'headers'):
                if r[field] != m[field]:
                    mismatches.append({'what': field, 'i': m['i'], 'partition': p, 'offset': r['offset'], 'expected': m[field], 'got': r[field]})
            if r['timestampType'] != TIMESTAMP_CREATE_TIME:
                mismatches.append({'what': 'timestamp type', 'i': m['i'], 'got': r['timestampType']})
            if m['offset'] is not None and m['offset'] != r['offset']:
                mismatches.append({'what': 'delivery report offset', 'i': m['i'], 'expected': m['offset'], 'got': r['offset']})
            prev = last_seq.get(m['producer'], -1)
            if m['seq'] <= prev:
                mismatches.append({'what': 'producer order', 'producer': m['producer'], 'partition': p, 'offset': r['offset'], 'seq': m['seq'], 'after': prev})
            last_seq[m['producer']] = m['seq']
    missing = [m['i'] for m in manifest if m['i'] not in seen]
    if missing:
        mismatches.append({'what': 'missing records', 'count': len(missing), 'first': missing[:20], 'byAcks': {a: sum(1 for m in manifest if m['i'] in set(missing) and m['acks'] == a) for a in ('0', '1', 'all')}})
    return mismatches


def expected_offset(recs, t):
    for r in recs:
        if r['timestamp'] >= t:
            return r['offset']
    return -1


def check_offsets_for_times(bootstrap, topic, partitions, got, rng):
    c = Consumer(consumer_config(bootstrap))
    checks = []
    mismatches = []
    # Per round one timestamp per partition (ListOffsets takes each partition once).
    rounds = []
    for _ in range(15):
        picks = {}
        for p in range(partitions):
            recs = got[p]
            r = rng.choice(recs)
            picks[p] = r['timestamp'] + rng.choice([-1, 0, 1])
        rounds.append(picks)
    rounds.append({p: min(r['timestamp'] for r in got[p]) - 1000 for p in range(partitions)})
    rounds.append({p: max(r['timestamp'] for r in got[p]) for p in range(partitions)})
    rounds.append({p: max(r['timestamp'] for r in got[p]) + 1 for p in range(partitions)})
    for picks in rounds:
        result = c.offsets_for_times([TopicPartition(topic, p, t) for p, t in picks.items()], timeout=10)
        for tp in result:
            expected = expected_offset(got[tp.partition], picks[tp.partition])
            checks.append(1)
            if tp.error is not None or tp.offset != expected:
                mismatches.append({'partition': tp.partition, 'timestamp': picks[tp.partition], 'expected': expected, 'got': tp.offset, 'error': err_repr(tp.error)})
    c.close()
    return {'checked': len(checks), 'mismatches': mismatches[:LIMIT], 'mismatchCount': len(mismatches)}


def next_message(c, deadline):
    while not deadline.expired():
        msg = c.poll(0.5)
        if msg is None:
            continue
        if msg.error() is not None:
            return {'error': err_repr(msg.error())}
        return record_of(msg)
    return None


def check_seek(bootstrap, topic, partitions, got):
    results = []
    for p in range(partitions):
        recs = got[p]
        if len(recs) < 10:
            continue
        c = Consumer(consumer_config(bootstrap))
        c.assign([TopicPartition(topic, p, 0)])
        deadline = Deadline(20)
        first = next_message(c, deadline)
        # Read a little further so the client has fetched past the seek targets below.
        for _ in range(5):
            next_message(c, deadline)
        targets = [len(recs) // 2, 2, len(recs) - 1]
        steps = [{'target': 0, 'got': first}]
        for target in targets:
            c.seek(TopicPartition(topic, p, target))
            steps.append({'target': target, 'got': next_message(c, deadline)})
        c.close()
        for s in steps:
            expected = recs[s['target']]
            s['ok'] = s['got'] == expected
            if not s['ok']:
                s['expected'] = expected
            else:
                s['got'] = {'offset': s['got']['offset']}
        results.append({'partition': p, 'steps': steps})
    return results


def main():
    bootstrap, topic, partitions, manifest_path, *rest = sys.argv[1:]
    partitions = int(partitions)
    rng = random.Random(int(rest[0]) if rest else 7)
    manifest = load_manifest(manifest_path)
    highs, got, client_errors, elapsed = consume_all(bootstrap, topic, partitions)
    mismatches = compare(manifest, highs, got, partitions)
    consumed = sum(len(v) for v in got.values())
    summary = {
        'consume': {
            'highWatermarks': {str(p): highs[p] for p in range(partitions)},
            'consumed': consumed,
            'perPartition': {str(p): len(got[p]) for p in range(partitions)},
            'manifest': len(manifest),
            'mismatches': mismatches[:LIMIT],
            'mismatchCount': len(mismatches),
            'clientErrors': client_errors[:20],
            'elapsedS': round(elapsed, 2),
        },
    }
    ok = not mismatches and consumed == len(manifest)
    if consumed > 0 and all(got[p] for p in range(partitions)):
        summary['offsetsForTimes'] = check_offsets_for_times(bootstrap, topic, partitions, got, rng)
        summary['seek'] = check_seek(bootstrap, topic, partitions, got)
        ok = ok and summary['offsetsForTimes']['mismatchCount'] == 0 and all(s['ok'] for r in summary['seek'] for s in r['steps'])
    else:
        ok = False
    emit(summary, ok)


if __name__ == '__main__':
    main()
