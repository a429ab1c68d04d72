import { z } from 'zod';

/** What the fork remote's lock records (config `lock.remote: true`): see lock/remote-lock.ts. */
export const RemoteLockMetaSchema = z.object({ host: z.string(), pid: z.number().int(), runId: z.string(), startedAt: z.string() });
export type RemoteLockMeta = z.infer<typeof RemoteLockMetaSchema>;

export const RemoteLockInfoSchema = z.object({
  remote: z.string(),
  ref: z.string(),
  /** The lock commit this run pushed (null when it did not take the lock). */
  sha: z.string().nullable(),
  acquired: z.boolean(),
  /** Who held it when this run was refused, or whose stale lock it replaced. */
  holder: RemoteLockMetaSchema.nullable(),
  takenOver: z.object({ previous: RemoteLockMetaSchema.nullable(), previousSha: z.string(), ageHours: z.number() }).nullish(),
  released: z.boolean().default(false),
});
export type RemoteLockInfo = z.infer<typeof RemoteLockInfoSchema>;
