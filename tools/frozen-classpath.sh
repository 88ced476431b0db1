# Sourced by tools that run Java for hours (quality-table.sh, official-images.sh): compiles the app and
# sets $cp to a copy, under $1, of its classes and of this project's modules on its classpath (loader,
# server, testkit: jars or classes in their target/ folders, or in ~/.m2). A build by another tool
# meanwhile (mvn compile, mvn install) would replace those files under the running JVMs, which then fail
# to load a class or read a truncated jar.
frozen=${1:?usage: source tools/frozen-classpath.sh FOLDER}
mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
rm -rf "$frozen" && mkdir -p "$frozen/jars" && cp -r app/target/classes "$frozen/classes"
cp="$frozen/classes"
# read's status is 1 at the end of a file without a final newline (Maven writes none); the array is filled.
IFS=: read -r -a entries < app/target/classpath.txt || [ ${#entries[@]} -gt 0 ]
for entry in "${entries[@]}"; do
  case "$entry" in
    "$PWD"/*|*/org/introvae/*)
      copy="$frozen/jars/$(echo "${entry#"$PWD"/}" | tr / _)"
      cp -r "$entry" "$copy" && entry=$copy ;;
  esac
  cp="$cp:$entry"
done
