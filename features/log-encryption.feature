@encryption @needs:session
Feature: Session logs and session data are encrypted
  When encryption is required the log group must have a KMS key, or the session does not start
  (PCI DSS 10.3.2). Session data itself can be encrypted end to end with a KMS key.

  @req:ENC-01 @pci:10.3.2 @nist:AU-9 @needs:unencrypted-log-group
  Scenario: A session that requires encrypted logs is refused when the log group is not encrypted
    Given session preferences that require encrypted logs in the plain log group
    When I start a shell session with those preferences
    Then the session is refused with "We couldn't start the session because encryption is not set up on the selected CloudWatch Logs log group. Either encrypt the log group or choose an option to enable logging without encryption."

  @req:ENC-02 @pci:10.3.2 @nist:AU-9 @needs:encrypted-log-group @needs:logs-read
  Scenario: A session logs to an encrypted log group
    Given session preferences that require encrypted logs in the encrypted log group
    And a shell session with those preferences
    When I run 1 marker commands
    Then each command appears in the session's log stream within the policy's latency

  @req:ENC-03 @nist:SC-8 @needs:kms
  Scenario: A KMS-encrypted session works and says so
    Given session preferences that encrypt session data with the KMS key
    And a shell session with those preferences
    Then the session says "This session is encrypted using AWS KMS."
    When I run 1 marker commands
    Then every command's output came back
