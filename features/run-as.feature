@run-as @needs:session @needs:run-as
Feature: Shells run as the Run As user
  With Run As support on, the session's shell runs as the OS user the preferences name instead of the
  node's default shell user (ssm-user), and the session's log events name that user, so every command in
  the audit trail is tied to the identity that ran it. Run As needs an agent that runs as root and a
  second user on the node: the container target has both; the embedded one only when run as root.

  @req:RUNAS-01 @pci:10.2.2 @nist:AU-3 @needs:logs-read @needs:log-group
  Scenario: A shell runs as the Run As user and its log events say so
    Given session preferences that run shells as the second user and stream logs to the plain log group
    And a shell session with those preferences
    When I run 2 marker commands
    Then whoami in the session says the second user
    And each command appears in the session's log stream within the policy's latency
    And the events name the session, the node, the caller and the shell's user
