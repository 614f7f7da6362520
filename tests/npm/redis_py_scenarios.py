"""redis-py scenarios run against one server (port in argv[1]); prints the
results as JSON so the Node test can compare redplay with redis-server.
argv[2] lists the families core has (strings,transactions,pubsub,lists,streams)."""
import json
import sys
import threading
import time

import redis

port = int(sys.argv[1])
families = set(sys.argv[2].split(","))
out = {}


def client(**kw):
    return redis.Redis(host="127.0.0.1", port=port, decode_responses=True, **kw)


r = client()
r.flushall()

if "strings" in families:
    out["strings"] = [
        r.set("k", "v"),
        r.get("k"),
        r.incrby("n", 7),
        r.incrbyfloat("f", 2.5),
        r.mset({"a": "1", "b": "2"}),
        r.mget("a", "b", "zz"),
        r.expire("a", 50),
        r.ttl("a"),
        r.exists("a", "b", "zz"),
        sorted(r.keys("*")),
        r.getdel("b"),
    ]
    try:
        r.incr("k")
    except redis.ResponseError as e:
        out["strings_error"] = str(e)

if "transactions" in families:
    pipe = r.pipeline(transaction=True)
    pipe.set("t", "1").incr("t").get("t")
    out["multi"] = pipe.execute()
    plain = r.pipeline(transaction=False)
    for i in range(100):
        plain.set(f"p{i}", i)
    out["pipeline"] = len(plain.execute())

    w = r.pipeline()
    w.watch("w")
    client().set("w", "other")
    w.multi()
    w.set("w", "mine")
    try:
        w.execute()
        out["watch"] = "executed"
    except redis.WatchError:
        out["watch"] = "aborted"

if "pubsub" in families:
    p = client().pubsub()
    p.subscribe("news")
    p.psubscribe("n*")
    got = []
    deadline = time.time() + 2
    while len(got) < 2 and time.time() < deadline:
        m = p.get_message(timeout=0.2)
        if m:
            got.append(m)
    receivers = r.publish("news", "hello")
    while len(got) < 4 and time.time() < deadline:
        m = p.get_message(timeout=0.2)
        if m:
            got.append(m)
    p.close()
    out["pubsub"] = {"receivers": receivers, "got": got}

if "lists" in families:
    def push_later():
        time.sleep(0.1)
        client().rpush("q", "job")

    threading.Thread(target=push_later).start()
    out["blpop"] = r.blpop("q", timeout=0)
    out["blpop_timeout"] = r.brpop("empty", timeout=0.1)

if "streams" in families:
    r.xgroup_create("ev", "g", id="$", mkstream=True)

    def add_later():
        time.sleep(0.1)
        client().xadd("ev", {"f": "v"}, id="3-1")

    threading.Thread(target=add_later).start()
    out["xreadgroup"] = r.xreadgroup("g", "alice", {"ev": ">"}, block=0)
    out["xpending"] = r.xpending("ev", "g")
    out["xack"] = r.xack("ev", "g", "3-1")
    out["xrange"] = r.xrange("ev")

r3 = client(protocol=3)
out["resp3"] = {"set": r3.set("r3", "x"), "get": r3.get("r3"), "config": r3.config_get("maxmemory-policy")}

print(json.dumps(out, sort_keys=True))
