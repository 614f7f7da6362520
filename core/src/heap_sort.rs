//! One small in-place sort for cold paths (SCAN, snapshots, views, help).
//!
//! Each `slice::sort*` call site with a new element type or comparator gets
//! its own copy of std's pattern-defeating quicksort, a few kilobytes of wasm
//! apiece. Heapsort is O(n log n) in the worst case, needs no extra memory and
//! compiles to a few hundred bytes. It is not stable: use it where equal
//! elements are indistinguishable or the order among them does not matter.

use core::cmp::Ordering;

/// Sorts `items` in ascending order of `compare`.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let mut less = |a: &T, b: &T| compare(a, b) == Ordering::Less;
    let len = items.len();
    for start in (0..len / 2).rev() {
        sift_down(items, start, len, &mut less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &mut less);
    }
}

/// Keeps the `limit` smallest of `items` by `compare`, sorted ascending: a
/// bounded max-heap over the first `limit` slots, O(n log limit).
pub fn smallest_by<T>(items: &mut alloc::vec::Vec<T>, limit: usize, mut compare: impl FnMut(&T, &T) -> Ordering) {
    if limit < items.len() {
        let mut less = |a: &T, b: &T| compare(a, b) == Ordering::Less;
        for start in (0..limit / 2).rev() {
            sift_down(items, start, limit, &mut less);
        }
        for candidate in limit..items.len() {
            if limit > 0 && less(&items[candidate], &items[0]) {
                items.swap(0, candidate);
                sift_down(items, 0, limit, &mut less);
            }
        }
        items.truncate(limit);
    }
    sort_by(items, compare);
}

/// Sorts `items` in ascending order of `key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Restores the max-heap below `node` within `items[..end]`.
fn sift_down<T>(items: &mut [T], mut node: usize, end: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[node], &items[child]) {
            return;
        }
        items.swap(node, child);
        node = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn sorts_like_std_for_every_shape() {
        let mut seed = 1u32;
        let mut random = |n: usize, range: u32| {
            (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 8) % range
                })
                .collect::<Vec<u32>>()
        };
        let cases: Vec<(&str, Vec<u32>)> = vec![
            ("empty", vec![]),
            ("one", vec![3]),
            ("two reversed", vec![2, 1]),
            ("ascending", (0..100).collect()),
            ("descending", (0..100).rev().collect()),
            ("all equal", vec![7; 50]),
            ("few distinct", random(300, 4)),
            ("random", random(1000, 1_000_000)),
        ];
        for (name, input) in cases {
            let mut ours = input.clone();
            sort_by(&mut ours, |a, b| a.cmp(b));
            let mut want = input;
            want.sort_unstable();
            assert_eq!(ours, want, "{name}");
        }
    }

    #[test]
    fn smallest_keeps_the_first_limit_in_order() {
        let input: Vec<u32> = (0..500u32).map(|i| i.wrapping_mul(2_654_435_761) % 1000).collect();
        for limit in [0, 1, 2, 7, 100, 499, 500, 501, 10_000] {
            let mut ours = input.clone();
            smallest_by(&mut ours, limit, |a, b| a.cmp(b));
            let mut want = input.clone();
            want.sort_unstable();
            want.truncate(limit);
            assert_eq!(ours, want, "limit {limit}");
        }
    }

    #[test]
    fn by_key_can_reverse() {
        let mut v = vec![(1u64, 'a'), (3, 'b'), (2, 'c')];
        sort_by_key(&mut v, |&(n, _)| core::cmp::Reverse(n));
        assert_eq!(v, vec![(3, 'b'), (2, 'c'), (1, 'a')]);
    }
}
