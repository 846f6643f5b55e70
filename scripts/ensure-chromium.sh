#!/usr/bin/env bash
# Runs before `npm test`: the browser tests drive Debian's Chromium. Installs it when
# missing and this machine can (root with apt-get); otherwise says how, and the
# browser tests fail with the same advice.
set -u
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium from Debian's packages for the browser tests…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "Chromium is missing: run 'apt-get install chromium' (the browser tests need /usr/bin/chromium)." >&2
exit 0
