#!/usr/bin/env bash
# A short test clip: ffmpeg's testsrc pattern, 1920x1080 at 25 fps, H.264 (about 100 KB for 2 s).
# Usage: make-clip.sh [OUT.mp4] [SECONDS]   (default: clip.mp4, 2)
set -euo pipefail
out="${1:-clip.mp4}"
seconds="${2:-2}"
ffmpeg -v error -y -f lavfi -i "testsrc=size=1920x1080:rate=25:duration=${seconds}" \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -movflags +faststart "$out"
echo "$out"
