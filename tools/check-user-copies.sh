#!/usr/bin/env bash
# GUIDE §4: outside mm/ (and the arch layers beneath it), user memory is reached only through a UserPointer
# that says its direction, or a transfer's OutBuffer/InBuffer: the copies by bare address (mm::raw, the arch's
# *_user_raw primitives) are mm's own. Tests may use them to poke at simulated memory.
set -euo pipefail
top=${1:-$(dirname "$0")/..}
hits=$(grep -rnE '\b(raw::copy_|copy_(from|to)_user_raw|copy_string_from_user_raw)' "$top/src" --include='*.hpp' --include='*.cpp' \
       | grep -vE "^$top/src/(mm|arch|sim)/" || true)
if [[ -n $hits ]]; then
  echo "raw user copies outside mm/: use a UserIn/UserOut/UserInOut or an mm::OutBuffer/InBuffer instead:"
  echo "$hits"
  exit 1
fi
echo "user copies: ok (raw copies only in mm/, arch/ and sim/)"
