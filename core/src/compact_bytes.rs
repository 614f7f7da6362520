//! Byte strings that keep short contents inside themselves, so the keyspace
//! needs no heap allocation (and no pointer to follow) for them:
//! - `CompactBytes`, the keys: up to 22 bytes inline, immutable. A key
//!   compared during a hash probe then sits in the table slot itself (one
//!   cache miss less per lookup, one allocation less per new key).
//! - `StringBytes`, string values: up to 30 bytes inline (Redis's `embstr`
//!   is the same idea), longer ones in a growable `Vec` so that APPEND and
//!   SETRANGE stay amortized O(1).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::cmp::Ordering;
use core::hash::{Hash, Hasher};
use core::ops::Deref;

/// Longest byte string kept inline (the type stays 24 bytes, a `Vec`'s size).
pub const INLINE_MAX: usize = 22;

/// Up to `N` bytes kept in place: the inline case of both types below.
#[derive(Clone)]
pub struct InlineBytes<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> InlineBytes<N> {
    /// `bytes` kept in place, if there are at most `N` of them.
    fn new(bytes: &[u8]) -> Option<InlineBytes<N>> {
        let mut inline = [0u8; N];
        crate::short_copy::copy(inline.get_mut(..bytes.len())?, bytes);
        Some(InlineBytes { len: bytes.len() as u8, bytes: inline })
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

#[derive(Clone)]
pub enum CompactBytes {
    Inline(InlineBytes<INLINE_MAX>),
    Heap(Box<[u8]>),
}

impl CompactBytes {
    pub fn new(bytes: &[u8]) -> CompactBytes {
        InlineBytes::new(bytes).map_or_else(|| CompactBytes::Heap(bytes.into()), CompactBytes::Inline)
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            CompactBytes::Inline(inline) => inline.as_slice(),
            CompactBytes::Heap(bytes) => bytes,
        }
    }

    /// Bytes kept on the heap (0 when inline).
    pub fn heap_len(&self) -> usize {
        match self {
            CompactBytes::Inline(_) => 0,
            CompactBytes::Heap(bytes) => bytes.len(),
        }
    }
}

impl Deref for CompactBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for CompactBytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for CompactBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

/// Hashes exactly as the `[u8]` it holds, so maps keyed by `CompactBytes`
/// can be probed with a plain byte slice.
impl Hash for CompactBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl PartialEq for CompactBytes {
    fn eq(&self, other: &CompactBytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for CompactBytes {}

impl PartialOrd for CompactBytes {
    fn partial_cmp(&self, other: &CompactBytes) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CompactBytes {
    fn cmp(&self, other: &CompactBytes) -> Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl core::fmt::Debug for CompactBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl From<&[u8]> for CompactBytes {
    fn from(bytes: &[u8]) -> CompactBytes {
        CompactBytes::new(bytes)
    }
}

impl From<&Vec<u8>> for CompactBytes {
    fn from(bytes: &Vec<u8>) -> CompactBytes {
        CompactBytes::new(bytes)
    }
}

/// Longest string value kept inline (the type is 32 bytes).
pub const STRING_INLINE_MAX: usize = 30;

#[derive(Clone)]
pub enum StringBytes {
    Inline(InlineBytes<STRING_INLINE_MAX>),
    Heap(Vec<u8>),
}

impl StringBytes {
    pub fn new(bytes: &[u8]) -> StringBytes {
        InlineBytes::new(bytes).map_or_else(|| StringBytes::Heap(bytes.to_vec()), StringBytes::Inline)
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            StringBytes::Inline(inline) => inline.as_slice(),
            StringBytes::Heap(bytes) => bytes,
        }
    }

    /// The bytes as a growable vector, moving inline contents to the heap
    /// first (a value changed in place, as APPEND and SETRANGE do).
    pub fn to_mut(&mut self) -> &mut Vec<u8> {
        if let StringBytes::Inline(_) = self {
            *self = StringBytes::Heap(self.as_slice().to_vec());
        }
        match self {
            StringBytes::Heap(bytes) => bytes,
            StringBytes::Inline(_) => unreachable!("moved to the heap just above"),
        }
    }

    /// Replaces the contents: inline when they fit, else into the heap buffer.
    pub fn set(&mut self, bytes: &[u8]) {
        match self {
            StringBytes::Heap(buffer) if bytes.len() > STRING_INLINE_MAX => {
                buffer.clear();
                buffer.extend_from_slice(bytes);
            }
            _ => *self = StringBytes::new(bytes),
        }
    }

    /// Bytes kept on the heap (0 when inline).
    pub fn heap_len(&self) -> usize {
        match self {
            StringBytes::Inline(_) => 0,
            StringBytes::Heap(bytes) => bytes.capacity(),
        }
    }
}

impl Deref for StringBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for StringBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for StringBytes {
    fn eq(&self, other: &StringBytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl core::fmt::Debug for StringBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_slice().fmt(f)
    }
}

/// Short contents move inline (the vector is freed); long ones keep it.
impl From<Vec<u8>> for StringBytes {
    fn from(bytes: Vec<u8>) -> StringBytes {
        if bytes.len() <= STRING_INLINE_MAX {
            StringBytes::new(&bytes)
        } else {
            StringBytes::Heap(bytes)
        }
    }
}

impl From<&[u8]> for StringBytes {
    fn from(bytes: &[u8]) -> StringBytes {
        StringBytes::new(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Map, StableHasher};
    use core::hash::BuildHasher;

    #[test]
    fn is_as_small_as_a_vec() {
        assert_eq!(
            core::mem::size_of::<CompactBytes>(),
            core::mem::size_of::<Vec<u8>>()
        );
    }

    #[test]
    fn keeps_short_bytes_inline_and_long_ones_on_the_heap() {
        let cases: &[(&[u8], bool)] = &[
            (b"", true),
            (b"k", true),
            (b"key:000000012345", true),
            (&[0xffu8; INLINE_MAX], true),
            (&[0u8; INLINE_MAX + 1], false),
            (&[7u8; 300], false),
        ];
        for &(bytes, inline) in cases {
            let compact = CompactBytes::new(bytes);
            assert_eq!(compact.as_slice(), bytes);
            assert_eq!(compact.heap_len() == 0, inline, "{bytes:?}");
            assert_eq!(compact.clone(), compact);
        }
    }

    #[test]
    fn string_values_stay_inline_until_changed_in_place_or_long() {
        assert_eq!(core::mem::size_of::<StringBytes>(), 32);
        let long = [b'x'; STRING_INLINE_MAX + 1];
        let cases: &[(&[u8], bool)] = &[(b"", true), (b"xxx", true), (&[b'y'; STRING_INLINE_MAX], true), (&long, false)];
        for &(bytes, inline) in cases {
            for value in [StringBytes::new(bytes), StringBytes::from(bytes.to_vec())] {
                assert_eq!(value.as_slice(), bytes);
                assert_eq!(value.heap_len() == 0, inline, "{bytes:?}");
            }
        }
        // In-place changes work on a vector; `set` goes back inline when short.
        let mut value = StringBytes::new(b"ab");
        value.to_mut().extend_from_slice(b"cd");
        assert_eq!(value.as_slice(), b"abcd");
        assert!(matches!(value, StringBytes::Heap(_)));
        value.set(b"12");
        assert!(matches!(value, StringBytes::Inline(_)));
        value.set(&long);
        assert_eq!(value.as_slice(), &long[..]);
        value.set(&[b'z'; 40]);
        assert_eq!(value.as_slice(), &[b'z'; 40][..]);
        assert_eq!(value.clone(), value);
    }

    #[test]
    fn hashes_orders_and_finds_like_the_bytes() {
        let words: &[&[u8]] = &[
            b"",
            b"a",
            b"ab",
            b"b",
            &[0u8; 30],
            &[0u8; 31],
            b"\x00",
            b"\xff\x00",
        ];
        for a in words {
            let ca = CompactBytes::new(a);
            assert_eq!(StableHasher.hash_one(&ca), StableHasher.hash_one(*a));
            for b in words {
                assert_eq!(ca.cmp(&CompactBytes::new(b)), a.cmp(b));
            }
        }
        let mut map: Map<CompactBytes, usize> = Map::default();
        for (i, w) in words.iter().enumerate() {
            map.insert(CompactBytes::new(w), i);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.get(*w), Some(&i));
        }
    }
}
