#!/usr/bin/env bash
# Kernel code is freestanding (GUIDE §8): outside src/sim, only headers a freestanding C++ implementation
# provides may be included. A hosted header would compile on the host and break only the i386 build.
set -euo pipefail
top=${1:-$(dirname "$0")/..}
allowed='stddef\.h|stdint\.h|stdarg\.h|stdbool\.h|limits\.h|float\.h|cstddef|cstdint|cstdarg|climits|cfloat|new|type_traits|utility|limits|initializer_list|concepts|bit|compare|source_location|version|numbers|ratio'
hits=$(grep -rnE '#\s*include\s*<' "$top/src" --include='*.hpp' --include='*.cpp' --include='*.h' \
       | grep -v "^$top/src/sim/" | grep -vE "#\s*include\s*<($allowed)>" || true)
if [[ -n $hits ]]; then
  echo "hosted headers in kernel code (only src/sim may use them):"
  echo "$hits"
  exit 1
fi
echo "freestanding includes: ok"
