// Credentials: the user and group ids a task acts with (man 7 credentials), for permission checks everywhere.
#pragma once

#include "lib/types.hpp"

namespace proc {

struct Credentials {
    static constexpr usize kMaxGroups = 64; // supplementary groups this kernel keeps (Linux allows 65536)
    u32 uid, euid, suid, fsuid;
    u32 gid, egid, sgid, fsgid;
    u32 groups[kMaxGroups];
    usize group_count;
    bool is_root() const { return euid == 0; } // until capabilities exist, root is all of them
};

} // namespace proc
