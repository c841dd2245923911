#!/usr/bin/env bash
# Builds the aiographite command-line tool (src/AioGraphite.Cli) with Native AOT into one self-contained native
# binary: no .NET runtime needed where it runs, starts in milliseconds.
#
#   scripts/publish-cli.sh [--runtime RID] [--output DIR] [--install-prerequisites]
#
#   --runtime RID      the target runtime identifier (default: this machine's, e.g. linux-x64). Native AOT compiles
#                      for the OS it runs on: linux-x64 or linux-arm64 on Linux (linux-arm64 from an x64 host also
#                      needs a cross toolchain and sysroot), win-x64 on Windows (from Git Bash, with Visual Studio's
#                      C++ build tools), osx-arm64 on macOS (with Xcode's command-line tools). Only linux-x64 is
#                      built and tested here; the ILCompiler packages come from NuGet like any other package.
#   --output DIR       where the binary goes (default: artifacts/cli): DIR/aiographite (aiographite.exe on
#                      Windows) and its debug symbols DIR/aiographite.dbg (Linux) beside it, which it does not need.
#   --install-prerequisites
#                      on Debian/Ubuntu, apt-get install the native toolchain (clang, zlib1g-dev) if missing;
#                      needs root or sudo.
#
# Every trimming and AOT warning is an error. The intermediate files go to artifacts/publish-cli/, apart from the
# regular build's bin/ and obj/, so this can run while the solution is built or tested. The 'dotnet tool' package
# (dotnet pack src/AioGraphite.Cli) is unaffected: it stays a framework-dependent tool.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RID="" OUTPUT="artifacts/cli" INSTALL=0
while [[ $# -gt 0 ]]; do
  case $1 in
    -r|--runtime) RID=${2:?"--runtime needs a runtime identifier, e.g. linux-x64"}; shift 2 ;;
    -o|--output) OUTPUT=${2:?"--output needs a directory"}; shift 2 ;;
    --install-prerequisites) INSTALL=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "publish-cli: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v dotnet >/dev/null || { echo "publish-cli: the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [[ -z $RID ]]; then
  RID=$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')
  [[ -n $RID ]] || { echo "publish-cli: could not read this machine's runtime identifier from 'dotnet --info'; pass --runtime" >&2; exit 1; }
fi

# Native AOT links with the platform's C toolchain: on Linux clang (or gcc) and zlib's development files.
if [[ $(uname -s) == Linux ]]; then
  missing=()
  command -v clang >/dev/null || command -v gcc >/dev/null || missing+=(clang)
  [[ -e /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
  if [[ ${#missing[@]} -gt 0 && $INSTALL -eq 1 ]]; then
    sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang zlib1g-dev >&2 \
      || { "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang zlib1g-dev >&2; }
  elif [[ ${#missing[@]} -gt 0 ]]; then
    cat >&2 <<MSG
publish-cli: Native AOT needs a C toolchain to link the binary; missing: ${missing[*]}.
Fix it with one of:
  $0 --install-prerequisites
  sudo apt-get install -y clang zlib1g-dev
MSG
    exit 1
  fi
fi

work=artifacts/publish-cli
log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$SECONDS
# --artifacts-path keeps this build's obj/ and bin/ (of the CLI and the library it references) apart from the
# regular build's. -warnaserror turns every warning, the ILCompiler's trim/AOT analysis included, into an error;
# TrimmerSingleWarn=false reports each warning of a dependency instead of one summary per assembly.
if ! dotnet publish src/AioGraphite.Cli/AioGraphite.Cli.csproj -c Release -r "$RID" --artifacts-path "$work" \
    -p:PublishAot=true -p:TrimmerSingleWarn=false -warnaserror -nologo -v q -nodeReuse:false >"$log" 2>&1; then
  cat "$log" >&2
  echo "publish-cli: the Native AOT publish for $RID failed (output above)." >&2
  exit 1
fi
if grep -E -q 'warning [A-Z]+[0-9]+' "$log"; then
  cat "$log" >&2
  echo "publish-cli: the publish reported warnings (above); the native binary must build without any." >&2
  exit 1
fi

published=$work/publish/AioGraphite.Cli/release_$RID
exe=""; [[ $RID == win-* ]] && exe=".exe"
[[ -f $published/AioGraphite.Cli$exe ]] || { echo "publish-cli: no native binary at $published/AioGraphite.Cli$exe" >&2; ls -la "$published" >&2 || true; exit 1; }
mkdir -p "$OUTPUT"
rm -f "$OUTPUT/aiographite$exe" "$OUTPUT/aiographite.dbg"
cp "$published/AioGraphite.Cli$exe" "$OUTPUT/aiographite$exe"
[[ -f $published/AioGraphite.Cli.dbg ]] && cp "$published/AioGraphite.Cli.dbg" "$OUTPUT/aiographite.dbg"
size=$(du -k "$OUTPUT/aiographite$exe" | cut -f1)
echo "publish-cli: $OUTPUT/aiographite$exe ($RID, ${size} KiB) in $((SECONDS - started)) s"
