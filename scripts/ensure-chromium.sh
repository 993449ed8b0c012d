#!/usr/bin/env bash
# Make sure Debian's Chromium is available for the browser tests. Installs it when we can
# (root with apt-get); otherwise says loudly that the browser tests will be skipped.
# In CI (CI=true) a missing Chromium is an error, never a skip.
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: chromium is not installed and could not be installed; CI never skips browser tests." >&2
  exit 1
fi
cat >&2 <<'MSG'
################################################################################
##  WARNING: chromium is not installed and could not be installed here.        ##
##  THE BROWSER TESTS WILL BE SKIPPED. Install Debian's `chromium` package.    ##
################################################################################
MSG
exit 0
