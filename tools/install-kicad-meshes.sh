#!/usr/bin/env bash
# Installs categories of KiCad's 3-D component models (Debian package kicad-packages3d, VRML 2.0 .wrl files;
# CC-BY-SA 4.0 with KiCad's exception) for `Train --model points --meshes DIR`, one folder per category,
# and prints each folder:
#   tools/install-kicad-meshes.sh                               # Capacitor_THT:CP_Radial_* (radial electrolytics)
#   tools/install-kicad-meshes.sh Package_DIP Resistor_THT      # whole categories
#   tools/install-kicad-meshes.sh Capacitor_THT:'C_Disc_*'      # CATEGORY:GLOB keeps the matching models
# The package is 379 MB to download (5.5 GB unpacked); only the chosen .wrl files are kept, under
# ~/.cache/introvae/kicad/<CATEGORY>[-<GLOB>]. Needs apt-get (run as root or with sudo on Debian).
set -euo pipefail
[ $# -gt 0 ] || set -- 'Capacitor_THT:CP_Radial_*'
root="${INTROVAE_CACHE:-$HOME/.cache/introvae}/kicad"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=""
for spec in "$@"; do
  category=${spec%%:*}
  glob='*'
  [ "$category" = "$spec" ] || glob=${spec#*:}
  case "$category" in */*|.*|"") echo "error: '$category' is not a KiCad category like Package_DIP" >&2; exit 2 ;; esac
  name=$category
  [ "$glob" = '*' ] || name="$category-$(echo "$glob" | tr -c 'A-Za-z0-9_.\n-' '_' | sed 's/_*$//')"
  target="$root/$name"
  if [ ! -f "$target/.complete" ]; then
    if [ -z "$deb" ]; then
      (cd "$work" && apt-get download kicad-packages3d >/dev/null 2>&1) || {
        apt-get update -qq >/dev/null && (cd "$work" && apt-get download kicad-packages3d >/dev/null)
      }
      deb=$(ls "$work"/kicad-packages3d_*.deb)
    fi
    rm -rf "$work/x" && mkdir -p "$work/x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards "./usr/share/kicad/3dmodels/$category.3dshapes/$glob.wrl" \
      2>/dev/null || true
    found="$work/x/usr/share/kicad/3dmodels/$category.3dshapes"
    if [ ! -d "$found" ] || [ -z "$(ls -A "$found")" ]; then
      echo "error: kicad-packages3d has no models matching $category.3dshapes/$glob.wrl" >&2
      exit 2
    fi
    rm -rf "$target.tmp" && mkdir -p "$target.tmp"
    mv "$found"/*.wrl "$target.tmp/"
    touch "$target.tmp/.complete"
    rm -rf "$target" && mv "$target.tmp" "$target"
  fi
  echo "$target"
done
