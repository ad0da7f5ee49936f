@lifecycle @needs:session
Feature: Session lifecycle
  A session is listed while it is active, ends when it is terminated, stays ended, and cannot be opened
  to a node that is not connected.

  @smoke @req:LIFE-01 @nist:AC-12
  Scenario: A started session is listed as connected
    Given a shell session on the managed node
    Then the session is listed as "Connected"
    And the session's owner is the caller's identity

  @req:LIFE-02 @nist:AC-12 @nist:SC-10
  Scenario: A terminated session is closed and listed as terminated
    Given a shell session on the managed node
    When I terminate the session
    Then the session's channel is closed
    And the session is listed as "Terminated" with an end date
    And the session cannot be resumed

  @req:LIFE-03 @local-only
  Scenario: A session to a node that is not connected is refused
    When I start a session on a node that is not connected
    Then the request is refused with "TargetNotConnected"
