/**
 * The netlink codec: pure TypeScript, no sockets.
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export * from './layout.js';
export { Writer } from './writer.js';
export { Cursor, enumValue, readString } from './cursor.js';
export {
  decodeAttrs,
  decodeSet,
  decodeStruct,
  forEachAttr,
  readScalar,
  type DecodeOptions,
} from './decode.js';
export { encodeSet, encodeStruct, writeScalar } from './encode.js';
export { readHeader, type GenlHeader, type NlMsgHeader } from './header.js';
export * from './message.js';
export { fastPath } from './compile.js';
export { selects, type PickSelected } from './submsg.js';
export { checkMatch } from './match.js';
export { locateAttr, type AttrLocation } from './locate.js';
