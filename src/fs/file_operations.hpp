// FileOperations: what an open file does on read, write, ioctl and poll (struct file_operations). Regular files,
// directories and symlinks use their inode's data; device nodes and FIFOs get their operations from whoever
// registered for them (drivers, pipes), so a driver can serve a node that lives on any filesystem.
#pragma once

#include "fs/types.hpp"
#include "lib/result.hpp"
#include "mm/io_buffer.hpp"

namespace proc {
class WaitQueue;
}
namespace mm {
class VmBacking;
}

namespace fs {

class OpenFile;
class Inode;
// The kernel has one kind of wait queue (proc/wait_queue.hpp); files name it here.
using WaitQueue = proc::WaitQueue;

class FileOperations {
public:
    // Called once when the open file is made; an error fails the open(2).
    virtual Result<void> open(OpenFile&) { return {}; }
    // Called when the last descriptor of the open file goes.
    virtual void release(OpenFile&) { }
    // Read into `to` (as much as it has room for) and write from `from` (all it holds), at `offset`; the
    // caller advances the file position by the result. A fault in the buffer ends the transfer there: return
    // what moved, and the caller turns nothing moved into EFAULT.
    virtual Result<usize> read(OpenFile& file, u64 offset, mm::OutBuffer& to);
    virtual Result<usize> write(OpenFile& file, u64 offset, mm::InBuffer& from);
    virtual Result<i32> ioctl(OpenFile&, u32, uptr) { return Errno::NOTTY; }
    // Readiness as poll(2) bits; a file that never blocks is always ready.
    virtual u32 poll(OpenFile&) { return kPollIn | kPollOut | kPollRdNorm | kPollWrNorm; }
    // The queue woken whenever poll()'s answer may have changed, for poll(2) and select(2) to sleep on
    // (proc/wait_queue.hpp); nullptr for a file whose readiness never changes.
    virtual WaitQueue* poll_queue(OpenFile&) { return nullptr; }
    // Whether lseek moves the position (pipes and terminals say no: ESPIPE).
    virtual bool seekable() const { return true; }
    // What mmap maps (file_operations' mmap): the inode's pages for a regular file whose filesystem has them,
    // nullptr for anonymous memory (/dev/zero), ENODEV for what cannot be mapped.
    virtual Result<mm::VmBacking*> mmap_pages(OpenFile& file);

protected:
    ~FileOperations() = default;
};

// Regular files: read and write the inode's data.
FileOperations& inode_file_operations();

// Where device nodes and FIFOs find their operations: what drivers registered for the number, and the
// pipes' operations for a FIFO (fs/devices.hpp); nullptr (the open fails with ENXIO) when nobody serves it.
FileOperations* resolve_special_file(u32 mode, u32 rdev);

} // namespace fs
