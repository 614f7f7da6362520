//! The registry on its own: ordered sets, literal prefixes, and the pattern
//! index checked against testing every pattern on random input.

use alloc::vec::Vec;

use super::*;

#[test]
fn ordered_set_keeps_insertion_order() {
    let mut set = OrderedSet::default();
    assert!(set.insert(b"b") && set.insert(b"a") && !set.insert(b"b") && set.insert(b"c"));
    assert!(set.remove(b"a") && !set.remove(b"a"));
    assert!(set.insert(b"a"));
    assert_eq!(set.iter().collect::<Vec<_>>(), [&b"b"[..], b"c", b"a"]);
    assert_eq!(set.len(), 3);
    assert!(set.contains(b"c") && !set.contains(b"d"));
}

#[test]
fn literal_prefixes() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"news.*", b"news."),
        (b"*", b""),
        (b"abc", b"abc"),
        (b"a?c", b"a"),
        (b"a[bc]", b"a"),
        (b"a\\*", b"a"),
        (b"", b""),
        (b"x]^-y", b"x]^-y"),
    ];
    for &(pattern, prefix) in cases {
        assert_eq!(literal_prefix(pattern), prefix, "{:?}", pattern);
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn string(&mut self, alphabet: &[u8], max_len: usize) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| alphabet[self.below(alphabet.len())]).collect()
    }
}

/// What every pattern tested against the channel would give, oldest first.
fn brute_force(patterns: &[(Vec<u8>, ClientId)], channel: &[u8]) -> Vec<(Vec<u8>, Vec<ClientId>)> {
    let mut out: Vec<(Vec<u8>, Vec<ClientId>)> = Vec::new();
    for (pattern, client) in patterns {
        if !glob::matches(pattern, channel, false) {
            continue;
        }
        match out.iter_mut().find(|(p, _)| p == pattern) {
            Some((_, clients)) => clients.push(*client),
            None => out.push((pattern.clone(), alloc::vec![*client])),
        }
    }
    out
}

#[test]
fn pattern_index_equals_testing_every_pattern() {
    const PATTERN_BYTES: &[u8] = b"ab*?[]^-\\c";
    const CHANNEL_BYTES: &[u8] = b"abc[]^-\\?*";
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut matched = 0usize;
    for round in 0..40 {
        let mut index = PatternIndex::default();
        // Registration order, one row per (pattern, client) subscription.
        let mut live: Vec<(Vec<u8>, ClientId)> = Vec::new();
        for _ in 0..200 {
            let pattern = rng.string(PATTERN_BYTES, 6);
            let client = rng.below(4) as ClientId + 1;
            if rng.below(5) == 0 {
                // Unsubscribe someone instead.
                if let Some(i) = (!live.is_empty()).then(|| rng.below(live.len())) {
                    let (pattern, client) = live.remove(i);
                    index.remove(&pattern, client);
                }
                continue;
            }
            if live.iter().any(|(p, c)| *p == pattern && *c == client) {
                continue;
            }
            index.add(&pattern, client);
            live.push((pattern, client));
        }
        // Order of first registration among the survivors decides the
        // expected order; a pattern re-created after vanishing is newer.
        let mut ordered: Vec<(Vec<u8>, ClientId)> = Vec::new();
        let mut seqs: Vec<(u64, Vec<u8>)> = index.patterns.iter().map(|(p, e)| (e.seq, p.clone())).collect();
        seqs.sort();
        for (_, pattern) in &seqs {
            for entry in index.patterns.get(pattern).iter() {
                for &client in &entry.clients {
                    ordered.push((pattern.clone(), client));
                }
            }
        }
        assert_eq!(index.len(), seqs.len());
        for _ in 0..300 {
            let channel = rng.string(CHANNEL_BYTES, 8);
            let fast: Vec<(Vec<u8>, Vec<ClientId>)> =
                index.matching(&channel).into_iter().map(|(p, c)| (p.to_vec(), c.to_vec())).collect();
            assert_eq!(fast, brute_force(&ordered, &channel), "round {} channel {:?}", round, channel);
            matched += fast.len();
        }
        // Removing everything empties every index structure.
        for (pattern, client) in &live {
            index.remove(pattern, *client);
        }
        assert!(index.is_empty() && index.by_prefix.is_empty() && index.prefix_lengths.is_empty());
    }
    // The comparison means something only if many channels do match.
    assert!(matched > 5_000, "only {} matches", matched);
}

#[test]
fn a_publish_with_many_patterns_tests_only_candidates() {
    let mut index = PatternIndex::default();
    for i in 0..1000u32 {
        index.add(alloc::format!("user:{}:*", i).as_bytes(), 1);
    }
    index.add(b"*:login", 2);
    // Only the groups `user:42:` and the empty prefix are candidates.
    let candidates: usize = index
        .prefix_lengths
        .keys()
        .filter_map(|&len| b"user:42:login".get(..len))
        .filter_map(|prefix| index.by_prefix.get(prefix))
        .map(|group| group.len())
        .sum();
    assert_eq!(candidates, 2);
    let found: Vec<&[u8]> = index.matching(b"user:42:login").into_iter().map(|(p, _)| p).collect();
    assert_eq!(found, [&b"user:42:*"[..], b"*:login"]);
}
