/**
 * The AWS front door for `POST /`: pick the wire protocol, authenticate, route to the provider operation,
 * and answer in the shape the service uses. Never lets a handler failure escape.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { Logger } from "../logger";
import { callerIdentity, isDenied, type Principal } from "./credentials";
import { accessDenied, internalError, unknownOperation } from "./errors";
import type { Exchange } from "./exchange";
import { jsonExchange } from "./json-protocol";
import { AwsServiceError, type ServiceProvider } from "./provider";
import { isQueryRequest, queryExchange } from "./query-protocol";
import { authenticate } from "./sigv4";

export interface DispatchOptions {
  providers: readonly ServiceProvider[];
  principals: readonly Principal[];
  strictSigV4: boolean;
  defaultRegion: string;
  logger: Logger;
}

export type AwsHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => Promise<void>;

export function createAwsHandler(options: DispatchOptions): AwsHandler {
  const { providers, logger } = options;
  return async (req, res, body) => {
    const requestId = randomUUID();
    const started = Date.now();
    const exchange: Exchange = isQueryRequest(req)
      ? queryExchange(res, body, providers, requestId)
      : jsonExchange(req, res, body, providers, requestId);
    const { provider, operation } = exchange;
    let outcome = "ok";
    try {
      const auth = await authenticate(req, body, {
        principals: options.principals,
        strict: options.strictSigV4,
        defaultRegion: options.defaultRegion,
        service: provider?.signingName,
      });
      if (!auth.verified)
        logger.debug(`${requestId} ${exchange.label}: unverified signature, caller ${auth.principal.arn}`);
      if (!provider || !Object.hasOwn(provider.operations, operation)) throw unknownOperation(exchange.label);
      if (isDenied(auth.principal, provider.signingName, operation)) {
        throw accessDenied(auth.principal.arn, `${provider.signingName}:${operation}`);
      }
      const handler = provider.operations[operation]!;
      const result = await handler(exchange.input(), {
        caller: callerIdentity(auth.principal),
        region: auth.region,
        requestId,
      });
      exchange.reply(result);
    } catch (err) {
      const error = err instanceof AwsServiceError ? err : internalError(provider?.internalErrorCode);
      if (!(err instanceof AwsServiceError)) {
        // The stack goes to our log only, never to the client.
        logger.error(
          `${requestId} ${exchange.label} failed: ${err instanceof Error ? err.stack : String(err)}`,
        );
      }
      outcome = error.code;
      exchange.fail(error);
    }
    logger.debug(
      `${requestId} ${exchange.label} -> ${res.statusCode} ${outcome} in ${Date.now() - started} ms`,
    );
  };
}
