#!/usr/bin/env bash
# Installs real triangle meshes from three Debian packages into ~/.cache/introvae/meshes and prints the
# folder to pass to `Train --model points --meshes`:
#   libcgal-demo       CGAL's example data (OFF; CGAL is GPL-3+/LGPL-3+)
#   geomview           Geomview's sample geometry (OFF; LGPL-2.1+)
#   assimp-testmodels  the Open Asset Import Library's test models (OFF, PLY, STL, OBJ; BSD-3-Clause)
# Only the mesh files (.off .ply .stl .obj) are kept. Needs apt-get (run as root or with sudo on Debian).
set -euo pipefail
root="${INTROVAE_CACHE:-$HOME/.cache/introvae}/meshes"
if [ ! -f "$root/.complete" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download libcgal-demo geomview assimp-testmodels >/dev/null 2>&1) || {
    apt-get update -qq >/dev/null && (cd "$work" && apt-get download libcgal-demo geomview assimp-testmodels >/dev/null)
  }
  for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$work/x"
  done
  mkdir -p "$work/x/cgal"
  tar xzf "$work/x/usr/share/doc/libcgal-dev/data.tar.gz" -C "$work/x/cgal"
  rm -rf "$root.tmp" && mkdir -p "$root.tmp"
  copy() {  # copy the mesh files under $1 into $root.tmp/$2, keeping their relative paths
    (cd "$1" && find . -type f \( -iname '*.off' -o -iname '*.ply' -o -iname '*.stl' -o -iname '*.obj' \) \
      -exec cp --parents {} "$root.tmp/$2/" \;)
  }
  mkdir -p "$root.tmp/cgal" "$root.tmp/geomview" "$root.tmp/assimp"
  copy "$work/x/cgal" cgal
  copy "$work/x/usr/share/geomview" geomview
  copy "$work/x/usr/share/assimp/models" assimp
  touch "$root.tmp/.complete"
  rm -rf "$root" && mv "$root.tmp" "$root"
fi
echo "$root"
