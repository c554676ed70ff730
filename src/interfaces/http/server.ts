/** Serves a hono app with @hono/node-server on 127.0.0.1 (port 0 picks a free port). */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface HttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function startHttpServer(
  app: Hono,
  opts: { port?: number; host?: string } = {},
): Promise<HttpServer> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port: opts.port ?? 0, hostname: host },
      (info: AddressInfo) => {
        const url = `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`;
        resolve({
          url,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              // Event streams never end on their own: cut them so close() can finish.
              if ("closeAllConnections" in server) server.closeAllConnections();
              server.close(() => done());
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
