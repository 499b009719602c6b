#!/usr/bin/env bash
# Writes the runtimeconfig.json that lets `dotnet exec` run an assembly mcs built on .NET Core 3.1
# (and, rolling forward, on a newer runtime of the same major version).
set -euo pipefail
cat > "${1:?usage: runtimeconfig.sh <file>}" <<'JSON'
{"runtimeOptions":{"tfm":"netcoreapp3.1","framework":{"name":"Microsoft.NETCore.App","version":"3.1.0"}}}
JSON
