/**
 * Extended-ACK explanation: turn the kernel's error answer (errno, message,
 * offset of the offending attribute, missing attribute, policy) into a
 * {@link NetlinkError} that names attributes by their path in the request.
 * @module
 */
import { GENL_HDRLEN, NLA_TYPE_MASK } from '../codec/constants.js';
import type { AttrSet } from '../codec/layout.js';
import { locateAttr, type AttrLocation } from '../codec/locate.js';
import type { ExtAck } from '../codec/message.js';
import { NetlinkError, type ExtAckInfo, type MissingAttr } from './errors.js';
import type { NetlinkRequest } from './request.js';

/**
 * Build the NetlinkError of a kernel error, explaining ext-ack offsets
 * against the request; `opFlags` (the op's GENL_* flags) name the capability
 * behind an EPERM.
 */
export function netlinkError(
  errno: number,
  ext: ExtAck,
  req: NetlinkRequest,
  opFlags?: number,
): NetlinkError {
  const info: { -readonly [K in keyof ExtAckInfo]: ExtAckInfo[K] } = {};
  if (ext.message !== undefined) info.message = ext.message;
  if (ext.offset !== undefined) {
    info.offset = ext.offset;
    const loc = locateIn(req, ext.offset);
    if (loc !== undefined) info.attrPath = loc.path;
  }
  if (ext.policy !== undefined) info.policy = ext.policy;
  if (ext.cookie !== undefined) info.cookie = ext.cookie;
  if (ext.missingType !== undefined)
    info.missingAttr = missingAttr(ext.missingType, ext.missingNest, req);
  const ctx: { family?: string; op?: string; opFlags?: number } = {};
  if (req.family !== undefined) ctx.family = req.family;
  if (req.op !== undefined) ctx.op = req.op;
  if (opFlags !== undefined) ctx.opFlags = opFlags;
  return new NetlinkError(errno, info, ctx);
}

/** The attribute of the request at `offset`, past its protocol and fixed headers. */
function locateIn(req: NetlinkRequest, offset: number): AttrLocation | undefined {
  const proto = req.raw === true ? 0 : GENL_HDRLEN;
  return locateAttr(req.bytes, offset, req.set, req.hdrSize ?? 0, proto);
}

function missingAttr(type: number, nestOff: number | undefined, req: NetlinkRequest): MissingAttr {
  let set: AttrSet | undefined = req.set;
  let nest: string | undefined;
  if (nestOff !== undefined) {
    const loc = locateIn(req, nestOff);
    nest = loc?.path;
    set = undefined;
    if (loc?.set !== undefined && nestOff + 4 <= req.bytes.length) {
      const t =
        new DataView(req.bytes.buffer, req.bytes.byteOffset).getUint16(nestOff + 2, true) &
        NLA_TYPE_MASK;
      set = loc.set.byType(t)?.nested;
    }
  }
  const name = set?.byType(type)?.name;
  return { type, ...(name !== undefined ? { name } : {}), ...(nest !== undefined ? { nest } : {}) };
}
