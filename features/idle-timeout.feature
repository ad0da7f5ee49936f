@idle @needs:session
Feature: Idle sessions are disconnected
  PCI DSS 8.2.8 requires a user to re-authenticate after an idle period. Session Manager enforces the
  idle session timeout on the service side: only client input (keystrokes, resizes, reconnects) counts
  as activity, and a session closed for inactivity cannot be resumed.

  Background:
    Given session preferences with the policy's probe idle timeout

  @req:IDLE-01 @pci:8.2.8 @nist:AC-11 @nist:AC-12
  Scenario: An idle shell is closed after the idle timeout
    Given a shell session with those preferences
    When the session stays idle
    Then the session is closed after the idle timeout, within the policy's tolerance
    And the client is told "Your session timed out due to inactivity and has been terminated."
    And the session cannot be resumed

  @req:IDLE-02 @pci:8.2.8 @nist:AC-11
  Scenario: Typing keeps a session alive
    Given a shell session with those preferences
    When I type a key every quarter of the idle timeout for twice the idle timeout
    Then the session is still open

  @req:IDLE-03 @nist:AC-11
  Scenario: A terminal resize counts as activity
    Given a shell session with those preferences
    When I resize the terminal every quarter of the idle timeout for twice the idle timeout
    Then the session is still open

  @req:IDLE-04 @pci:8.2.8 @nist:AC-11
  Scenario: Output alone does not keep a session alive
    Given a shell session with those preferences
    When a command prints a line every quarter of the idle timeout
    Then the session is closed after the idle timeout, within the policy's tolerance
    And the client is told "Your session timed out due to inactivity and has been terminated."
