#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint needs for PDF output (the record of processing
# activities) are there: Pango with its FreeType back end (which pull in HarfBuzz, fontconfig and
# GLib), HarfBuzz's subsetter (font embedding; without it WeasyPrint falls back to a slower path
# it is dropping) and a font. Installs them when we can (root with apt-get); otherwise says
# loudly that PDF output and its tests will fail. In CI (CI=true) a missing library is an error.
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

missing() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' \
      || echo "$pkg"
  done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian: we cannot name packages; WeasyPrint says on first use what it cannot load.
  exit 0
fi
todo=$(missing)
if [ -z "$todo" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the libraries for PDF output:" $todo
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $todo >/dev/null
  todo=$(missing)
  [ -z "$todo" ] && exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: missing system libraries for PDF output, and they could not be installed:" $todo >&2
  exit 1
fi
cat >&2 <<MSG
################################################################################
##  WARNING: missing system libraries for PDF output: $todo
##  PDF OUTPUT (candor ropa --format pdf, the register download) AND ITS TESTS
##  WILL FAIL. Install them: apt-get install ${PACKAGES[*]}
################################################################################
MSG
exit 0
