// A console: somewhere the kernel log is written (serial port, VGA text screen). Drivers implement it.
#pragma once

#include "lib/types.hpp"

class Console {
public:
    explicit Console(const char* name) : m_name(name) {}
    virtual void write(const char* text, usize length) = 0;
    const char* name() const { return m_name; }

protected:
    ~Console() = default; // consoles are static objects, never deleted through this type

private:
    const char* m_name;
};
