//! Copying short byte strings without a `memcpy` call on wasm. There a copy
//! of a length known only at run time becomes `memory.copy`, which engines
//! run as a call out of the module: for the few-byte keys, values and length
//! lines every command moves, that call costs more than the copy itself.
//! Slices up to [`SHORT_MAX`] bytes are moved in 8-byte words instead; longer
//! ones, and every copy on other targets, take the ordinary path.

use alloc::vec::Vec;

/// The longest slice copied word by word.
pub const SHORT_MAX: usize = 32;

/// `out.extend_from_slice(bytes)`, without a copy call for short slices on
/// wasm (elsewhere `memcpy` is the faster choice).
#[inline]
pub fn extend(out: &mut Vec<u8>, bytes: &[u8]) {
    if cfg!(target_arch = "wasm32") && bytes.len() <= SHORT_MAX {
        extend_words(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
}

/// `bytes.to_vec()`, as [`extend`] copies.
#[inline]
pub fn to_vec(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    extend(&mut out, bytes);
    out
}

/// `dst.copy_from_slice(src)`, as [`extend`] copies.
#[inline]
pub fn copy(dst: &mut [u8], src: &[u8]) {
    if cfg!(target_arch = "wasm32") && src.len() <= SHORT_MAX && dst.len() == src.len() {
        copy_words(dst, src);
    } else {
        dst.copy_from_slice(src);
    }
}

/// Appends `bytes` in 8-byte words, then single bytes. Not inlined: one
/// small function instead of a copy of the loops at every call site.
#[inline(never)]
fn extend_words(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len());
    let (words, rest) = bytes.as_chunks::<8>();
    for word in words {
        out.extend_from_slice(word);
    }
    for &byte in rest {
        out.push(byte);
    }
}

/// Copies equal-length slices in 8-byte words, then single bytes.
#[inline(never)]
fn copy_words(dst: &mut [u8], src: &[u8]) {
    let (dst_words, dst_rest) = dst.as_chunks_mut::<8>();
    let (src_words, src_rest) = src.as_chunks::<8>();
    for (d, s) in dst_words.iter_mut().zip(src_words) {
        *d = *s;
    }
    for (d, s) in dst_rest.iter_mut().zip(src_rest) {
        *d = *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_copies_keep_every_byte() {
        let source: Vec<u8> = (0..80u8).collect();
        for len in 0..source.len() {
            let bytes = &source[..len];
            let mut out = b"head".to_vec();
            extend(&mut out, bytes);
            assert_eq!(&out[..4], b"head");
            assert_eq!(&out[4..], bytes, "extend {len}");
            assert_eq!(to_vec(bytes), bytes, "to_vec {len}");
            let mut dst = vec![0xffu8; len];
            copy(&mut dst, bytes);
            assert_eq!(dst, bytes, "copy {len}");
            if len <= SHORT_MAX {
                // What wasm runs (the word loops), checked here too.
                let mut out = b"head".to_vec();
                extend_words(&mut out, bytes);
                assert_eq!(&out[4..], bytes, "extend_words {len}");
                let mut dst = vec![0xffu8; len];
                copy_words(&mut dst, bytes);
                assert_eq!(dst, bytes, "copy_words {len}");
            }
        }
    }

    #[test]
    #[should_panic]
    fn copy_between_different_lengths_panics_like_copy_from_slice() {
        copy(&mut [0u8; 3], b"ab");
    }
}
