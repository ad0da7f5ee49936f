/** Chooses and starts the target adapter the settings name. */
import type { Settings } from "../config/settings";
import { startEmbeddedTarget } from "./embedded";
import type { Target } from "./target";

export class TargetUnavailableError extends Error {}

export async function createTarget(settings: Settings): Promise<Target> {
  switch (settings.target) {
    case "embedded":
      return startEmbeddedTarget({ timeScale: settings.timeScale });
    case "container":
    case "aws":
      throw new TargetUnavailableError(`the ${settings.target} target is not available in this version`);
  }
}
