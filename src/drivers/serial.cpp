// 16550 UART: initialisation and polled transmit.
#include "drivers/serial.hpp"
#include "arch/arch.hpp"

namespace {

// Register offsets from the base port (PC16550D, table 2).
constexpr u16 kData = 0, kInterruptEnable = 1, kDivisorLow = 0, kDivisorHigh = 1, kFifoControl = 2,
              kLineControl = 3, kModemControl = 4, kLineStatus = 5;
constexpr u8 kLineControlDlab = 0x80, kLineControl8N1 = 0x03;
constexpr u8 kLineStatusTransmitEmpty = 0x20;
constexpr u8 kModemLoopback = 0x10, kModemNormal = 0x0B; // DTR, RTS, OUT2
constexpr u32 kUartClockHz = 115200;

} // namespace

Result<void> SerialPort::init(u32 baud)
{
    if (baud == 0 || baud > kUartClockHz || kUartClockHz % baud)
        return Errno::INVAL;
    u16 divisor = static_cast<u16>(kUartClockHz / baud);
    // From here the chip is reprogrammed (and left in loopback if the check fails): not usable until it passes.
    m_present = false;
    arch::port_write8(m_base + kInterruptEnable, 0x00);
    arch::port_write8(m_base + kLineControl, kLineControlDlab);
    arch::port_write8(m_base + kDivisorLow, static_cast<u8>(divisor & 0xFF));
    arch::port_write8(m_base + kDivisorHigh, static_cast<u8>(divisor >> 8));
    arch::port_write8(m_base + kLineControl, kLineControl8N1);
    arch::port_write8(m_base + kFifoControl, 0xC7); // enable and clear FIFOs, 14-byte threshold

    // Loopback self-check: a missing UART reads back 0xFF (floating bus), not what we sent.
    arch::port_write8(m_base + kModemControl, kModemLoopback);
    arch::port_write8(m_base + kData, 0xAE);
    if (arch::port_read8(m_base + kData) != 0xAE)
        return Errno::NODEV;
    arch::port_write8(m_base + kModemControl, kModemNormal);
    m_present = true;
    return {};
}

void SerialPort::put_byte(u8 byte)
{
    // Bounded wait: a wedged UART must not hang the log forever (about 1 ms at 115200 baud per byte).
    for (int spins = 0; spins < 100000; ++spins)
        if (arch::port_read8(m_base + kLineStatus) & kLineStatusTransmitEmpty)
            break;
    arch::port_write8(m_base + kData, byte);
}

void SerialPort::write(const char* text, usize length)
{
    if (!m_present)
        return;
    for (usize i = 0; i < length; ++i) {
        if (text[i] == '\n')
            put_byte('\r'); // serial terminals want CR LF
        put_byte(static_cast<u8>(text[i]));
    }
}
