//! Interning of applicant and post names into dense ids.
//!
//! A million-applicant instance names about twenty million strings, so this table is on the hot path
//! of reading: it keeps names of up to 16 bytes inline in the slot, which makes a lookup touch one
//! cache line instead of three (slot, name record, name bytes). It must never hand out two ids for one
//! name, nor one id for two names.

use std::borrow::Cow;

/// A table slot: the name's first 16 bytes, its length, its id plus one (0 = empty), the high half
/// of its hash, and a stamp the caller uses to find duplicates within one list without touching
/// another cache line.
#[derive(Clone, Copy, Default)]
struct Slot {
    inline: [u8; 16],
    len: u32,
    id_plus_one: u32,
    hash: u32,
    stamp: u32,
}

/// Names to dense ids `0..len()`, in order of first appearance.
pub(crate) struct Interner<'a> {
    slots: Vec<Slot>,
    /// log2 of `slots.len()`.
    bits: u32,
    names: Vec<Cow<'a, str>>,
}

/// A fast, non-cryptographic hash of a name (FxHash's mixing over 8-byte words, finished so that
/// the top bits, which pick the slot, depend on every byte).
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        for (d, s) in w.iter_mut().zip(rest) {
            *d = *s;
        }
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// [`hash`] of a name of `len` ≤ 16 bytes given as two little-endian words, zero beyond the name
/// (what the JSON reader has in registers after finding the end of a short name).
#[inline]
pub(crate) fn hash_words(len: usize, w0: u64, w1: u64) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = len as u64;
    if len > 0 {
        h = (h.rotate_left(5) ^ w0).wrapping_mul(K);
    }
    if len > 8 {
        h = (h.rotate_left(5) ^ w1).wrapping_mul(K);
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

pub(crate) fn inline_of(bytes: &[u8]) -> [u8; 16] {
    let mut inline = [0u8; 16];
    for (d, s) in inline.iter_mut().zip(bytes) {
        *d = *s;
    }
    inline
}

impl<'a> Interner<'a> {
    /// An empty table sized for about `expected` names.
    pub(crate) fn with_capacity(expected: usize) -> Self {
        let bits = (expected.saturating_mul(2).max(16))
            .next_power_of_two()
            .trailing_zeros();
        Interner {
            slots: vec![Slot::default(); 1usize << bits],
            bits,
            names: Vec::with_capacity(expected),
        }
    }

    /// The number of names interned.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The id of `name`, and whether it was new.
    #[cfg(test)]
    pub(crate) fn intern(&mut self, name: Cow<'a, str>) -> (u32, bool) {
        let (id, new, _) = self.intern_stamped(name, 0);
        (id, new)
    }

    /// Clears every stamp (when the caller's stamp counter wraps).
    pub(crate) fn clear_stamps(&mut self) {
        self.slots.iter_mut().for_each(|s| s.stamp = 0);
    }

    /// The id of `name`, whether it was new, and whether its stamp already equalled `stamp` (a
    /// duplicate in the caller's current list); then sets the stamp (0 leaves it untouched).
    #[cfg(test)]
    pub(crate) fn intern_stamped(&mut self, name: Cow<'a, str>, stamp: u32) -> (u32, bool, bool) {
        let h = hash(name.as_bytes());
        self.intern_hashed(name, h, stamp)
    }

    /// [`Self::intern_stamped`] given `h`, which must be [`hash`] of the name (computed by the
    /// caller, perhaps on another thread).
    pub(crate) fn intern_hashed(&mut self, name: Cow<'a, str>, h: u64, stamp: u32) -> (u32, bool, bool) {
        if (self.names.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let bytes = name.as_bytes();
        let tag = (h >> 32) as u32;
        let inline = inline_of(bytes);
        let len = bytes.len() as u32;
        let mask = self.slots.len() - 1;
        let mut i = tag.checked_shr(32u32.saturating_sub(self.bits)).unwrap_or(0) as usize;
        loop {
            let Some(slot) = self.slots.get_mut(i) else {
                // Unreachable: `i` is always masked; start over at slot 0 rather than panic.
                i = 0;
                continue;
            };
            if slot.id_plus_one == 0 {
                let id = self.names.len() as u32;
                *slot = Slot {
                    inline,
                    len,
                    id_plus_one: id + 1,
                    hash: tag,
                    stamp,
                };
                self.names.push(name);
                return (id, true, false);
            }
            if slot.hash == tag && slot.len == len && slot.inline == inline {
                let id = slot.id_plus_one - 1;
                if bytes.len() <= 16 || self.names.get(id as usize).map(|n| n.as_bytes()) == Some(bytes) {
                    let dup = stamp != 0 && slot.stamp == stamp;
                    if stamp != 0 {
                        slot.stamp = stamp;
                    }
                    return (id, false, dup);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `name` if it was interned.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        let bytes = name.as_bytes();
        let h = hash(bytes);
        let inline = inline_of(bytes);
        let mask = self.slots.len() - 1;
        let mut i = ((h >> 32) as u32)
            .checked_shr(32u32.saturating_sub(self.bits))
            .unwrap_or(0) as usize;
        loop {
            let slot = self.slots.get(i)?;
            if slot.id_plus_one == 0 {
                return None;
            }
            if slot.hash == (h >> 32) as u32 && slot.len as usize == bytes.len() && slot.inline == inline {
                let id = slot.id_plus_one - 1;
                if self.names.get(id as usize).map(|n| n.as_bytes()) == Some(bytes) {
                    return Some(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot a name whose tag (the high half of its hash) is `tag` probes first. Slots are in
    /// tag order, so names whose tags share their top bits live in one slice of the table (what
    /// `deferred.rs` relies on to look names up one cache-sized slice at a time).
    pub(crate) fn home(&self, tag: u32) -> usize {
        tag.checked_shr(32u32.saturating_sub(self.bits)).unwrap_or(0) as usize
    }

    /// The number of slots minus one (slot indices wrap with it).
    pub(crate) fn slot_mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Looks a name up without interning it: its tag, its length, its first 16 bytes (zero-padded)
    /// and, for a name longer than 16 bytes, all of its bytes in `whole`. Returns the slot where it
    /// was found and its id.
    #[inline]
    pub(crate) fn find(&self, tag: u32, len: u32, inline: &[u8; 16], whole: &[u8]) -> Option<(usize, u32)> {
        let mask = self.slot_mask();
        let mut i = self.home(tag);
        loop {
            let slot = self.slots.get(i)?;
            if slot.id_plus_one == 0 {
                return None;
            }
            if slot.hash == tag && slot.len == len && slot.inline == *inline {
                let id = slot.id_plus_one - 1;
                if len <= 16 || self.names.get(id as usize).map(|n| n.as_bytes()) == Some(whole) {
                    return Some((i, id));
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of the name in slot `i`, if any.
    pub(crate) fn id_at(&self, i: usize) -> Option<u32> {
        self.slots.get(i).and_then(|s| s.id_plus_one.checked_sub(1))
    }

    /// Starts loading the slot a name of tag `tag` probes first (a hint; no effect on results).
    pub(crate) fn prefetch_tag(&self, tag: u32) {
        crate::prefetch::prefetch(self.slots.as_ptr().wrapping_add(self.home(tag)));
    }

    /// Starts loading the slot where a name of hash `h` would be (a hint; no effect on results).
    pub(crate) fn prefetch(&self, h: u64) {
        let i = ((h >> 32) as u32)
            .checked_shr(32u32.saturating_sub(self.bits))
            .unwrap_or(0) as usize;
        crate::prefetch::prefetch(self.slots.as_ptr().wrapping_add(i));
    }

    fn grow(&mut self) {
        let bits = self.bits + 1;
        let mut slots = vec![Slot::default(); 1usize << bits];
        let mask = slots.len() - 1;
        for slot in self.slots.iter().filter(|s| s.id_plus_one != 0) {
            let mut i = slot.hash.checked_shr(32u32.saturating_sub(bits)).unwrap_or(0) as usize;
            while let Some(s) = slots.get_mut(i) {
                if s.id_plus_one == 0 {
                    *s = *slot;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        self.slots = slots;
        self.bits = bits;
    }

    /// The name of an id.
    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }

    /// Gives up the names, in id order.
    pub(crate) fn into_names(self) -> Vec<Cow<'a, str>> {
        self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_id_and_distinct_names_distinct_ids() {
        let mut t = Interner::with_capacity(1);
        let names: Vec<String> = (0..5000)
            .map(|i| format!("name-{i}-{}", "x".repeat(i % 40)))
            .collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(t.intern(Cow::Borrowed(n)), (i as u32, true));
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(t.intern(Cow::Borrowed(n)), (i as u32, false));
            assert_eq!(t.get(n), Some(i as u32));
        }
        assert_eq!(t.get("absent"), None);
        assert_eq!(t.len(), 5000);
    }

    #[test]
    fn hash_of_words_is_the_hash_of_the_bytes() {
        let text = b"0123456789abcdef\xff\x01";
        for len in 0..=16 {
            let inline = inline_of(&text[..len]);
            let w0 = u64::from_le_bytes(inline[..8].try_into().unwrap());
            let w1 = u64::from_le_bytes(inline[8..].try_into().unwrap());
            assert_eq!(hash_words(len, w0, w1), hash(&text[..len]), "{len}");
        }
    }

    #[test]
    fn names_sharing_a_16_byte_prefix_stay_apart() {
        let mut t = Interner::with_capacity(4);
        let a = "0123456789abcdefA";
        let b = "0123456789abcdefB";
        assert_eq!(t.intern(Cow::Borrowed(a)).0, 0);
        assert_eq!(t.intern(Cow::Borrowed(b)).0, 1);
        assert_eq!(t.get(b), Some(1));
    }
}
#[cfg(test)]
mod probe_tests {
    // Guards the hash: names like a0..a199999 must spread over the table (short probes).
    use super::*;
    #[test]
    fn probe_lengths() {
        let mut t = Interner::with_capacity(100);
        let names: Vec<String> = (0..200000).map(|i| format!("a{i}")).collect();
        for n in &names {
            t.intern(Cow::Borrowed(n));
        }
        let mask = t.slots.len() - 1;
        let mut total = 0usize;
        for (i, s) in t.slots.iter().enumerate() {
            if s.id_plus_one != 0 {
                let home = (s.hash >> (32 - t.bits)) as usize;
                total += (i.wrapping_sub(home)) & mask;
            }
        }
        eprintln!(
            "slots {} avg displacement {}",
            t.slots.len(),
            total as f64 / 200000.0
        );
        let mut homes = std::collections::HashSet::new();
        for n in &names {
            homes.insert(hash(n.as_bytes()) >> 40);
        }
        eprintln!("distinct top-24 {}", homes.len());
    }
}
