// The 16550 driver against a scripted fake UART: divisor latch programming, the loopback presence check,
// CR LF output and waiting on the line-status register before each byte (PC16550D datasheet, table 2).
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "drivers/serial.hpp"
#include "sim/sim.hpp"

namespace {

constexpr u8 kLsrReady = 0x60; // transmitter holding register and shift register empty
constexpr u8 kMcrLoopback = 0x10;

// The registers a driver can reach at base+0..7, with the divisor latch behind DLAB (LCR bit 7) as on the
// real chip, so that a write in the wrong DLAB state lands in the wrong register.
class Fake16550 final : public sim::PortDevice {
public:
    explicit Fake16550(u16 base)
        : m_base(base)
    {
    }

    u32 read(u16 port, u8 width) override
    {
        check_width(width);
        switch (port - m_base) {
        case 0:
            return dlab() ? dll : receive;
        case 1:
            return dlab() ? dlm : ier;
        case 3:
            return lcr;
        case 4:
            return mcr;
        case 5: {
            ++m_polls;
            bool ready = m_polls > busy_polls;
            m_last_poll_ready = ready;
            return ready ? kLsrReady : 0x00;
        }
        default:
            return 0;
        }
    }

    void write(u16 port, u8 width, u32 value) override
    {
        check_width(width);
        auto byte = static_cast<u8>(value);
        switch (port - m_base) {
        case 0:
            if (dlab()) {
                dll = byte;
            } else if (mcr & kMcrLoopback) {
                receive = echo_loopback ? byte : static_cast<u8>(~byte); // the chip reads back its own output
            } else {
                sent.push_back(static_cast<char>(byte));
                polls_before_byte.push_back(m_polls);
                ready_when_written.push_back(m_last_poll_ready);
                m_polls = 0;
                m_last_poll_ready = false;
            }
            break;
        case 1:
            (dlab() ? dlm : ier) = byte;
            break;
        case 2:
            fcr = byte;
            break;
        case 3:
            lcr = byte;
            break;
        case 4:
            mcr = byte;
            break;
        default:
            break;
        }
    }

    // Registers, preset to junk a firmware might leave behind.
    u8 dll = 0x55, dlm = 0x55, ier = 0xFF, fcr = 0, lcr = 0, mcr = 0, receive = 0;
    bool echo_loopback = true;
    // LSR reads that report "busy" before each byte may be written.
    usize busy_polls = 0;
    bool bad_width = false;

    std::string sent;
    std::vector<usize> polls_before_byte;
    std::vector<bool> ready_when_written;

private:
    bool dlab() const { return lcr & 0x80; }
    void check_width(u8 width) { bad_width |= width != 1; }

    u16 m_base;
    usize m_polls { 0 };
    bool m_last_poll_ready { false };
};

// Counts every access, to show that a rejected init touches no port.
class CountingDevice final : public sim::PortDevice {
public:
    u32 read(u16, u8) override
    {
        ++accesses;
        return 0;
    }
    void write(u16, u8, u32) override { ++accesses; }
    int accesses { 0 };
};

struct FreshMachine {
    FreshMachine() { sim::reset(); }
    ~FreshMachine() { sim::reset(); } // devices below are locals
};

} // namespace

TEST_CASE("serial: init at 115200 programs divisor 1, 8N1 and the FIFOs", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);
    CHECK_FALSE(port.present());

    REQUIRE_FALSE(port.init(115200).is_error());
    CHECK(port.present());
    CHECK(uart.dll == 1);
    CHECK(uart.dlm == 0);
    CHECK(uart.lcr == 0x03); // 8 data bits, no parity, 1 stop bit, DLAB clear again
    CHECK(uart.ier == 0x00); // written with DLAB clear: interrupts off, not the divisor's high byte
    CHECK(uart.fcr == 0xC7);
    CHECK(uart.mcr == 0x0B); // out of loopback: DTR, RTS, OUT2
    CHECK(uart.sent.empty()); // the loopback test byte never reached the line
    CHECK_FALSE(uart.bad_width);
}

TEST_CASE("serial: the divisor latch for 9600 and 50 baud", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);

    REQUIRE_FALSE(port.init(9600).is_error());
    CHECK(uart.dll == 12);
    CHECK(uart.dlm == 0);

    REQUIRE_FALSE(port.init(50).is_error());
    CHECK(uart.dll == 0x00); // 2304 = 0x0900: the high byte matters
    CHECK(uart.dlm == 0x09);
    CHECK(uart.lcr == 0x03);
}

TEST_CASE("serial: the default rate is 115200", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);
    REQUIRE_FALSE(port.init().is_error());
    CHECK(uart.dll == 1);
}

TEST_CASE("serial: a rate the 115200 Hz clock cannot divide to is EINVAL", "[drivers][serial]")
{
    FreshMachine fresh;
    CountingDevice device;
    sim::attach_ports(SerialPort::kCom1, 8, &device);
    SerialPort port("ttyS0", SerialPort::kCom1);
    for (u32 baud : { 0u, 7u, 230400u, 115201u }) {
        INFO("baud " << baud);
        auto result = port.init(baud);
        REQUIRE(result.is_error());
        CHECK(result.error() == Errno::INVAL);
    }
    CHECK(device.accesses == 0);
    CHECK_FALSE(port.present());
}

TEST_CASE("serial: no UART on the bus is ENODEV and the port stays silent", "[drivers][serial]")
{
    FreshMachine fresh;
    // Nothing attached: reads float to 0xFF.
    SerialPort port("ttyS0", SerialPort::kCom1);
    auto result = port.init(115200);
    REQUIRE(result.is_error());
    CHECK(result.error() == Errno::NODEV);
    CHECK_FALSE(port.present());

    // A device that does not echo in loopback is not a 16550 either; nothing is written to it after.
    Fake16550 uart(SerialPort::kCom1);
    uart.echo_loopback = false;
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    CHECK(port.init(115200).error() == Errno::NODEV);
    CHECK_FALSE(port.present());
    port.write("lost\n", 5);
    CHECK(uart.sent.empty());
}

TEST_CASE("serial: a failed re-init leaves the port not present", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);
    REQUIRE_FALSE(port.init(115200).is_error());

    // A rejected rate changes nothing: the port keeps working at the old one.
    CHECK(port.init(7).error() == Errno::INVAL);
    CHECK(port.present());
    CHECK(uart.dll == 1);

    // A loopback check that fails has left the chip in loopback: output would go nowhere.
    uart.echo_loopback = false;
    CHECK(port.init(9600).error() == Errno::NODEV);
    CHECK_FALSE(port.present());
    port.write("lost", 4);
    CHECK(uart.sent.empty());
}

TEST_CASE("serial: write turns LF into CR LF", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);
    REQUIRE_FALSE(port.init(115200).is_error());

    port.write("ab\ncd\n\n", 7);
    CHECK(uart.sent == "ab\r\ncd\r\n\r\n");
    port.write("xyz", 2); // only `length` bytes
    CHECK(uart.sent == "ab\r\ncd\r\n\r\nxy");
    port.write("q\0r", 3); // a NUL byte is data, not the end
    CHECK(uart.sent.substr(uart.sent.size() - 3) == std::string("q\0r", 3));
}

TEST_CASE("serial: each byte waits until the line-status register says the transmitter is empty", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);
    REQUIRE_FALSE(port.init(115200).is_error());

    uart.busy_polls = 5;
    port.write("hi\n", 3);
    REQUIRE(uart.sent == "hi\r\n");
    for (usize i = 0; i < uart.sent.size(); ++i) {
        INFO("byte " << i);
        CHECK(uart.ready_when_written[i]); // never written while the last poll said busy
        CHECK(uart.polls_before_byte[i] == 6); // polls until ready, then stops polling
    }
}

TEST_CASE("serial: a wedged transmitter delays output but does not hang it", "[drivers][serial]")
{
    FreshMachine fresh;
    Fake16550 uart(SerialPort::kCom1);
    sim::attach_ports(SerialPort::kCom1, 8, &uart);
    SerialPort port("ttyS0", SerialPort::kCom1);
    REQUIRE_FALSE(port.init(115200).is_error());

    uart.busy_polls = static_cast<usize>(-1); // never ready
    port.put_byte('!');
    REQUIRE(uart.sent == "!");
    CHECK_FALSE(uart.ready_when_written[0]);
    CHECK(uart.polls_before_byte[0] > 1000); // it did wait before giving up
}

TEST_CASE("serial: the driver only touches its own base port", "[drivers][serial]")
{
    FreshMachine fresh;
    constexpr u16 kCom2 = 0x2F8;
    Fake16550 com1(SerialPort::kCom1), com2(kCom2);
    sim::attach_ports(SerialPort::kCom1, 8, &com1);
    sim::attach_ports(kCom2, 8, &com2);
    SerialPort port("ttyS1", kCom2);
    REQUIRE_FALSE(port.init(9600).is_error());
    port.write("2", 1);
    CHECK(com2.sent == "2");
    CHECK(com2.dll == 12);
    CHECK(com1.sent.empty());
    CHECK(com1.lcr == 0);
    CHECK(com1.dll == 0x55);
}
