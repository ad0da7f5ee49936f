#!/bin/sh
# The agent container's command: the emulator's service and built-in agents on 127.0.0.1 (host networking),
# shells as ssm-user. Settings come from the environment (the health check reads the same port); any
# arguments are passed on to the emulator (e.g. --log-level debug, --node i-0123456789abcdef0).
#
#   SSM_CONFORMANCE_PORT            port of the emulator's endpoint on 127.0.0.1 (default 4590)
#   SSM_CONFORMANCE_TIME_SCALE      idle timeout / max duration speed-up (default 1: real time)
#   SSM_CONFORMANCE_SHELL_USER      user shells run as without Run As (default ssm-user)
#   SSM_CONFORMANCE_LOGS_ENDPOINT   where the agents ship session logs: a CloudWatch Logs endpoint
#                                   (LocalStack: http://127.0.0.1:4566), aws, or empty for the emulator's own
#   SSM_CONFORMANCE_REGION          region of the stack (default us-east-1)
set -e
set -- --port "${SSM_CONFORMANCE_PORT:-4590}" \
  --time-scale "${SSM_CONFORMANCE_TIME_SCALE:-1}" \
  --default-shell-user "${SSM_CONFORMANCE_SHELL_USER:-ssm-user}" \
  --region "${SSM_CONFORMANCE_REGION:-us-east-1}" \
  ${SSM_CONFORMANCE_LOGS_ENDPOINT:+--logs-endpoint "$SSM_CONFORMANCE_LOGS_ENDPOINT"} \
  "$@"
exec node /opt/ssm-conformance/emulator/cli.js "$@"
