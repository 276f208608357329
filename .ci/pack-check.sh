#!/usr/bin/env bash
# Packaging check: the CLI, packed as npm would publish it, installs without its optional dependencies
# (so without the emulator and its native SQLite build), runs an API command against an emulator started
# from the repository, and answers `ym-chats emulator` with a clear message instead of a stack trace.
# Needs the packages built (npm run build). Installs only from the packed tarballs (--offline): the
# @ym-chats names are never looked up on a registry.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "pack-check: $*" >&2
  exit 1
}

echo "== pack: sdk, cli"
npm pack --silent -w packages/sdk -w packages/cli --pack-destination "$work" > /dev/null
sdk=$(ls "$work"/ym-chats-sdk-*.tgz)
cli=$(ls "$work"/ym-chats-cli-*.tgz)
for tarball in "$sdk" "$cli"; do
  files=$(tar -tzf "$tarball")
  grep -qx 'package/LICENSE' <<< "$files" || fail "no LICENSE in $(basename "$tarball")"
done

echo "== install the CLI into a temporary prefix, optional dependencies omitted"
# Third-party runtime dependencies (undici, …) come packed from the repository's node_modules, so the
# install needs no network at all.
third_party=$(node -e '
  const deps = new Set();
  for (const p of ["packages/sdk", "packages/cli"])
    for (const d of Object.keys(require(`./${p}/package.json`).dependencies ?? {}))
      if (!d.startsWith("@ym-chats/")) deps.add(d);
  console.log([...deps].join(" "));
')
overrides="\"@ym-chats/sdk\": \"file:$sdk\""
for dep in $third_party; do
  tarball=$(cd "$work" && npm pack --silent --ignore-scripts "$repo/node_modules/$dep")
  overrides="$overrides, \"$dep\": \"file:$work/$tarball\""
done
app="$work/app"
mkdir -p "$app"
cat > "$app/package.json" << JSON
{
  "private": true,
  "dependencies": { "@ym-chats/cli": "file:$cli", "@ym-chats/sdk": "file:$sdk" },
  "overrides": { $overrides }
}
JSON
(cd "$app" && npm install --omit=optional --offline --no-audit --no-fund --loglevel=error > /dev/null) ||
  fail "npm install of the packed CLI failed"
for absent in @ym-chats/emulator better-sqlite3; do
  [ ! -e "$app/node_modules/$absent" ] || fail "$absent was installed although optional dependencies were omitted"
done
ym="$app/node_modules/.bin/ym-chats"
"$ym" --version > /dev/null

echo "== ym-chats chats against an emulator started from the repository"
log="$work/emulator.log"
node "$repo/packages/emulator/bin/ym-chats-emulator.js" --port 0 --seed 1 > "$log" 2>&1 &
emulator_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(grep -oE 'API: +http://127\.0\.0\.1:[0-9]+' "$log" | grep -oE 'http://[^ ]+' || true)
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2> /dev/null || fail "the emulator exited: $(cat "$log")"
  sleep 0.1
done
[ -n "$url" ] || fail "the emulator did not print its URL: $(cat "$log")"
key="$work/api-key"
(umask 077 && printf 'emulator-api-key\n' > "$key")
out=$(cd "$work" && "$ym" chats --base-url "$url" --business-id 1001 --api-key-file "$key" --no-color) ||
  fail "ym-chats chats failed: $out"
grep -q '^ *CHAT ' <<< "$out" || fail "ym-chats chats printed no table: $out"

echo "== ym-chats emulator without the emulator installed: a usage error that says what to install"
set +e
message=$(cd "$work" && "$ym" emulator --port 0 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || fail "ym-chats emulator exited $code (expected 2): $message"
grep -q 'npm install -g @ym-chats/emulator' <<< "$message" || fail "no install hint: $message"
if grep -q '    at ' <<< "$message"; then fail "a stack trace was printed: $message"; fi

echo "pack-check: ok"
