// A growing kernel buffer that procfs writes a file's text into, printf-style.
#pragma once

#include <stdarg.h>

#include "lib/result.hpp"
#include "mm/vector.hpp"

namespace fs::procfs {

class Text {
public:
    Text() = default;

    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void add_bytes(const void* bytes, usize length);
    // ENOMEM when any addition could not get memory.
    Result<void> status() const;
    const char* data() const { return m_data.data(); }
    usize size() const { return m_size; }

private:
    bool reserve(usize more);

    mm::Vector<char> m_data; // its size is the room; the text is the first m_size characters
    usize m_size { 0 };
    bool m_failed { false };
};

} // namespace fs::procfs
