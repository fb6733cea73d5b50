// VGA text console. Cursor registers: CRTC index 0x3D4, data 0x3D5, cursor location 0x0E/0x0F.
#include "drivers/vga_text.hpp"
#include "arch/arch.hpp"

namespace {
constexpr u16 kCrtcIndex = 0x3D4, kCrtcData = 0x3D5;
} // namespace

Result<void> VgaTextConsole::init()
{
    void* buffer = arch::phys_to_virt(kBufferPhys, kColumns * kRows * sizeof(u16));
    if (!buffer)
        return Errno::NODEV;
    m_cells = static_cast<volatile u16*>(buffer);
    u16 blank = static_cast<u16>(m_attribute << 8 | ' ');
    for (usize i = 0; i < kColumns * kRows; ++i)
        m_cells[i] = blank;
    m_row = m_column = 0;
    update_cursor();
    return {};
}

void VgaTextConsole::new_line()
{
    m_column = 0;
    if (++m_row < kRows)
        return;
    for (usize i = 0; i < kColumns * (kRows - 1); ++i)
        m_cells[i] = m_cells[i + kColumns];
    u16 blank = static_cast<u16>(m_attribute << 8 | ' ');
    for (usize i = kColumns * (kRows - 1); i < kColumns * kRows; ++i)
        m_cells[i] = blank;
    m_row = kRows - 1;
}

void VgaTextConsole::put_char(char c)
{
    switch (c) {
    case '\n':
        new_line();
        return;
    case '\r':
        m_column = 0;
        return;
    case '\t':
        do
            put_char(' ');
        while (m_column % 8);
        return;
    case '\b':
        if (m_column)
            --m_column;
        return;
    default:
        break;
    }
    m_cells[m_row * kColumns + m_column] = static_cast<u16>(m_attribute << 8 | static_cast<u8>(c));
    if (++m_column == kColumns)
        new_line();
}

void VgaTextConsole::update_cursor()
{
    u16 position = static_cast<u16>(m_row * kColumns + m_column);
    arch::port_write8(kCrtcIndex, 0x0F);
    arch::port_write8(kCrtcData, static_cast<u8>(position & 0xFF));
    arch::port_write8(kCrtcIndex, 0x0E);
    arch::port_write8(kCrtcData, static_cast<u8>(position >> 8));
}

void VgaTextConsole::write(const char* text, usize length)
{
    if (!m_cells)
        return;
    for (usize i = 0; i < length; ++i)
        put_char(text[i]);
    update_cursor();
}
