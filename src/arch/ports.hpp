// Port I/O, for the protocol logic of drivers (the sim routes ports to scripted fake devices).
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

u8 port_read8(u16 port);
void port_write8(u16 port, u8 value);
u16 port_read16(u16 port);
void port_write16(u16 port, u16 value);
u32 port_read32(u16 port);
void port_write32(u16 port, u32 value);

} // namespace arch
