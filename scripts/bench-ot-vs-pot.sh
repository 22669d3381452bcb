#!/usr/bin/env bash
# xlir's typed-array log-domain Sinkhorn vs POT's sinkhorn_log (numpy) on the same 64 problems of
# 32 x 32 at eps 0.1 to tolerance 1e-6 (the issue's benchmark), then the distillation-step overhead
# of the OT loss vs the contrastive loss (needs the libtorch binding). Prints two JSON objects.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/bin/xlir" bench ot --problems 64 --m 32 --n 32 --epsilon 0.1 --tolerance 1e-6 --json
if [ -f "$here/native/build/Release/xlir_torch.node" ]; then
  "$here/bin/xlir" bench ot --distill-step --steps 20 --json
fi
