/** Chooses and starts the target adapter the settings name. */
import type { Settings } from "../config/settings";
import { amazonAgentOptionsFromEnv, startAmazonAgentTarget } from "./amazonAgent";
import { startAwsTarget } from "./aws";
import { containerOptionsFromEnv, startContainerTarget } from "./container";
import { startEmbeddedTarget } from "./embedded";
import type { Target } from "./target";

export async function createTarget(settings: Settings): Promise<Target> {
  switch (settings.target) {
    case "embedded":
      return startEmbeddedTarget({ timeScale: settings.timeScale, fault: settings.fault, tls: settings.tls });
    case "aws":
      return startAwsTarget({
        region: settings.region,
        profile: settings.profile,
        instances: settings.instances,
        instanceTags: settings.instanceTags,
        logGroups: settings.logGroups,
        needs: settings.needs,
      });
    case "container":
      if (settings.agent === "amazon") {
        return startAmazonAgentTarget({
          ...amazonAgentOptionsFromEnv(),
          timeScale: settings.timeScale,
          fault: settings.fault,
        });
      }
      return startContainerTarget({
        ...containerOptionsFromEnv(),
        timeScale: settings.timeScale,
        fault: settings.fault,
      });
  }
}
