//! A sorted-`Vec` map and set for small or rarely touched collections.
//!
//! Every `BTreeMap<K, V>` instantiation brings its own copy of the tree's
//! insert, remove, rebalance and drop code, which adds up in the wasm build.
//! `VecMap` keeps its entries in one `Vec` sorted by key: lookups are a binary
//! search, inserts and removes shift the tail. That is cheap for the maps it
//! serves (a cluster's slots in migration, bus links, handle tables), and its
//! code is a few short functions. Large, hot maps stay on `BTreeMap`.

use alloc::vec::Vec;
use core::borrow::Borrow;

/// A map from `K` to `V`, iterated in key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap { entries: Vec::new() }
    }

    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Sets `key` to `value`; returns the value it replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value under `key`, first inserting `make()` if there is none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// The value under `key`, first inserting `V::default()` if there is none.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Keeps only the entries `keep` approves.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = core::iter::Map<core::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// A set of `K`, iterated in order: a [`VecMap`] with no values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecSet<K> {
    map: VecMap<K, ()>,
}

impl<K> Default for VecSet<K> {
    fn default() -> Self {
        VecSet { map: VecMap::default() }
    }
}

impl<K: Ord> VecSet<K> {
    pub const fn new() -> Self {
        VecSet { map: VecMap::new() }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Adds `key`; false if it was already there.
    pub fn insert(&mut self, key: K) -> bool {
        self.map.insert(key, ()).is_none()
    }

    /// Removes `key`; false if it was not there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.remove(key).is_some()
    }

    pub fn contains<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.map.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use alloc::vec;

    #[test]
    fn behaves_like_a_btree_map_over_a_mixed_sequence() {
        // (insert?, key, value): inserts and removes over a small key space so
        // keys collide, are replaced and come back after removal.
        let mut ours: VecMap<u8, u32> = VecMap::new();
        let mut model: BTreeMap<u8, u32> = BTreeMap::new();
        let mut seed = 7u32;
        for step in 0..2000u32 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = (seed >> 16) as u8 % 23;
            if seed % 3 == 0 {
                assert_eq!(ours.remove(&key), model.remove(&key), "remove {key} at step {step}");
            } else {
                assert_eq!(ours.insert(key, step), model.insert(key, step), "insert {key} at step {step}");
            }
            assert_eq!(ours.len(), model.len());
            assert_eq!(ours.get(&key), model.get(&key));
            assert!(ours.iter().eq(model.iter()), "order differs at step {step}");
        }
    }

    #[test]
    fn table_of_single_operations() {
        let base = || {
            let mut m = VecMap::new();
            m.insert(5u16, 50usize);
            m.insert(1, 10);
            m.insert(9, 90);
            m
        };
        // (operation, expected entries afterwards, expected return)
        type Op = fn(&mut VecMap<u16, usize>) -> Option<usize>;
        let cases: [(&str, Op, Vec<(u16, usize)>, Option<usize>); 7] = [
            ("insert new middle", |m| m.insert(3, 30), vec![(1, 10), (3, 30), (5, 50), (9, 90)], None),
            ("insert replaces", |m| m.insert(5, 55), vec![(1, 10), (5, 55), (9, 90)], Some(50)),
            ("remove present", |m| m.remove(&1), vec![(5, 50), (9, 90)], Some(10)),
            ("remove absent", |m| m.remove(&2), vec![(1, 10), (5, 50), (9, 90)], None),
            ("get_mut present", |m| m.get_mut(&9).map(|v| core::mem::replace(v, 99)), vec![(1, 10), (5, 50), (9, 99)], Some(90)),
            ("default on absent", |m| Some(core::mem::replace(m.get_or_default(12), 7)), vec![(1, 10), (5, 50), (9, 90), (12, 7)], Some(0)),
            ("insert_with on present", |m| Some(*m.get_or_insert_with(1, || 0)), vec![(1, 10), (5, 50), (9, 90)], Some(10)),
        ];
        for (name, op, want, returned) in cases {
            let mut m = base();
            assert_eq!(op(&mut m), returned, "{name}");
            assert_eq!(m.iter().map(|(&k, &v)| (k, v)).collect::<Vec<_>>(), want, "{name}");
        }
    }

    #[test]
    fn byte_string_keys_are_found_by_slice() {
        let mut m: VecMap<Vec<u8>, u8> = VecMap::new();
        m.insert(b"b".to_vec(), 2);
        m.insert(b"a".to_vec(), 1);
        assert_eq!(m.get(&b"a"[..]), Some(&1));
        assert!(m.contains_key(&b"b"[..]));
        assert_eq!(m.remove(&b"zz"[..]), None);
        assert_eq!(m.keys().cloned().collect::<Vec<_>>(), vec![b"a".to_vec(), b"b".to_vec()]);
        m.retain(|_, v| *v > 1);
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn set_reports_whether_it_changed() {
        let mut s = VecSet::new();
        assert!(s.insert(4u64));
        assert!(!s.insert(4));
        assert!(s.insert(2));
        assert!(s.contains(&2));
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), vec![2, 4]);
        assert!(s.remove(&4));
        assert!(!s.remove(&4));
        assert_eq!(s.len(), 1);
        assert!(!s.is_empty());
    }
}
