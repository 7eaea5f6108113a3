import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { InboundHandler } from '../core/chat.js';
import type { Config } from '../config.js';
import { createHttpServer, type ReadinessCheck, type Route } from '../http/server.js';
import type { Metrics } from '../metrics.js';
import type { Lease } from '../store/lock.js';

/** The one HTTP server, not yet listening. */
export interface Http {
  server: Server;
  /** Listen on HOST:PORT; resolves with the web chat's URL (with the port the system chose for PORT=0). */
  listen(): Promise<string>;
  /** Stop accepting connections, close idle ones, and resolve once the requests in flight are answered. */
  close(): Promise<void>;
}

/** The HTTP server: web chat page and API, the channels' webhooks, health, readiness and metrics. */
export function buildHttp(
  config: Config,
  deps: { handle: InboundHandler; routes: Route[]; readiness: Record<string, ReadinessCheck>; metrics: Metrics; lease: Lease; log: Logger },
): Http {
  const server = createHttpServer({
    conversation: { handle: deps.handle },
    log: deps.log.child({ module: 'http' }),
    routes: deps.routes,
    readiness: deps.readiness,
    metrics: deps.metrics,
    lease: deps.lease,
  });
  return {
    server,
    listen: () =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => {
          server.off('error', reject);
          const address = server.address();
          const port = typeof address === 'object' && address ? address.port : config.PORT;
          resolve(`http://${config.HOST}:${port}/`);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
