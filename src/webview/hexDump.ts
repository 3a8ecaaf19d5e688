/**
 * The classic hex dump: an offset, sixteen bytes in hex (a gap after eight), and the same
 * bytes as ASCII with a dot for anything unprintable. Pure, so it is tested in node and the
 * detail pane only puts the strings into elements.
 */

/** One line of the dump. */
export interface HexLine {
  /** Offset of the first byte, eight hex digits. */
  readonly offset: string;
  /** The bytes in hex, padded so that the ASCII column lines up on a short last line. */
  readonly hex: string;
  readonly ascii: string;
}

/** Bytes per dump line. */
export const HEX_WIDTH = 16;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Dump lines for bytes[start..end), start rounded down to a line boundary. */
export function hexDumpLines(bytes: Uint8Array, start = 0, end = bytes.length): HexLine[] {
  const stop = Math.min(end, bytes.length);
  const lines: HexLine[] = [];
  for (let at = start - (start % HEX_WIDTH); at < stop; at += HEX_WIDTH) {
    let hex = '';
    let ascii = '';
    for (let k = 0; k < HEX_WIDTH; k++) {
      if (k === HEX_WIDTH / 2) hex += ' ';
      const b = at + k < stop ? bytes[at + k] : undefined;
      hex += (b === undefined ? '  ' : HEX[b]) + (k < HEX_WIDTH - 1 ? ' ' : '');
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push({ offset: at.toString(16).padStart(8, '0'), hex, ascii });
  }
  return lines;
}
