#!/usr/bin/env bash
# Installs the loader (mvn install of the parent and introvae-loader), then builds tools/loader-consumer,
# a separate Maven project that depends on org.introvae:introvae-loader by its coordinates, with the
# README's example as its source, and runs it on the shipped model. Fails if the consumer's dependencies
# include anything of the app (framework, Jetty, Commons Imaging, gRPC).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mvn -B -q install -DskipTests -pl loader -am
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tools/loader-consumer/pom.xml "$work/"
mkdir -p "$work/src/main/java"
awk '/^## Using a model from another JVM app/ {inside = 1}
     inside && /^```java$/ {code = 1; next}
     code && /^```$/ {exit}
     code' README.md > "$work/src/main/java/Example.java"
mvn -B -q exec:java -Dexec.mainClass=Sample -Dexec.args="--out $work/in.png --count 1" > /dev/null
cd "$work"
mvn -B -q dependency:list -DoutputFile=deps.txt > /dev/null
if grep -E "tensorflow-framework|jetty|commons-imaging|grpc|picocli|slf4j" deps.txt; then
  echo "loader-consumer: the loader pulled in the app's dependencies (above)" >&2
  exit 1
fi
mvn -B -q compile exec:java -Dexec.mainClass=Example -Dexec.args="$root/models/fashion-mnist $work/in.png $work/out.png"
test -s "$work/out.png"
echo "loader-consumer: built against org.introvae:introvae-loader:0.1.0-SNAPSHOT and ran the README's example ($(grep -c ':' deps.txt) dependencies)"
