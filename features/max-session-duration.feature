@max-duration @needs:session
Feature: Sessions end at the maximum session duration
  A maximum session duration ends a session however busy it is (NIST AC-12).

  @req:MAXDUR-01 @nist:AC-12
  Scenario: A busy session ends at the maximum session duration
    Given session preferences with the policy's probe maximum session duration
    And a shell session with those preferences
    When I keep typing
    Then the session is closed after the maximum session duration, within the policy's tolerance
    And the client is told why, with a message other than the inactivity message
