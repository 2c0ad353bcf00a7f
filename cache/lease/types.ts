// A lease says who is making a key right now. Backends store it; leases.ts decides when one is stale.

export interface LeaseOwner {
  /** Unique per runner process. */
  runner: string;
  host: string;
  pid: number;
  /** Process start time, so a reused pid on the same host is not taken for the owner. */
  pidStart?: string;
  stage: string;
}

export interface LeaseRecord {
  owner: LeaseOwner;
  /** Incremented by every heartbeat: any change proves the owner is alive. */
  beat: number;
  ttlMs: number;
  /** Informational (clocks differ between machines; staleness never compares them). */
  heartbeat: string;
}

/** One stored version of a lease. `rec` is undefined when the stored bytes are not a lease (garbage). */
export interface LeaseVersion {
  token: string;
  rec?: LeaseRecord;
}

export interface LeaseBackend {
  /** Creates the lease only if none exists; the new version token, or undefined if one exists. */
  create(key: string, rec: LeaseRecord): Promise<string | undefined>;
  read(key: string): Promise<LeaseVersion | undefined>;
  /** Replaces the lease only if its version is still `token`; the new token, or undefined if it changed or vanished. */
  replace(key: string, token: string, rec: LeaseRecord): Promise<string | undefined>;
  remove(key: string, token: string): Promise<void>;
}
