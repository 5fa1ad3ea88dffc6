# Sourced by submit.sh and local-cluster.sh: the shared secret of an authenticated Spark cluster.
#   SPARKVAE_AUTH_SECRET_FILE  a file holding the secret, readable by its owner only (chmod 600)
#   SPARKVAE_AUTH_SECRET       the secret itself, in the environment
# sparkvae_auth_secret sets the shell variable sparkvae_secret (never exported, never an argument
# of an external command) and returns 0 when one of them is set, 1 when neither is; it exits 2
# with a message naming the problem when the secret cannot be used. The secret never reaches a
# command line: Master, Worker and executors take it from the environment (_SPARK_AUTH_SECRET),
# the driver from a properties file of mode 600 (see submit.sh).

sparkvae_auth_secret() {
  sparkvae_secret=""
  local file="${SPARKVAE_AUTH_SECRET_FILE:-}" mode
  if [ -n "$file" ] && [ -n "${SPARKVAE_AUTH_SECRET:-}" ]; then
    echo "sparkvae: set SPARKVAE_AUTH_SECRET_FILE or SPARKVAE_AUTH_SECRET, not both" >&2
    exit 2
  fi
  if [ -n "$file" ]; then
    if [ ! -f "$file" ] || [ ! -r "$file" ]; then
      echo "sparkvae: SPARKVAE_AUTH_SECRET_FILE: $file is not a readable file" >&2
      exit 2
    fi
    mode=$(stat -c %a "$file" 2>/dev/null || stat -f %Lp "$file")
    if (( 8#$mode & 8#077 )); then
      echo "sparkvae: SPARKVAE_AUTH_SECRET_FILE: $file has mode $mode; it must be readable by its owner only (chmod 600 $file)" >&2
      exit 2
    fi
    sparkvae_secret="$(< "$file")"   # trailing newlines dropped; bash reads it, no external command
    if [ -z "$sparkvae_secret" ]; then
      echo "sparkvae: SPARKVAE_AUTH_SECRET_FILE: $file is empty" >&2
      exit 2
    fi
  elif [ -n "${SPARKVAE_AUTH_SECRET:-}" ]; then
    sparkvae_secret="$SPARKVAE_AUTH_SECRET"
  else
    return 1
  fi
  # One line without blanks: the driver reads it from a properties file (which trims values),
  # the cluster from the environment, and both must see the same bytes.
  if [[ "$sparkvae_secret" =~ [[:space:][:cntrl:]] ]]; then
    sparkvae_secret=""
    echo "sparkvae: the authentication secret must be one line without blanks (e.g. openssl rand -hex 32)" >&2
    exit 2
  fi
  return 0
}
