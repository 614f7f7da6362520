//! The longest common subsequence of two strings, as `LCS` reports it: the
//! subsequence itself, its length, and the runs of adjacent bytes it is made of
//! (walked from the ends of both strings towards their starts).

use alloc::vec::Vec;

/// A run of bytes common to both strings: inclusive byte ranges in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub in_a: (usize, usize),
    pub in_b: (usize, usize),
}

impl Run {
    pub fn len(&self) -> usize {
        self.in_a.1 - self.in_a.0 + 1
    }
}

/// Why the table could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The table would be larger than `proto-max-bulk-len` bytes.
    OverLimit,
    /// The allocation failed.
    NoMemory,
}

/// The dynamic-programming table: `cell(i, j)` is the LCS length of the first
/// `i` bytes of `a` and the first `j` bytes of `b`.
pub struct Table<'s> {
    a: &'s [u8],
    b: &'s [u8],
    cells: Vec<u32>,
}

impl<'s> Table<'s> {
    /// Builds the table, refusing one larger than `limit` bytes of 32-bit
    /// cells (Redis's transient-memory rule) or one the allocator cannot give.
    pub fn build(a: &'s [u8], b: &'s [u8], limit: u64) -> Result<Table<'s>, TableError> {
        let count = (a.len() as u64 + 1).checked_mul(b.len() as u64 + 1).ok_or(TableError::NoMemory)?;
        let bytes = count.checked_mul(4).ok_or(TableError::NoMemory)?;
        if bytes > limit {
            return Err(TableError::OverLimit);
        }
        let count = usize::try_from(count).map_err(|_| TableError::NoMemory)?;
        let mut cells = Vec::new();
        cells.try_reserve_exact(count).map_err(|_| TableError::NoMemory)?;
        cells.resize(count, 0);
        let width = b.len() + 1;
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                cells[i * width + j] = if a[i - 1] == b[j - 1] {
                    cells[(i - 1) * width + j - 1] + 1
                } else {
                    cells[(i - 1) * width + j].max(cells[i * width + j - 1])
                };
            }
        }
        Ok(Table { a, b, cells })
    }

    fn cell(&self, i: usize, j: usize) -> u32 {
        self.cells[i * (self.b.len() + 1) + j]
    }

    /// The length of the longest common subsequence.
    pub fn len(&self) -> usize {
        self.cell(self.a.len(), self.b.len()) as usize
    }

    /// The subsequence, and its runs of adjacent bytes from the strings' ends
    /// backwards. On a tie the walk steps back in `b` first, as Redis does,
    /// which decides which of several equally long answers is reported.
    pub fn walk(&self) -> (Vec<u8>, Vec<Run>) {
        let mut reversed = Vec::with_capacity(self.len());
        let mut runs = Vec::new();
        let mut current: Option<Run> = None;
        let (mut i, mut j) = (self.a.len(), self.b.len());
        while i > 0 && j > 0 {
            if self.a[i - 1] == self.b[j - 1] {
                reversed.push(self.a[i - 1]);
                let run = match current {
                    // Walking diagonally: the run grows towards the start.
                    Some(run) => Run { in_a: (i - 1, run.in_a.1), in_b: (j - 1, run.in_b.1) },
                    None => Run { in_a: (i - 1, i - 1), in_b: (j - 1, j - 1) },
                };
                i -= 1;
                j -= 1;
                if i == 0 || j == 0 {
                    runs.push(run);
                    current = None;
                } else {
                    current = Some(run);
                }
            } else {
                if self.cell(i - 1, j) > self.cell(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                if let Some(run) = current.take() {
                    runs.push(run);
                }
            }
        }
        reversed.reverse();
        (reversed, runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(a: &str, b: &str) -> (String, Vec<((usize, usize), (usize, usize))>) {
        let table = Table::build(a.as_bytes(), b.as_bytes(), u64::MAX).expect("table");
        let (text, runs) = table.walk();
        (String::from_utf8(text).expect("utf8"), runs.iter().map(|r| (r.in_a, r.in_b)).collect())
    }

    #[test]
    fn subsequences_and_runs() {
        // (a, b, subsequence, runs) — checked with LCS ... IDX on redis-server 7.0.15.
        let cases: &[(&str, &str, &str, &[((usize, usize), (usize, usize))])] = &[
            ("ohmytext", "mynewtext", "mytext", &[((4, 7), (5, 8)), ((2, 3), (0, 1))]),
            ("", "abc", "", &[]),
            ("abc", "abc", "abc", &[((0, 2), (0, 2))]),
            ("abc", "xyz", "", &[]),
        ];
        for &(a, b, text, runs) in cases {
            let (got_text, got_runs) = walk(a, b);
            assert_eq!(got_text, text, "{} {}", a, b);
            assert_eq!(got_runs, runs, "{} {}", a, b);
        }
    }

    #[test]
    fn tables_over_the_limit_are_refused() {
        assert_eq!(Table::build(b"abc", b"abcd", 79).err(), Some(TableError::OverLimit));
        assert!(Table::build(b"abc", b"abcd", 80).is_ok());
    }
}
