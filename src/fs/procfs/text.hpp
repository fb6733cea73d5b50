// A growing kernel buffer that procfs writes a file's text into, printf-style.
#pragma once

#include <stdarg.h>

#include "lib/result.hpp"

namespace fs::procfs {

class Text {
public:
    Text() = default;
    ~Text();
    Text(const Text&) = delete;
    Text& operator=(const Text&) = delete;

    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void add_bytes(const void* bytes, usize length);
    // ENOMEM when any addition could not get memory.
    Result<void> status() const;
    const char* data() const { return m_data; }
    usize size() const { return m_size; }

private:
    bool reserve(usize more);

    char* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
    bool m_failed { false };
};

} // namespace fs::procfs
