#!/usr/bin/env python3
"""Regenerates core/src/commands/meta/{commands,docs}.txt from a running
redis-server 7.0.15: the argument trees, ACL categories, key specifications,
tips, complexity, deprecation and history its COMMAND INFO / COMMAND DOCS
report for every command and subcommand redplay's table has.

    redis-server --port 6420 --save '' --daemonize yes
    printf 'COMMAND LIST\n' | target/release/redplay-cli > /tmp/names.txt
    scripts/command-meta.py 6420 /tmp/names.txt

Add the new command's row first (so COMMAND LIST names it), then run this and
review the diff; tests/diff/command_meta.rs checks the result against the
server. The formats are described in core/src/commands/meta/mod.rs and args.rs.
"""
import json, re, socket, sys
class C:
    def __init__(s, port):
        s.s = socket.create_connection(('127.0.0.1', port)); s.f = s.s.makefile('rb')
    def cmd(s, *args):
        out = b'*%d\r\n' % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b'$%d\r\n%s\r\n' % (len(a), a)
        s.s.sendall(out); return s.read()
    def read(s):
        line = s.f.readline()[:-2]; t, rest = chr(line[0]), line[1:]
        if t in '+': return ('status', rest.decode())
        if t == '-': return ('error', rest.decode())
        if t == ':': return int(rest)
        if t == '$':
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n + 2)[:-2]; return d.decode()
        if t == '_': return None
        if t in '*~':
            n = int(rest); items = [s.read() for _ in range(n)]
            return items if t == '*' else ('set', items)
        if t == '%':
            n = int(rest); return ('map', [(s.read(), s.read()) for _ in range(n)])
        raise Exception(t)
def m(x): return dict(x[1]) if x and x[0] == 'map' else None
def st(x): return [y[1] if isinstance(y, list) else y for y in x[1]]
TYPES = {'key': ':k', 'integer': ':i', 'double': ':d', 'pattern': ':p', 'unix-time': ':t', 'string': ''}
def q_name(n):
    return n if re.fullmatch(r'[a-z][a-z0-9_\-]*', n) else '"%s"' % n
def q_tok(t):
    return t if re.fullmatch(r'[A-Z][A-Z0-9_\-]*', t) else "'%s'" % t
KEYS_SEEN = [0]
def enc_arg(a):
    a = m(a); t = a['type']; flags = st(a['flags']) if 'flags' in a else []
    tok = a.get('token')
    if t == 'pure-token':
        s = q_tok(tok)
        if a['name'] != tok.lower(): s += '#' + q_name(a['name'])
    else:
        if t in ('oneof', 'block'):
            inner = ('|' if t == 'oneof' else ' ').join(enc_arg(x) for x in a['arguments'])
            body = q_name(a['name']) + ('(%s)' % inner if t == 'oneof' else '{%s}' % inner)
        else:
            body = q_name(a['name']) + TYPES[t]
            if t == 'key':
                # Key arguments take the next key spec unless Redis says otherwise.
                if a['key_spec_index'] != KEYS_SEEN[0]: body += '%d' % a['key_spec_index']
                KEYS_SEEN[0] = a['key_spec_index'] + 1
        s = (q_tok(tok) + '=' + body) if tok else body
    if 'multiple' in flags: s += ('+...' if 'multiple_token' in flags else '...')
    elif 'multiple_token' in flags: raise Exception('mt without multiple')
    if 'since' in a: s += '@' + a['since']
    if 'deprecated_since' in a: s += '!' + a['deprecated_since']
    if 'optional' in flags: s = '[' + s + ']'
    known = {'name','type','token','flags','since','deprecated_since','arguments','key_spec_index'}
    assert set(a) <= known, a
    return s
def enc_keyspec(ks):
    ks = m(ks); b = m(ks['begin_search']); f = m(ks['find_keys'])
    out = ','.join(st(ks['flags']))
    bs = m(b['spec'])
    if b['type'] == 'index': out += ' i%d' % bs['index']
    elif b['type'] == 'keyword': out += ' k%s,%d' % (bs['keyword'], bs['startfrom'])
    else: raise Exception(b)
    fs = m(f['spec'])
    if f['type'] == 'range': out += ' r%d,%d,%d' % (fs['lastkey'], fs['keystep'], fs['limit'])
    elif f['type'] == 'keynum': out += ' n%d,%d,%d' % (fs['keynumidx'], fs['firstkey'], fs['keystep'])
    else: raise Exception(f)
    assert set(ks) <= {'notes','flags','begin_search','find_keys'}, ks
    if 'notes' in ks: out += ' ' + ks['notes']
    return out
def info_of(name):
    top = name.split('|')[0]; info = d[top]['info']
    if '|' in name:
        subs = info[9][1] if info[9] and info[9][0] == 'set' else info[9]
        info = [s for s in subs if s[0] == name][0]
    return info
def docs_of(name):
    top = name.split('|')[0]; doc = m(m(d[top]['docs'])[top])
    if '|' in name: doc = m(m(doc['subcommands'])[name])
    return doc
FLAGS_IMPLIED = {'write':['@write'],'readonly':['@read'],'admin':['@admin','@dangerous'],'pubsub':['@pubsub'],'fast':['@fast'],'blocking':['@blocking']}

port, names_file = int(sys.argv[1]), sys.argv[2]
names = open(names_file).read().split()
c = C(port); c.cmd('HELLO', '3')
d = {n: {'info': c.cmd('COMMAND', 'INFO', n)[0], 'docs': c.cmd('COMMAND', 'DOCS', n)} for n in names if '|' not in n}
# Tuples (status, set, map markers) become lists, the shape the encoders expect.
d = json.loads(json.dumps(d))
lines = []; docs = []
for n in names:
    info = info_of(n); doc = docs_of(n)
    lines.append(n); doc_start = len(docs); docs.append(n)
    flags = [f[1] for f in info[2][1]]
    cats = [c[1] for c in info[6][1]]
    implied = set(sum((FLAGS_IMPLIED.get(f, []) for f in flags), []))
    if '@fast' not in cats: implied.add('@slow')
    explicit = [c[1:] for c in cats if c not in implied]
    if explicit: lines.append(' acl ' + ' '.join(explicit))
    KEYS_SEEN[0] = 0
    if 'arguments' in doc: lines.append(' args ' + ' '.join(enc_arg(a) for a in doc['arguments']))
    for ks in info[8][1]: docs.append(' key ' + enc_keyspec(ks))
    tips = st(info[7]) if info[7] and info[7][0]=='set' else info[7]
    if tips: docs.append(' tips ' + ' '.join(tips))
    if 'complexity' in doc: docs.append(' complexity ' + doc['complexity'])
    if 'doc_flags' in doc:
        assert st(doc['doc_flags']) == ['deprecated']
        docs.append(' deprecated %s %s' % (doc['deprecated_since'], doc['replaced_by']))
    for v, text in (doc['history'][1] if 'history' in doc else []):
        docs.append(' history %s %s' % (v, text))
    assert set(doc) <= {'summary','since','group','complexity','doc_flags','deprecated_since','replaced_by','history','arguments','subcommands'}
open('core/src/commands/meta/commands.txt', 'w').write('\n'.join(lines) + '\n')
open('core/src/commands/meta/docs.txt', 'w').write('\n'.join(docs) + '\n')
