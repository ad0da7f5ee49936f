@audit @preferences @needs:preferences-read
Feature: The account's default session preferences meet the policy
  An audit, read only: the default preferences document (SSM-SessionManagerRunShell) and its log group
  are compared with the policy, one rule at a time, reporting the actual value.

  Background:
    Given the account's default session preferences

  @req:PREF-01 @pci:8.2.8 @nist:AC-11
  Scenario: The idle session timeout is within the policy
    Then the idle session timeout is at most the policy's maximum

  @req:PREF-02 @nist:AC-12
  Scenario: Sessions have a maximum duration within the policy
    Then a maximum session duration is set and is at most the policy's maximum

  @req:PREF-03 @pci:10.2.1 @nist:AU-2 @nist:AU-12
  Scenario: Session activity is logged to CloudWatch Logs
    Then CloudWatch logging is configured to an existing log group

  @req:PREF-04 @pci:10.2.2 @pci:10.3.3 @nist:AU-3
  Scenario: Session logs are streamed
    Then log streaming is enabled

  @req:PREF-05 @pci:10.3.2 @nist:AU-9
  Scenario: Session logs are encrypted
    Then log encryption is required and the log group has a KMS key

  @req:PREF-06 @pci:10.5.1 @nist:AU-11
  Scenario: Session logs are kept long enough
    Then the log group keeps events at least as long as the policy requires
