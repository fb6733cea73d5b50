#!/usr/bin/env bash
# GUIDE §1: only src/arch/i386 may include its own headers; everything else goes through src/arch/arch.hpp.
set -euo pipefail
top=${1:-$(dirname "$0")/..}
hits=$(grep -rnE '#\s*include\s*[<"]([./]*)(src/)?arch/i386/' "$top/src" "$top/test" --include='*.hpp' --include='*.cpp' --include='*.h' \
       | grep -v "^$top/src/arch/i386/" || true)
if [[ -n $hits ]]; then
  echo "arch boundary violated: these files include src/arch/i386 headers:"
  echo "$hits"
  exit 1
fi
echo "arch boundary: ok ($(grep -rlE '#\s*include' "$top/src" | grep -vc '/arch/i386/') portable files checked)"
