// A local HTTP server on 127.0.0.1 for download tests: serves one body and misbehaves on request as told.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface Behaviour {
  /** Send only this many body bytes, then drop the connection. */
  dropAfter?: number;
  /** Answer 200 with the whole body even to a Range request. */
  ignoreRange?: boolean;
  /** Answer a Range request with 206 even when If-Range does not match (a broken server). */
  ignoreIfRange?: boolean;
  status?: number;
  /** Extra response headers (e.g. Retry-After with a status). */
  headers?: Record<string, string>;
  /** Send headers and this many bytes, then nothing for stallMs. */
  stallAfter?: number;
  stallMs?: number;
  /** Flip one byte in what is sent. */
  corrupt?: boolean;
  /** Serve this body/ETag instead of the default (the resource changed). */
  body?: Buffer;
  etag?: string;
}

export interface SeenRequest {
  range?: string;
  ifRange?: string;
}

export async function startServer(body: Buffer, plan: (i: number) => Behaviour = () => ({}), extraFiles: Record<string, string> = {}) {
  const requests: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    if (req.url && extraFiles[req.url] !== undefined) return void res.end(extraFiles[req.url]);
    const b = plan(requests.length);
    requests.push({ range: req.headers.range, ifRange: req.headers["if-range"] as string | undefined });
    if (b.status) {
      res.writeHead(b.status, b.headers);
      return void res.end("error");
    }
    const data = b.body ?? body;
    const etag = b.etag ?? '"v1"';
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const ifRange = req.headers["if-range"];
    const partial = m && !b.ignoreRange && (!ifRange || ifRange === etag || b.ignoreIfRange);
    const from = partial ? Number(m![1]) : 0;
    const out = Buffer.from(data.subarray(from));
    if (b.corrupt && out.length > 10) out[10] ^= 0xff;
    res.writeHead(partial ? 206 : 200, {
      "content-length": out.length,
      etag,
      ...(partial ? { "content-range": `bytes ${from}-${data.length - 1}/${data.length}` } : {}),
    });
    const cut = b.dropAfter ?? b.stallAfter;
    if (cut === undefined) return void res.end(out);
    res.write(out.subarray(0, cut), () => {
      if (b.dropAfter !== undefined) setTimeout(() => req.socket.destroy(), 20);
      else setTimeout(() => res.end(out.subarray(cut)), b.stallMs ?? 60_000).unref();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/genome.fa.gz`,
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
