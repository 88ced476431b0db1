# Sourced by the tools that run benchmark and probe classes (the benchmarks module, which the
# top-level exec:java does not run): compiles every module and sets $cp to the benchmarks module's
# classpath (its classes, the app's, the server's, the loader's and their dependencies).
# $maven_profiles (e.g. -Pgpu) is passed to Maven. (A sourced file sees the caller's own arguments,
# so it takes none.)
mvn -B -q ${maven_profiles:-} compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
