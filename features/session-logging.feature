@logging @needs:session @needs:logs-read @needs:log-group
Feature: Session activity is logged to CloudWatch Logs
  With streaming on, every command and its output reach the session's log stream (named after the
  session) as structured JSON events, quickly, once, in order and without terminal escape codes. With
  streaming off, the transcript arrives when the session ends, not before.

  @req:LOG-01 @pci:10.2.1 @pci:10.3.3 @nist:AU-12 @latency
  Scenario: Each command reaches the log group within the policy's latency
    Given session preferences that stream logs to the plain log group
    And a shell session with those preferences
    When I run 5 marker commands
    Then each command appears in the session's log stream within the policy's latency

  @req:LOG-02 @pci:10.2.2 @nist:AU-3
  Scenario: Log events say who did what, where and when
    Given session preferences that stream logs to the plain log group
    And a shell session with those preferences
    When I run 3 marker commands
    Then each command appears in the session's log stream within the policy's latency
    And every event of the stream has the documented shape
    And the events name the session, the node, the caller and the shell's user
    And each event's time matches its timestamp

  @req:LOG-03 @pci:10.2.1 @nist:AU-12
  Scenario: Every command is logged exactly once and in order
    Given session preferences that stream logs to the plain log group
    And a shell session with those preferences
    When I run 10 marker commands
    And I end the session with exit
    Then every command appears in the log stream exactly once and in order

  @req:LOG-04 @pci:10.2.1
  Scenario: Command output is logged
    Given session preferences that stream logs to the plain log group
    And a shell session with those preferences
    When I run a command whose output is a marker
    Then the output appears in the session's log stream

  @req:LOG-05 @pci:10.2.2
  Scenario: Colour codes are stripped from the log
    Given session preferences that stream logs to the plain log group
    And a shell session with those preferences
    When I run a command that prints a marker in colour
    Then the log stream has the marker without escape codes

  @req:LOG-06 @pci:10.2.1
  Scenario: Without streaming, the transcript arrives after the session ends
    Given session preferences that upload logs at the end to the plain log group
    And a shell session with those preferences
    When I run a command whose output is a marker
    Then the output is not in the log stream while the session is open
    When I end the session with exit
    Then the output appears in the session's log stream
