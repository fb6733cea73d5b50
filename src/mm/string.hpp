// String: an owned copy of a run of characters on the kmalloc heap (a directory entry's name, a symlink body,
// the name an open file was reached by), read through a StringView. Copying can fail (ENOMEM), so it is
// explicit; a String moves but is not copied implicitly. Not NUL-terminated: the length is kept.
#pragma once

#include "lib/string.hpp"
#include "mm/vector.hpp"

namespace mm {

class String {
public:
    String() = default;
    String(String&&) = default;
    String& operator=(String&&) = default;

    // A copy of `text`; ENOMEM.
    static Result<String> copy(StringView text)
    {
        String string;
        TRY(string.m_characters.try_resize_uninitialised(text.length()));
        copy_bytes(string.m_characters.data(), text.characters(), text.length());
        return string;
    }

    StringView view() const { return StringView(m_characters.data(), m_characters.size()); }
    usize length() const { return m_characters.size(); }
    bool is_empty() const { return m_characters.is_empty(); }

private:
    Vector<char> m_characters;
};

} // namespace mm
