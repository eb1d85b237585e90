#!/bin/bash
# Runtime bootstrap for dotnet8, after AWS's bootstrap.net8.sh (github.com/aws/aws-lambda-dotnet): starts the function's
# code on the dotnet found on PATH.
# - An executable assembly (handler = the assembly's name): `dotnet exec <LAMBDA_TASK_ROOT>/<name>.dll`; its Main runs
#   Amazon.Lambda.RuntimeSupport's LambdaBootstrapBuilder against AWS_LAMBDA_RUNTIME_API.
# - A class library (handler = Assembly::Namespace.Class::Method): `dotnet exec` of Amazon.Lambda.RuntimeSupport built as
#   an executable (klambda's dotnet8 image has it in /var/runtime, as AWS's does) with the function's deps.json and
#   runtimeconfig.json, which loads the assembly and calls the method.
set -euo pipefail

fail() {
  echo "Error: $1" 1>&2
  exit "$2"
}

if [ -z "${LAMBDA_TASK_ROOT:-}" ] || [ ! -d "${LAMBDA_TASK_ROOT}" ]; then
  fail "LAMBDA_TASK_ROOT must name the folder of the function's .NET binaries." 101
fi
RUNTIME_DIR="${LAMBDA_RUNTIME_DIR:-/var/runtime}"
DOTNET_BIN="$(command -v dotnet || true)"
[ -n "${DOTNET_BIN}" ] || fail "dotnet is not installed here (not on PATH)." 127

LAMBDA_HANDLER="${1:-${_HANDLER:-}}"
[ -n "${LAMBDA_HANDLER}" ] || fail "No Lambda Handler function was specified." 103
case "${LAMBDA_HANDLER}" in
  */* | *..*) fail "Bad handler ${LAMBDA_HANDLER}: it must name an assembly of the function's code." 103 ;;
esac

DOTNET_ARGS=()
if [[ "${LAMBDA_HANDLER}" != *:* ]]; then
  EXECUTABLE_ASSEMBLY="${LAMBDA_TASK_ROOT}/${LAMBDA_HANDLER}"
  [[ "${EXECUTABLE_ASSEMBLY}" == *.dll ]] || EXECUTABLE_ASSEMBLY="${EXECUTABLE_ASSEMBLY}.dll"
  [ -f "${EXECUTABLE_ASSEMBLY}" ] || fail "executable assembly ${EXECUTABLE_ASSEMBLY} not found." 104
  DOTNET_ARGS+=("${EXECUTABLE_ASSEMBLY}")
else
  RUNTIME_SUPPORT="${RUNTIME_DIR}/Amazon.Lambda.RuntimeSupport.dll"
  if [ ! -f "${RUNTIME_SUPPORT}" ]; then
    fail "the class-library handler ${LAMBDA_HANDLER} needs Amazon.Lambda.RuntimeSupport built as an executable in ${RUNTIME_DIR} (klambda's dotnet8 image has it); here, use an executable assembly (handler = the assembly's name)." 107
  fi
  if [ -n "${LAMBDA_DOTNET_MAIN_ASSEMBLY:-}" ]; then
    ASSEMBLY_NAME="${LAMBDA_DOTNET_MAIN_ASSEMBLY%.dll}"
  else
    ASSEMBLY_NAME="${LAMBDA_HANDLER%%::*}"
  fi
  pick() { # the function's <assembly>.<suffix>, or its only *.<suffix>
    if [ -f "${LAMBDA_TASK_ROOT}/${ASSEMBLY_NAME}.$1" ]; then
      echo "${LAMBDA_TASK_ROOT}/${ASSEMBLY_NAME}.$1"
      return
    fi
    shopt -s nullglob
    local found=("${LAMBDA_TASK_ROOT}"/*."$1")
    shopt -u nullglob
    [ "${#found[@]}" -eq 1 ] || fail ".NET binaries for the function are not correctly installed in ${LAMBDA_TASK_ROOT}: the $1 file is missing." "$2"
    echo "${found[0]}"
  }
  DEPS_FILE="$(pick deps.json 105)"
  RUNTIMECONFIG_FILE="$(pick runtimeconfig.json 106)"
  DOTNET_ARGS+=("--depsfile" "${DEPS_FILE}" "--runtimeconfig" "${RUNTIMECONFIG_FILE}" "${RUNTIME_SUPPORT}" "${LAMBDA_HANDLER}")
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=true DOTNET_NOLOGO=true
if [ -n "${AWS_LAMBDA_EXEC_WRAPPER:-}" ]; then
  [ -x "${AWS_LAMBDA_EXEC_WRAPPER}" ] || fail "${AWS_LAMBDA_EXEC_WRAPPER}: is not an executable" 126
  exec -- "${AWS_LAMBDA_EXEC_WRAPPER}" "${DOTNET_BIN}" exec "${DOTNET_ARGS[@]}"
fi
exec "${DOTNET_BIN}" exec "${DOTNET_ARGS[@]}"
