#include "fs/procfs/text.hpp"

#include "lib/format.hpp"
#include "lib/string.hpp"

namespace fs::procfs {

bool Text::reserve(usize more)
{
    if (m_failed)
        return false;
    if (m_size + more + 1 <= m_data.size())
        return true;
    usize capacity = m_data.size() ? m_data.size() : 512;
    while (capacity < m_size + more + 1)
        capacity *= 2;
    if (m_data.try_resize_uninitialised(capacity).is_error()) {
        m_failed = true;
        return false;
    }
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
        vformat(m_data.data() + m_size, m_data.size() - m_size, fmt, args);
        m_size += length;
    }
    va_end(args);
}

void Text::add_bytes(const void* bytes, usize length)
{
    if (!reserve(length))
        return;
    copy_bytes(m_data.data() + m_size, bytes, length);
    m_size += length;
}

Result<void> Text::status() const
{
    if (m_failed)
        return Errno::NOMEM;
    return {};
}

} // namespace fs::procfs
