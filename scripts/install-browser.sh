#!/usr/bin/env bash
# Installs what the browser tests need (Debian's Chromium, Java for the HTML checker)
# when it can: as root, with apt-get. Otherwise it says so; the browser tests then skip
# loudly (or fail, under CI=true).
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} with apt-get for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || echo "WARNING: apt-get could not install ${need[*]}"
else
  echo "WARNING: ${need[*]} missing and not installable here (needs root and apt-get)."
fi
exit 0
