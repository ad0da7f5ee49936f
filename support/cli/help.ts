export const HELP = `Usage: ssm-conformance [run] [options]
       ssm-conformance report | cleanup

Checks a Session Manager deployment against the spec in features/ and writes reports.

Commands:
  run                   run the spec against a target (the default)
  report                rebuild the reports from a run's messages (not available yet)
  cleanup               remove what an interrupted run left behind (not available yet)

Options for run:
  --target <kind>       embedded (default: the emulator, in-process), container or aws
  --tags <expr>         only scenarios matching a tag expression, e.g. "@smoke and not @slow"
  --name <regex>        only scenarios whose name matches
  --region <region>     AWS region (default: from the environment or profile)
  --profile <name>      AWS shared-config profile to take credentials from
  --instance <id>       managed node to use (i-... or mi-...); repeatable
  --instance-tag <K=V>  find the managed node by tag; repeatable
  --policy <file>       policy YAML or JSON to check against (default: policies/pci-dss.yaml)
  --report-dir <dir>    where reports are written (default: reports)
  --parallel <n>        scenarios run at once (default: 1)
  --time-scale <n>      configured minutes per real minute, local targets only (default: 60)
  --dry-run             list the scenarios and check their steps, without starting a target
  --fail-fast           stop at the first failed scenario
  -h, --help            show this help
  --version             print the version

Exit status: 0 all passed (skipped with a reason is fine), 1 a scenario failed,
2 bad input or the target could not start, 130 interrupted (Ctrl-C; twice to stop at once).

Examples:
  npm run conformance                                   the spec against the embedded stack
  npm run conformance -- --target aws --region eu-west-1 --instance-tag Env=qa --tags @smoke
`;
