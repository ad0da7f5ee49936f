/**
 * npm test and the container suite. The container suite (test/container/*.container.ts) starts Docker
 * containers and takes minutes, so npm test leaves it to `npm run test:container` (CI runs it right after).
 * This says here which way it goes: skipped with the reason when no Docker engine answers, or where to run
 * it when one does.
 */
import { describe, it } from "node:test";
import { dockerUnavailable } from "./container/helpers";

describe("the container suite (npm run test:container)", async () => {
  const reason = await dockerUnavailable();

  it("has a Docker engine to run on", {
    skip: reason && `${reason}: the container suite and --target container need one`,
  }, (t) => {
    t.diagnostic("Docker answers: the container suite runs with npm run test:container");
  });
});
