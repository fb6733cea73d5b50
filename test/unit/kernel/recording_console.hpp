// A Console that records what the log writes to it, for the log and panic tests.
#pragma once

#include <string>
#include <vector>

#include "kernel/console.hpp"

class RecordingConsole final : public Console {
public:
    explicit RecordingConsole(const char* name)
        : Console(name)
    {
    }

    void write(const char* text, usize length) override
    {
        m_text.append(text, length);
        ++m_writes;
    }

    const std::string& text() const { return m_text; }
    usize writes() const { return m_writes; }

    // The text split after each '\n'; a final unterminated piece is kept as it is.
    std::vector<std::string> lines() const
    {
        std::vector<std::string> out;
        usize start = 0;
        while (start < m_text.size()) {
            usize end = m_text.find('\n', start);
            end = end == std::string::npos ? m_text.size() : end + 1;
            out.push_back(m_text.substr(start, end - start));
            start = end;
        }
        return out;
    }

private:
    std::string m_text;
    usize m_writes { 0 };
};
