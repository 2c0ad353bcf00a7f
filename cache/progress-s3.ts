// Progress records (cache/progress.ts) in an S3 store at S3Layout.progress(key), one small PUT per heartbeat, so a
// watcher on any machine sees every running stage with one listing and one GET per running stage.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parseProgress, type ProgressRecord } from "./progress.js";
import type { S3Layout } from "./layout.js";
import type { S3Location } from "./s3/client.js";

export async function writeProgressS3(s3: S3Client, loc: S3Location, layout: S3Layout, rec: ProgressRecord): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: loc.bucket, Key: layout.progress(rec.key), Body: JSON.stringify(rec), ContentType: "application/json" }));
}

export async function removeProgressS3(s3: S3Client, loc: S3Location, layout: S3Layout, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: layout.progress(key) }));
}

export async function listProgressS3(s3: S3Client, loc: S3Location, layout: S3Layout): Promise<ProgressRecord[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: `${layout.progressDir()}/`, ContinuationToken: token }));
    for (const c of r.Contents ?? []) if (c.Key?.endsWith(".json")) keys.push(c.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  const out: ProgressRecord[] = [];
  for (const k of keys) {
    try {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: k }))).Body!.transformToString();
      const r = parseProgress(body);
      if (r) out.push(r);
    } catch {
      // removed between the listing and the read: the stage just finished
    }
  }
  return out;
}
