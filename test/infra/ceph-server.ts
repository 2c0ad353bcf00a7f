// Starts a real S3 server for a test file: single-node Ceph (mon + OSD + radosgw) on 127.0.0.1:7480 from the recipe
// in test/infra/ceph/, stopped by PID afterwards. Fails loudly when Ceph is not installed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { repoRoot } from "../helpers/paths.js";

export const S3_ENV = {
  AWS_ENDPOINT_URL_S3: "http://127.0.0.1:7480",
  AWS_ACCESS_KEY_ID: "EXPACCESSKEY",
  AWS_SECRET_ACCESS_KEY: "EXPSECRETKEY",
  AWS_REGION: "us-east-1",
  DNAFLOW_S3_PATH_STYLE: "1",
};

export interface CephServer {
  env: typeof S3_ENV;
  client: S3Client;
  bucket(name: string): Promise<string>;
  /** Stops only radosgw (an S3 outage; mon and OSD keep the data): resolves once the port refuses connections. */
  stopGateway(): Promise<void>;
  /** Starts radosgw again on the same data: resolves once it answers. */
  startGateway(): Promise<void>;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(): Promise<boolean> {
  try {
    await fetch(S3_ENV.AWS_ENDPOINT_URL_S3, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

export async function startCeph(): Promise<CephServer> {
  for (const bin of ["radosgw", "ceph-mon", "ceph-osd", "uuidgen"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    } catch {
      throw new Error(
        `${bin} not found: the S3 tests need a real Ceph RGW (apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd uuid-runtime bc curl)`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-ceph-"));
  const scripts = join(repoRoot(), "test", "infra", "ceph");
  execFileSync("bash", [join(scripts, "start.sh"), dir], { stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
  const client = new S3Client({
    endpoint: S3_ENV.AWS_ENDPOINT_URL_S3,
    region: S3_ENV.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3_ENV.AWS_SECRET_ACCESS_KEY },
  });
  return {
    env: S3_ENV,
    client,
    async bucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async stopGateway() {
      const pid = Number(readFileSync(join(dir, "run", "ceph-client.rgw.a.pid"), "utf8"));
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 300 && (await answers()); i++) await sleep(100);
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
          await sleep(100);
        } catch {
          return;
        }
      }
      throw new Error(`radosgw (pid ${pid}) did not stop`);
    },
    async startGateway() {
      execFileSync("radosgw", ["-c", join(dir, "ceph.conf"), "-n", "client.rgw.a"], { stdio: "ignore" });
      for (let i = 0; i < 300; i++) {
        if (await answers()) return;
        await sleep(100);
      }
      throw new Error("radosgw did not come back on 127.0.0.1:7480");
    },
    stop() {
      client.destroy();
      execFileSync("bash", [join(scripts, "stop.sh"), dir], { stdio: "ignore", timeout: 60_000 });
    },
  };
}
