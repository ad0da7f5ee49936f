export const HELP = `Usage: ssm-conformance [run] [options]
       ssm-conformance report <messages.ndjson...> [--report-dir <dir>] [--history <file>]
       ssm-conformance cleanup [options]

Checks a Session Manager deployment against the spec in features/ and writes reports: cucumber's
(cucumber.html, junit.xml, messages.ndjson), conformance.json/.html/.md, latency.json/.html, and a
line in history.jsonl.

Commands:
  run                   run the spec against a target (the default)
  report                rebuild the reports from saved message streams (several: the shards of one
                        run, merged); exit status as for run
  cleanup               remove what an interrupted aws run left behind (see below)

Options for run:
  --target <kind>       embedded (default: the emulator, in-process), container or aws
  --tags <expr>         only scenarios matching a tag expression, e.g. "@smoke and not @slow"
  --name <regex>        only scenarios whose name matches
  --region <region>     AWS region (default: from the environment or profile); repeatable on
                        aws: one run per region (and node), reports in <report-dir>/<region>/<node>
  --profile <name>      AWS shared-config profile to take credentials from
  --instance <id>       managed node to use (i-... or mi-...); repeatable: one run per node
  --instance-tag <K=V>  find the managed node by tag (Online, Linux, connected); repeatable: all must match
  --log-group <name>    aws: an existing log group for the logging scenarios, besides the one the
                        account's preferences name; repeatable (never created)
  --shard <i/n>         run only shard i of n (cucumber's shard option), e.g. for CI jobs
  --policy <file>       policy YAML or JSON to check against (default: policies/pci-dss.yaml)
  --report-dir <dir>    where reports are written (default: reports)
  --history <file>      run history to append to and chart trends from (run and report;
                        default: <report-dir>/history.jsonl)
  --parallel <n>        scenarios run at once (default: 1)
  --time-scale <n>      configured minutes per real minute, local targets only (default: 60)
  --fault <name>        local targets: run the emulator non-conformant on purpose with a fault
                        profile (emulator/faults/README.md), e.g. slow-logs; the spec should fail
  --tls                 embedded: serve the stack over https/wss with a CA made at start (as the
                        real agent needs); the harness's clients trust that CA. Against a stack
                        started elsewhere, export AWS_CA_BUNDLE or SSL_CERT_FILE instead
  --agent <kind>        container: emulator (default: ours, in the container) or amazon (the official
                        amazon-ssm-agent in the container, the service in-process over TLS; when
                        its package cannot be had, every scenario is skipped with the reason)
  --dry-run             list the scenarios and check their steps, without starting a target
  --fail-fast           stop at the first failed scenario
  -h, --help            show this help
  --version             print the version

Options for cleanup (aws; credentials and region as for run):
  --run-id <id>         end the sessions and delete the temporary documents of this run (its id is
                        printed when it starts)
  --older-than <hours>  the same for every run older than this (0: all leftovers)
  --region <region>     repeatable; --profile <name>; --dry-run lists without removing

Exit status: 0 all passed (skipped with a reason is fine), 1 a scenario failed,
2 bad input or the target could not start, 130 interrupted (Ctrl-C; twice to stop at once).

Examples:
  npm run conformance                                   the spec against the embedded stack
  npm run conformance -- --target aws --region eu-west-1 --instance-tag Env=qa --tags @smoke
  npx ssm-conformance cleanup --run-id 20260101-120000-abc123 --region eu-west-1
`;
