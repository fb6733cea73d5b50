// The VGA text console against a host buffer at physical 0xB8000 and a fake CRTC that records the
// hardware cursor (index port 0x3D4, data port 0x3D5, cursor location high 0x0E / low 0x0F).
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "drivers/vga_text.hpp"
#include "sim/sim.hpp"

namespace {

constexpr u16 kColumns = VgaTextConsole::kColumns;
constexpr u16 kRows = VgaTextConsole::kRows;
constexpr u16 kBlank = 0x0720; // a space, light grey on black

// The CRT controller's index/data pair, keeping the registers the driver writes.
class FakeCrtc final : public sim::PortDevice {
public:
    u32 read(u16 port, u8) override { return port == 0x3D4 ? m_index : m_registers[m_index]; }
    void write(u16 port, u8 width, u32 value) override
    {
        bad_width |= width != 1;
        if (port == 0x3D4) {
            m_index = static_cast<u8>(value);
        } else {
            m_registers[m_index] = static_cast<u8>(value);
            ++data_writes;
        }
    }

    u16 cursor() const { return static_cast<u16>(m_registers[0x0E] << 8 | m_registers[0x0F]); }
    void set_cursor(u16 position)
    {
        m_registers[0x0E] = static_cast<u8>(position >> 8);
        m_registers[0x0F] = static_cast<u8>(position);
    }

    int data_writes { 0 };
    bool bad_width { false };

private:
    u8 m_index { 0 };
    u8 m_registers[256] {};
};

// A screen: the text buffer at 0xB8000, the CRTC, and the console, initialised.
struct Screen {
    Screen()
        : cells(kColumns * kRows, 0x4141)
    {
        sim::reset();
        sim::attach_phys_memory(VgaTextConsole::kBufferPhys, cells.data(), cells.size() * sizeof(u16));
        sim::attach_ports(0x3D4, 2, &crtc);
        crtc.set_cursor(1234); // where the firmware left it
        REQUIRE_FALSE(console.init().is_error());
    }
    ~Screen() { sim::reset(); }

    void write(const std::string& text) { console.write(text.data(), text.size()); }
    u16 cell(usize row, usize column) const { return cells[row * kColumns + column]; }
    // The characters of a row, trailing blanks dropped.
    std::string row_text(usize row) const
    {
        std::string text;
        for (usize column = 0; column < kColumns; ++column)
            text += static_cast<char>(cell(row, column) & 0xFF);
        return text.substr(0, text.find_last_not_of(' ') + 1);
    }
    bool row_blank(usize row) const
    {
        for (usize column = 0; column < kColumns; ++column)
            if (cell(row, column) != kBlank)
                return false;
        return true;
    }
    u16 cursor() const { return static_cast<u16>(console.cursor_row() * kColumns + console.cursor_column()); }

    std::vector<u16> cells;
    FakeCrtc crtc;
    VgaTextConsole console { "tty0" };
};

} // namespace

TEST_CASE("vga_text: init without a reachable text buffer is ENODEV", "[drivers][vga_text]")
{
    sim::reset();
    VgaTextConsole console("tty0");
    auto result = console.init();
    REQUIRE(result.is_error());
    CHECK(result.error() == Errno::NODEV);

    // Memory that stops short of 80x25 cells is not enough either.
    std::vector<u16> small(kColumns * kRows / 2);
    sim::attach_phys_memory(VgaTextConsole::kBufferPhys, small.data(), small.size() * sizeof(u16));
    CHECK(console.init().error() == Errno::NODEV);

    // Writing to a console that failed to initialise is ignored, not a crash.
    FakeCrtc crtc;
    sim::attach_ports(0x3D4, 2, &crtc);
    console.write("x", 1);
    CHECK(crtc.data_writes == 0);
    sim::reset();
}

TEST_CASE("vga_text: init clears the screen to grey-on-black spaces and homes the cursor", "[drivers][vga_text]")
{
    Screen screen;
    for (usize i = 0; i < screen.cells.size(); ++i)
        REQUIRE(screen.cells[i] == kBlank);
    CHECK(screen.crtc.cursor() == 0);
    CHECK(screen.console.cursor_row() == 0);
    CHECK(screen.console.cursor_column() == 0);
    CHECK_FALSE(screen.crtc.bad_width);
}

TEST_CASE("vga_text: text is written with the attribute and moves the cursor", "[drivers][vga_text]")
{
    Screen screen;
    screen.write("Hi!");
    CHECK(screen.cell(0, 0) == 0x0748);
    CHECK(screen.cell(0, 1) == 0x0769);
    CHECK(screen.cell(0, 2) == 0x0721);
    CHECK(screen.cell(0, 3) == kBlank);
    CHECK(screen.console.cursor_column() == 3);
    CHECK(screen.crtc.cursor() == 3);

    // Bytes above 0x7F are code page 437 glyphs, not sign-extended into the attribute.
    screen.write("\xDB");
    CHECK(screen.cell(0, 3) == 0x07DB);
}

TEST_CASE("vga_text: newline, carriage return, backspace", "[drivers][vga_text]")
{
    Screen screen;
    screen.write("abc\nde");
    CHECK(screen.row_text(0) == "abc");
    CHECK(screen.row_text(1) == "de");
    CHECK(screen.crtc.cursor() == kColumns + 2);

    screen.write("\rX");
    CHECK(screen.row_text(1) == "Xe");
    CHECK(screen.console.cursor_column() == 1);

    screen.write("yz\b\bQ"); // backspace moves back without erasing
    CHECK(screen.row_text(1) == "XQz");
    CHECK(screen.crtc.cursor() == kColumns + 2);

    screen.write("\r\b\b"); // not past the start of the line
    CHECK(screen.console.cursor_row() == 1);
    CHECK(screen.console.cursor_column() == 0);
    CHECK(screen.crtc.cursor() == kColumns);
}

TEST_CASE("vga_text: tab advances to the next multiple of 8 with spaces", "[drivers][vga_text]")
{
    Screen screen;
    screen.write("\tA");
    CHECK(screen.cell(0, 8) == 0x0741);
    CHECK(screen.console.cursor_column() == 9);
    screen.write("\t"); // from column 9 to 16
    CHECK(screen.console.cursor_column() == 16);
    screen.write("12345678\t"); // from a multiple of 8: a whole tab stop further
    CHECK(screen.console.cursor_column() == 32);

    // Its spaces overwrite what was there.
    screen.write("\rabcdefghij");
    CHECK(screen.row_text(0).substr(0, 10) == "abcdefghij");
    screen.write("\r\t");
    CHECK(screen.row_text(0).substr(0, 10) == "        ij");
    CHECK(screen.console.cursor_column() == 8);

    // Near the end of a row the tab ends at the start of the next one.
    screen.write("\n" + std::string(78, '-') + "\t+");
    CHECK(screen.cell(1, 78) == kBlank);
    CHECK(screen.cell(1, 79) == kBlank);
    CHECK(screen.row_text(2) == "+");
}

TEST_CASE("vga_text: a row wraps after column 80", "[drivers][vga_text]")
{
    Screen screen;
    std::string text;
    for (int i = 0; i < 85; ++i)
        text += static_cast<char>('a' + i % 26);
    screen.write(text);
    CHECK(screen.row_text(0) == text.substr(0, 80));
    CHECK(screen.row_text(1) == text.substr(80));
    CHECK(screen.console.cursor_row() == 1);
    CHECK(screen.console.cursor_column() == 5);
    CHECK(screen.crtc.cursor() == kColumns + 5);
}

TEST_CASE("vga_text: after row 25 the screen scrolls up one line", "[drivers][vga_text]")
{
    Screen screen;
    for (int i = 0; i < kRows; ++i)
        screen.write("row " + std::to_string(i) + "\n");
    // The 25th newline scrolled: "row 0" is gone and the last row is blank, cursor at its start.
    CHECK(screen.row_text(0) == "row 1");
    CHECK(screen.row_text(kRows - 2) == "row 24");
    CHECK(screen.row_blank(kRows - 1));
    CHECK(screen.console.cursor_row() == kRows - 1);
    CHECK(screen.console.cursor_column() == 0);
    CHECK(screen.crtc.cursor() == (kRows - 1) * kColumns);

    screen.write("last");
    CHECK(screen.row_text(kRows - 1) == "last");
    screen.write("\n");
    CHECK(screen.row_text(0) == "row 2");
    CHECK(screen.row_text(kRows - 2) == "last");
    CHECK(screen.row_blank(kRows - 1));

    // Wrapping on the last row scrolls too.
    screen.write(std::string(kColumns, '=') + "tail");
    CHECK(screen.row_text(kRows - 2) == std::string(kColumns, '='));
    CHECK(screen.row_text(kRows - 1) == "tail");
    CHECK(screen.row_text(0) == "row 3");
}

TEST_CASE("vga_text: the cursor goes to the CRTC low byte then high byte", "[drivers][vga_text]")
{
    Screen screen;
    for (int i = 0; i < kRows - 1; ++i)
        screen.write("\n");
    screen.write(std::string(kColumns - 1, '.'));
    // Row 24, column 79: 1999 = 0x07CF, so both bytes are tested.
    CHECK(screen.cursor() == 1999);
    CHECK(screen.crtc.cursor() == 0x07CF);
    // One cursor update (two data writes) per write() call, not per character.
    int before = screen.crtc.data_writes;
    screen.write("\b\b\b");
    CHECK(screen.crtc.data_writes == before + 2);
    CHECK(screen.crtc.cursor() == 1996);
}
