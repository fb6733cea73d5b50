// Bitmap: a fixed number of bits in caller-provided words (no heap), for page frames, descriptors and IDs.
#pragma once

#include "lib/types.hpp"

class Bitmap {
public:
    using Word = u32;
    static constexpr usize kBitsPerWord = 32;
    static constexpr usize kNotFound = static_cast<usize>(-1);

    // Words needed for `bits` bits, to size the storage.
    static constexpr usize words_for(usize bits) { return (bits + kBitsPerWord - 1) / kBitsPerWord; }

    Bitmap() = default;
    // `words` must hold words_for(bits) words; they are cleared.
    Bitmap(Word* words, usize bits) : m_words(words), m_bits(bits)
    {
        for (usize i = 0; i < words_for(bits); ++i)
            m_words[i] = 0;
    }

    usize size() const { return m_bits; }

    // `index` must be below size().
    bool get(usize index) const { return m_words[index / kBitsPerWord] >> (index % kBitsPerWord) & 1; }
    void set(usize index, bool value = true)
    {
        Word mask = Word { 1 } << (index % kBitsPerWord);
        if (value)
            m_words[index / kBitsPerWord] |= mask;
        else
            m_words[index / kBitsPerWord] &= ~mask;
    }
    void clear(usize index) { set(index, false); }

    // Sets or clears [first, first + count), clamped to the bitmap.
    void set_range(usize first, usize count, bool value = true)
    {
        for (usize i = first; i < m_bits && i - first < count; ++i)
            set(i, value);
    }

    usize count_set() const
    {
        usize count = 0;
        for (usize i = 0; i < words_for(m_bits); ++i)
            count += static_cast<usize>(__builtin_popcount(m_words[i] & valid_mask(i)));
        return count;
    }

    // The lowest bit equal to `value` at or after `from`, or kNotFound. Skips whole words that cannot match.
    usize find_first(bool value, usize from = 0) const
    {
        for (usize i = from; i < m_bits;) {
            usize word_index = i / kBitsPerWord;
            Word word = value ? m_words[word_index] : ~m_words[word_index];
            word &= valid_mask(word_index) & (~Word { 0 } << (i % kBitsPerWord));
            if (word) {
                usize found = word_index * kBitsPerWord + static_cast<usize>(__builtin_ctz(word));
                return found < m_bits ? found : kNotFound;
            }
            i = (word_index + 1) * kBitsPerWord;
        }
        return kNotFound;
    }

    // The first run of `count` bits equal to `value`, or kNotFound (count 0 finds nothing).
    usize find_run(bool value, usize count) const
    {
        if (count == 0)
            return kNotFound;
        usize start = find_first(value);
        // Written as a subtraction: start + count wraps for a huge count, and the loop would never end.
        while (start != kNotFound && count <= m_bits - start) {
            usize end = start;
            while (end < start + count && get(end) == value)
                ++end;
            if (end == start + count)
                return start;
            start = find_first(value, end);
        }
        return kNotFound;
    }

private:
    // The bits of word `index` that lie inside the bitmap (the last word may be partial).
    Word valid_mask(usize index) const
    {
        usize tail = m_bits - index * kBitsPerWord;
        return tail >= kBitsPerWord ? ~Word { 0 } : (Word { 1 } << tail) - 1;
    }

    Word* m_words { nullptr };
    usize m_bits { 0 };
};
