// VGA text mode console (80x25 cells at physical 0xB8000): newline, tab, backspace, scrolling, cursor.
// ANSI escape sequences come with the terminal layer in tty/.
#pragma once

#include "kernel/console.hpp"
#include "lib/result.hpp"

class VgaTextConsole final : public Console {
public:
    static constexpr PhysAddr kBufferPhys = 0xB8000;
    static constexpr u16 kColumns = 80, kRows = 25;

    explicit VgaTextConsole(const char* name) : Console(name) {}

    // Maps the text buffer and clears the screen; ENODEV when the buffer is not reachable.
    Result<void> init();
    void write(const char* text, usize length) override;

    u16 cursor_row() const { return m_row; }
    u16 cursor_column() const { return m_column; }

private:
    void put_char(char c);
    void new_line();
    void update_cursor();

    volatile u16* m_cells = nullptr;
    u16 m_row = 0, m_column = 0;
    u8 m_attribute = 0x07; // light grey on black
};
