/**
 * errno numbers to names and descriptions, from Node's own table (libuv's
 * messages), so the runtime needs no native call to explain a kernel error.
 * @module
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

// getSystemErrorMap() builds a fresh Map per call; read it once.
const uvMap = getSystemErrorMap();
const byNumber = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!byNumber.has(value)) byNumber.set(value, name);
}
// Aliases: use the names the kernel uses (errno 95 is EOPNOTSUPP in the kernel;
// ENOTSUP is libc's alias; 11 is EAGAIN, not EWOULDBLOCK).
for (const name of ['EOPNOTSUPP', 'EAGAIN', 'EDEADLK']) {
  const v = (constants.errno as Record<string, number | undefined>)[name];
  if (v !== undefined) byNumber.set(v, name);
}

/** Name of a positive errno (`2` → `'ENOENT'`); `'E<n>'` when unknown. */
export function errnoName(errno: number): string {
  return byNumber.get(errno) ?? `E${errno}`;
}

/** Description of a positive errno (`2` → `'no such file or directory'`). */
export function errnoText(errno: number): string {
  const entry = uvMap.get(-errno);
  return entry ? entry[1] : `error ${errno}`;
}
