#!/usr/bin/env bash
# A Python TF Serving client against our server: writes the server's gRPC API as a descriptor set
# (org.introvae.serving.ApiDescriptorSet), generates TF Serving's Python modules from it with protoc and
# grpc's Python plugin (tensorflow_serving.apis.*_pb2[_grpc], tensorflow.core.framework.*_pb2), starts
# Serve with TF Serving's flags on free ports and runs tools/tf_serving_client.py against it.
#   tools/python-client.sh [MODEL_BASE_PATH] [MODEL_NAME]      (default models/fashion-mnist)
# Installs Debian's protobuf-compiler, protobuf-compiler-grpc, python3-grpcio and python3-protobuf when
# missing. Exits with the client's status (0: every check passed).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-models/fashion-mnist}
name=${2:-$(basename "$base")}
python=/usr/bin/python3

if ! command -v protoc > /dev/null || [ ! -x /usr/bin/grpc_python_plugin ] \
    || ! "$python" -c 'import grpc, google.protobuf' 2> /dev/null; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq protobuf-compiler protobuf-compiler-grpc \
    python3-grpcio python3-protobuf > /dev/null
fi

mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
cp="app/target/classes:$(cat app/target/classpath.txt)"
out=target/python-client
rm -rf "$out"
mkdir -p "$out/generated"
java -cp "$cp" org.introvae.serving.ApiDescriptorSet "$out/api.pb" > /dev/null
# Every file but protobuf's own well-known types, which the Python runtime ships.
files=$("$python" - "$out/api.pb" <<'EOF'
import sys
from google.protobuf import descriptor_pb2
s = descriptor_pb2.FileDescriptorSet()
s.ParseFromString(open(sys.argv[1], "rb").read())
print(" ".join(f.name for f in s.file if not f.name.startswith("google/protobuf/")))
EOF
)
# shellcheck disable=SC2086
protoc --descriptor_set_in="$out/api.pb" --python_out="$out/generated" --grpc_python_out="$out/generated" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin $files

read -r grpc_port rest_port < <("$python" -c '
import socket
s1, s2 = socket.socket(), socket.socket()
s1.bind(("127.0.0.1", 0)); s2.bind(("127.0.0.1", 0))
print(s1.getsockname()[1], s2.getsockname()[1])')
java -cp "$cp" Serve --port "$grpc_port" --rest_api_port "$rest_port" --model_name "$name" \
  --model_base_path "$base" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2> /dev/null || true; wait $server 2> /dev/null || true' EXIT
ready=""
for _ in $(seq 1 120); do
  if "$python" -c "
import socket, urllib.request
urllib.request.urlopen('http://127.0.0.1:$rest_port/v1/models/$name', timeout=2)
socket.create_connection(('127.0.0.1', $grpc_port), timeout=2).close()" 2> /dev/null; then
    ready=yes
    break
  fi
  if ! kill -0 "$server" 2> /dev/null; then
    echo "python-client: Serve exited; its log:" >&2
    cat "$out/serve.log" >&2
    exit 1
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "python-client: Serve did not answer on REST port $rest_port and gRPC port $grpc_port within 60 s; its log:" >&2
  cat "$out/serve.log" >&2
  exit 1
fi
PYTHONPATH="$out/generated" "$python" tools/tf_serving_client.py 127.0.0.1 "$grpc_port" "$rest_port" "$name"
