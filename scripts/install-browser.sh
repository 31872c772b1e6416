#!/usr/bin/env bash
# Installs what the browser tests need (Debian's Chromium, Java for the Nu HTML checker)
# when it can: as root, with apt-get. Otherwise it says so; the browser tests then skip
# loudly (or fail, under CI=true). Playwright's own browser download is not used: it needs
# a network this project does not assume. TRIALPRESS_CHROMIUM overrides the browser path.
set -u
chromium="${TRIALPRESS_CHROMIUM:-/usr/bin/chromium}"
need=()
[ -x "$chromium" ] || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${need[*]} with apt-get for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || echo "WARNING: apt-get update failed"
    apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
      || echo "WARNING: apt-get could not install ${need[*]}"
  else
    echo "WARNING: ${need[*]} missing and not installable here (needs root and apt-get)."
  fi
fi

if [ -x "$chromium" ] && "$chromium" --headless --no-sandbox --version >/dev/null 2>&1; then
  echo "Browser tests: $("$chromium" --version 2>/dev/null | head -1)," \
    "$(java -version 2>&1 | head -1 || echo 'no Java')"
else
  echo "WARNING: no working browser at $chromium: the browser tests will skip (fail under CI=true)."
fi
exit 0
