#include "fs/procfs/text.hpp"

#include "lib/format.hpp"
#include "lib/string.hpp"
#include "mm/kmalloc.hpp"

namespace fs::procfs {

Text::~Text() { mm::kfree(m_data); }

bool Text::reserve(usize more)
{
    if (m_failed)
        return false;
    if (m_size + more + 1 <= m_capacity)
        return true;
    usize capacity = m_capacity ? m_capacity : 512;
    while (capacity < m_size + more + 1)
        capacity *= 2;
    auto grown = mm::kmalloc(capacity);
    if (grown.is_error()) {
        m_failed = true;
        return false;
    }
    auto* data = static_cast<char*>(grown.value());
    if (m_size)
        copy_bytes(data, m_data, m_size);
    mm::kfree(m_data);
    m_data = data;
    m_capacity = capacity;
    return true;
}

void Text::add(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    va_list measure;
    va_copy(measure, args);
    usize length = vformat(nullptr, 0, fmt, measure);
    va_end(measure);
    if (reserve(length)) {
        vformat(m_data + m_size, m_capacity - m_size, fmt, args);
        m_size += length;
    }
    va_end(args);
}

void Text::add_bytes(const void* bytes, usize length)
{
    if (!reserve(length))
        return;
    copy_bytes(m_data + m_size, bytes, length);
    m_size += length;
}

Result<void> Text::status() const
{
    if (m_failed)
        return Errno::NOMEM;
    return {};
}

} // namespace fs::procfs
