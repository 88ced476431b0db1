#!/usr/bin/env bash
# The hostile-input probe, end to end: starts the REST server on 127.0.0.1 with a copy of models/ (or
# probes one already running: tools/hostile-probe.sh PORT [MODEL]), sends it slow clients, header floods,
# decompression bombs, overflowing numbers, bad escapes and wrong methods, then runs the commands with bad
# input, a full disk, a read-only export folder and a damaged checkpoint. One line per case: the case,
# the HTTP status or exit code, and whether the server (or the run) survived. The disk cases mount a
# tmpfs and need root; without it they are reported as skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
source tools/benchmarks-classpath.sh || exit 1
java_run() { java -Xmx2g -cp "$cp" "$@"; }
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  for m in "$work/full" "$work/ro"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ $# -ge 1 ]; then
  port=$1; model=${2:-fashion-mnist}
else
  model=fashion-mnist
  cp -r models "$work/models"
  port=$((20000 + RANDOM % 20000))
  # java itself in the background (not the java_run function, whose subshell's PID would be the one
  # killed at exit, leaving the server running).
  java -Xmx2g -cp "$cp" Serve --models "$work/models" --rest_api_port "$port" --port -1 > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/v1/models/$model" >/dev/null 2>&1 && break
    sleep 0.5
  done
fi

echo "== REST server on 127.0.0.1:$port"
java_run org.introvae.tools.HostileProbe 127.0.0.1 "$port" "$model"
rest=$?
if [ -n "$server_pid" ]; then
  kill -0 "$server_pid" 2>/dev/null && echo "server process still running: yes" || { echo "server process still running: NO"; rest=1; }
fi

echo
echo "== commands"
printf '%-44s | %-22s | %s\n' "case" "exit code, stderr lines" "survived"
failed=0
# case name, expected exit code, command...; "survived" = the expected code and a one-line error, no stack trace
probe() {
  local name=$1 expected=$2; shift 2
  local out="$work/out.txt" err="$work/err.txt"
  "$@" > "$out" 2> "$err"
  local code=$? lines
  lines=$(grep -c . "$err")
  local ok=no
  if [ "$code" = "$expected" ] && ! grep -q "at org\.\|Exception in thread" "$err" && { [ "$expected" = 0 ] || [ "$lines" = 1 ]; }; then ok=yes; fi
  [ "$ok" = yes ] || failed=1
  printf '%-44s | %-22s | %s\n' "$name" "exit $code, $lines line(s)" "$ok"
  [ "$lines" -gt 0 ] && [ "$expected" != 0 ] && sed 's/^/    /' "$err" | head -2
}
runs="$work/runs"
train() { java_run Train --runs "$runs" --widths 8,16 --z 8 --batch 32 --vae-epochs 0 --image-every 1000 "$@"; }

probe "--image-size 100000" 2 train --image-size 100000
probe "--lr --steps 2 (a value forgotten)" 2 train --lr --steps 2
gzip -dc data/fashion-mnist/t10k-images-idx3-ubyte.gz | gzip -1 | head -c 2000000 > "$work/truncated-images-idx3-ubyte.gz"
probe "truncated .gz IDX file" 2 train --data "$work/truncated-images-idx3-ubyte.gz"
mkdir -p "$work/folder"
python3 - "$work/folder" <<'PY' 2>/dev/null || true
import sys, zlib, struct
def png(path, w, h, rows):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    raw = b''.join(rows(w, h))
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) \
        + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)
for i in range(40):
    png(f"{sys.argv[1]}/img{i:02d}.png", 28, 28, lambda w, h: (bytes([0] + [(x * 9 + y * 5 + i) % 256 for x in range(w)]) for y in range(h)))
PY
truncate -s 2200000000 "$work/folder/huge.png"
java_run org.introvae.testkit.ImageBomb "$work/folder/bomb.png" 20000 20000
probe "2.2 GB .png and a PNG bomb in a data folder" 0 train --data "$work/folder" --run folder --steps 1 --held-out 0.1
grep -m1 "skipped" "$work/out.txt" | sed 's/^/    /'

if mkdir -p "$work/full" && mount -t tmpfs -o size=96k tmpfs "$work/full" 2>/dev/null; then
  probe "full disk during a checkpoint" 1 train --runs "$work/full" --run r --steps 10 --checkpoint-every 5
  ls -a "$work/full/r/checkpoints" 2>/dev/null | grep -q "^.tmp-step" && { echo "    a .tmp-step folder was left behind"; failed=1; }
else
  printf '%-44s | %-22s | %s\n' "full disk during a checkpoint" "skipped (needs root)" "-"
fi
probe "training run for the next cases" 0 train --run ok --steps 20 --checkpoint-every 10
if mkdir -p "$work/ro" && mount -t tmpfs -o ro,size=64k tmpfs "$work/ro" 2>/dev/null; then
  probe "export into a read-only model folder" 1 java_run Export --run "$runs/ok" --out "$work/ro"
else
  printf '%-44s | %-22s | %s\n' "export into a read-only model folder" "skipped (needs root)" "-"
fi
truncate -s 1000 "$runs/ok/checkpoints/step-00000020/model.data-00000-of-00001"
probe "resume from a truncated latest checkpoint" 0 train --run ok --resume --steps 30
grep -m2 "unusable\|resumed from" "$work/out.txt" | sed 's/^/    /'

echo
[ $rest = 0 ] && [ $failed = 0 ] && echo "every case survived" || { echo "some cases did NOT survive"; exit 1; }
