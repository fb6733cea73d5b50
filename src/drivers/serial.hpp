// 16550 UART driver (COM1..COM4), polled output; a console for the kernel log.
// Registers: PC16550D datasheet; the same protocol code runs against a scripted fake port on the host.
#pragma once

#include "kernel/console.hpp"
#include "lib/result.hpp"

class SerialPort final : public Console {
public:
    static constexpr u16 kCom1 = 0x3F8;

    SerialPort(const char* name, u16 base) : Console(name), m_base(base) {}

    // Programs 8N1 at `baud`, enables FIFOs and checks the chip through loopback: ENODEV if absent.
    Result<void> init(u32 baud = 115200);
    bool present() const { return m_present; }

    void write(const char* text, usize length) override;
    void put_byte(u8 byte);

private:
    u16 m_base;
    bool m_present = false;
};
