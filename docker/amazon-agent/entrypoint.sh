#!/bin/sh
# Configures the real agent from the environment and runs it in the foreground (docker/README.md):
#   SSM_AGENT_CONFIG        the amazon-ssm-agent.json text (emulator/externalAgent/amazonAgentConfig.ts)
#   SSM_CONFORMANCE_CA_PEM  the stack's CA certificate, written to SSL_CERT_FILE (which the agent reads)
#   SSM_CONFORMANCE_LOGS_PORT  the stack's port on 127.0.0.1: a forwarder on 127.0.0.1:443 reaches it, for
#                           the calls the agent makes to <service>.<region>.amazonaws.com (mapped to 127.0.0.1
#                           with --add-host), CloudWatch Logs above all
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  keys the agent signs with
# Arguments: a command to run instead of the agent, in the same setting (the container suite checks the
# forwarder with curl on the image's `forwarder` stage, which has no agent).
set -eu

fail() {
  echo "amazon-agent: $*" >&2
  exit 1
}

[ -n "${SSM_AGENT_CONFIG:-}" ] || fail "SSM_AGENT_CONFIG (the amazon-ssm-agent.json text) is not set"
mkdir -p /etc/amazon/ssm
printf '%s\n' "$SSM_AGENT_CONFIG" >/etc/amazon/ssm/amazon-ssm-agent.json

if [ -n "${SSM_CONFORMANCE_CA_PEM:-}" ]; then
  [ -n "${SSL_CERT_FILE:-}" ] || fail "SSM_CONFORMANCE_CA_PEM is set but SSL_CERT_FILE (where to write it) is not"
  mkdir -p "$(dirname "$SSL_CERT_FILE")"
  printf '%s\n' "$SSM_CONFORMANCE_CA_PEM" >"$SSL_CERT_FILE"
fi

# Host networking: 127.0.0.1:443 is the machine's. The forwarder is this container's child, so the port is
# held exactly as long as the container runs. A port already taken ends the start with one line.
listening_on_443() {
  # /proc/net/tcp{,6}: local address 127.0.0.1 or any (IPv4), or any (IPv6), port 443 (01BB), state LISTEN (0A).
  awk '$4 == "0A" && $2 ~ /^(0100007F|00000000|00000000000000000000000000000000):01BB$/ { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
if [ -n "${SSM_CONFORMANCE_LOGS_PORT:-}" ]; then
  if listening_on_443; then
    fail "127.0.0.1:443 is taken on this machine (host networking), so the agent's CloudWatch Logs calls cannot be forwarded to the stack; free that port"
  fi
  socat TCP-LISTEN:443,bind=127.0.0.1,reuseaddr,fork "TCP:127.0.0.1:${SSM_CONFORMANCE_LOGS_PORT}" 2>/tmp/forwarder.err &
  forwarder=$!
  tries=0
  until listening_on_443 && kill -0 "$forwarder" 2>/dev/null; do
    kill -0 "$forwarder" 2>/dev/null \
      || fail "cannot listen on 127.0.0.1:443 for the CloudWatch Logs forwarder: $(tail -n 1 /tmp/forwarder.err)"
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || fail "the CloudWatch Logs forwarder did not listen on 127.0.0.1:443 within 5 s"
    sleep 0.1
  done
  echo "amazon-agent: 127.0.0.1:443 forwards to the stack at 127.0.0.1:${SSM_CONFORMANCE_LOGS_PORT}"
fi

[ "$#" -gt 0 ] || set -- /usr/bin/amazon-ssm-agent
exec "$@"
